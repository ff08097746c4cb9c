"""Books as /api/v1 gives them."""
from pydantic import BaseModel, Field

from app.api.schemas.common import Page, PageQuery


class Book(BaseModel):
    """One book: the catalog's fields, the cover's URL, and how many copies
    are on offer now."""
    isbn: str = Field(description="ISBN-13")
    title: str
    subtitle: str
    author: list[str]
    translator: list[str]
    publisher: str
    pubdate: str
    pages: str
    price: str
    binding: str
    summary: str
    image: str = Field(description="the cover's URL (fisher's own copy when it has one), or empty")
    offered: int = Field(ge=0, description="copies on offer now")


class BookPage(Page):
    items: list[Book]
    total: int = Field(ge=0, description="books matching the query")


class BookSearch(PageQuery):
    """A keyword or an ISBN (ISBN-10 or -13, hyphens allowed)."""
    q: str = Field(min_length=1, max_length=100, pattern=r"\S", description="keyword or ISBN")

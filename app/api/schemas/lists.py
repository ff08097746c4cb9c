"""Gifts and wishes as /api/v1 gives and takes them."""
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas.book import Book
from app.api.schemas.common import Page, PageQuery
from app.forms.book import KEYWORD_MAX
from app.libs.enums import GiftCondition

# A gift's condition by name; the API's spelling of GiftCondition (UNSAID is null).
CONDITION_NAMES = {condition.name.lower(): condition for condition in GiftCondition
                   if condition is not GiftCondition.UNSAID}
ConditionName = Literal["new", "like_new", "marked", "damaged"]
assert set(ConditionName.__args__) == set(CONDITION_NAMES)  # the two spellings agree

IsbnText = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Created = Field(description="when it was listed (ISO 8601, UTC)")


class Condition(BaseModel):
    """How worn the copy is, as its gifter says (null: not said), and a note on it."""
    condition: ConditionName | None
    condition_label: str = Field(description="the condition in the site's words, or empty")
    note: str


class Gifter(BaseModel):
    id: int
    nickname: str


class OfferedGift(Condition):
    """One copy on offer now, as /gifts lists it."""
    id: int
    book: Book
    gifter: Gifter
    create_time: datetime = Created


class OfferPage(Page):
    items: list[OfferedGift]
    total: int = Field(ge=0, description="copies on offer matching the query")


class OfferQuery(PageQuery):
    """The filters of /gifts: a keyword over the books, and 有人想要."""
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=KEYWORD_MAX)] | None = Field(
        None, description="keyword over title, authors and the rest (blank: every book)")
    wanted: bool = Field(False, description="only books someone else wishes for")


class MyGift(Condition):
    """One of my gifts: ``given`` once it went to someone, ``promised`` while I
    accepted a request for it, else ``on_offer``."""
    id: int
    book: Book
    state: Literal["on_offer", "promised", "given"]
    waiting_requests: int = Field(ge=0, description="requests for it waiting for my answer")
    wishers: int = Field(ge=0, description="people wishing for the book now")
    create_time: datetime = Created


class MyGiftPage(Page):
    items: list[MyGift]


class NewGift(BaseModel):
    """A copy I give away: its ISBN (ISBN-10 or -13, hyphens allowed), how worn
    it is, and a note of at most 200 characters."""
    model_config = ConfigDict(extra="forbid")
    isbn: IsbnText
    condition: ConditionName | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class MyWish(BaseModel):
    """One of my wishes: ``fulfilled`` once a gift of it reached me, else ``open``."""
    id: int
    book: Book
    state: Literal["open", "fulfilled"]
    create_time: datetime = Created


class MyWishPage(Page):
    items: list[MyWish]


class NewWish(BaseModel):
    """A book I wish for, by ISBN (ISBN-10 or -13, hyphens allowed)."""
    model_config = ConfigDict(extra="forbid")
    isbn: IsbnText

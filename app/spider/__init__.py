"""Book sources: the local catalog (default) and the Yushu HTTP API.

Both answer ``search_by_isbn(isbn)`` and ``search_by_keyword(q, page)`` with a
:class:`BookPage` of book dicts in the Yushu shape.
"""
from dataclasses import dataclass, field

from flask import current_app


class BookSourceError(Exception):
    """The book source could not answer (timeout, refused, 5xx, bad data)."""


@dataclass
class BookPage:
    total: int = 0
    books: list[dict] = field(default_factory=list)

    @property
    def first(self) -> dict | None:
        return self.books[0] if self.books else None


def get_book_source():
    """The source named by the ``BOOK_SOURCE`` setting."""
    from app.spider.local_catalog import LocalCatalog
    from app.spider.yushu_book import YuShuBook

    if current_app.config["BOOK_SOURCE"] == "yushu":
        return YuShuBook.from_app(current_app)
    return LocalCatalog()

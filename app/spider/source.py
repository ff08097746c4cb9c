"""What every book source answers, and the part they share: the book table.

A source answers ``search_by_isbn(isbn)`` and ``search_by_keyword(keyword,
page)`` with a :class:`BookPage` of book dicts in the Yushu shape. A source
only reads: records it fetched from elsewhere come back in ``fetched`` and
``services/books.py`` stores them.
"""
from dataclasses import dataclass, field
from typing import Protocol

from functools import cache

from sqlalchemy import bindparam, select

from app.models.base import LIVE, db
from app.models.book import BOOK_FIELDS, Book


class BookSourceError(Exception):
    """The book source could not answer (timeout, refused, 5xx, bad data)."""


@dataclass
class BookPage:
    total: int = 0
    books: list[dict] = field(default_factory=list)
    # Clean records this answer brought from outside the book table, to be stored.
    fetched: list[dict] = field(default_factory=list)
    # Labels of the sources that could not answer ("Open Library").
    unavailable: list[str] = field(default_factory=list)
    # The total is a floor: the source stopped counting there ("1,000+").
    at_least: bool = False

    @property
    def first(self) -> dict | None:
        return self.books[0] if self.books else None


class BookSource(Protocol):
    name: str
    label: str

    def search_by_isbn(self, isbn: str) -> BookPage: ...

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage: ...


@cache
def _stored_book():
    """The record fields of one live book: a Core read of the table (the
    answer is a dict; no Book object to build), the soft-delete rule stated."""
    b = Book.__table__.c
    return select(*(b[field] for field in BOOK_FIELDS)).where(b.isbn == bindparam("isbn"), b.status == LIVE)


def stored_book(isbn: str) -> BookPage:
    """The book table's answer for one ISBN (empty when it has no such book)."""
    row = db.session.execute(_stored_book(), {"isbn": isbn}).first()
    return BookPage(1, [dict(row._mapping)]) if row else BookPage()

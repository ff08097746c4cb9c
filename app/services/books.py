"""Looking books up through the configured source, keeping what it fetched.

A source only reads. Books it brought from a remote source (``BookPage.fetched``)
are stored here, in a unit of work of their own, so detail pages and gifts
find them in the book table without asking the API again.
"""
import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.models.base import db
from app.models import offers
from app.models.book import upsert_books
from app.spider import BookPage, BookSourceError, get_book_source

log = logging.getLogger(__name__)


def by_isbn(isbn: str) -> BookPage:
    return _kept(get_book_source().search_by_isbn(isbn))


def by_keyword(keyword: str, page: int = 1) -> BookPage:
    return _kept(get_book_source().search_by_keyword(keyword, page))


def offered(keyword: str, page: int = 1) -> BookPage:
    """Books matching the keyword (or that ISBN) that someone gives away now;
    only the local table can know them."""
    per_page = current_app.config["PER_PAGE"]
    total, found = offers.offered_books(keyword, page, per_page)
    return BookPage(total, [book.to_dict() for book in found])


def find_by_isbn(isbn: str) -> dict | None:
    """The book with this ISBN, or None when no source knows it;
    BookSourceError when none has it and some source could not answer (the
    book may exist)."""
    page = by_isbn(isbn)
    if page.first is None and page.unavailable:
        raise BookSourceError(f"{'、'.join(page.unavailable)} could not answer for {isbn}")
    return page.first


def _kept(page: BookPage) -> BookPage:
    if page.fetched:
        unique = list({book["isbn"]: book for book in page.fetched}.values())
        try:
            with db.auto_commit():
                upsert_books(unique)
        except IntegrityError:
            log.info("books stored concurrently by another request")
    return page

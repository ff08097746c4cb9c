"""Book source backed by the ``book`` table (the bundled, importable catalog)."""
from flask import current_app
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book, search_books
from app.spider import BookPage


class LocalCatalog:
    def search_by_isbn(self, isbn: str) -> BookPage:
        book = db.session.scalar(select(Book).where(Book.isbn == isbn))
        return BookPage(1, [book.to_dict()]) if book else BookPage()

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        per_page = current_app.config["PER_PAGE"]
        total, books = search_books(keyword, page, per_page)
        return BookPage(total, [book.to_dict() for book in books])

"""Book source backed by the ``book`` table (the bundled, importable catalog)."""
from flask import current_app

from app.models.book_search import search_books
from app.spider.source import BookPage, stored_book


class LocalCatalog:
    name = "local"
    label = "本站书库"

    def search_by_isbn(self, isbn: str) -> BookPage:
        return stored_book(isbn)

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        per_page = current_app.config["PER_PAGE"]
        total, books = search_books(keyword, page, per_page)
        return BookPage(total, [book.to_dict() for book in books])

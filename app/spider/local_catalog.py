"""Book source backed by the ``book`` table (the bundled, importable catalog)."""
from flask import current_app

from app.models import book_search
from app.spider.source import BookPage, stored_book


class LocalCatalog:
    name = "local"
    label = "本站书库"

    def search_by_isbn(self, isbn: str) -> BookPage:
        return stored_book(isbn)

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        per_page = current_app.config["PER_PAGE"]
        total, books = book_search.search_books(keyword, page, per_page)
        cap = book_search.COUNT_CAP  # search_books counts one past it when there are more
        return BookPage(min(total, cap), [book.to_dict() for book in books], at_least=total > cap)

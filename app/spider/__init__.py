"""Book sources: the local catalog (default) and the Yushu HTTP API; see
``app/spider/source.py`` for what every source answers."""
from flask import current_app

from app.spider.local_catalog import LocalCatalog
from app.spider.source import BookPage, BookSource, BookSourceError  # noqa: F401
from app.spider.yushu_book import YuShuBook


def get_book_source() -> BookSource:
    """The source named by the ``BOOK_SOURCE`` setting."""
    if current_app.config["BOOK_SOURCE"] == "yushu":
        return YuShuBook.from_app(current_app)
    return LocalCatalog()

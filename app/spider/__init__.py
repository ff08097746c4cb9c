"""Book sources: the local catalog, the Yushu API, Open Library and Google
Books, asked as a chain (``app/spider/chain.py``) in the order
``BOOK_SOURCES`` names them; ``app/spider/source.py`` says what every source
answers."""
from flask import current_app

from app.spider.chain import BookChain
from app.spider.googlebooks import GoogleBooks
from app.spider.local_catalog import LocalCatalog
from app.spider.openlibrary import OpenLibrary
from app.spider.source import BookPage, BookSource, BookSourceError  # noqa: F401
from app.spider.yushu_book import YuShuBook

REMOTE_SOURCES = {"yushu": YuShuBook, "openlibrary": OpenLibrary, "googlebooks": GoogleBooks}


def source_names(config) -> list[str]:
    """The chain ``BOOK_SOURCES`` names (the older ``BOOK_SOURCE`` when it is
    unset), always starting with the local table; ValueError for an unknown name."""
    names = config.get("BOOK_SOURCES")
    if names is None:
        names = ["local", "yushu"] if config.get("BOOK_SOURCE") == "yushu" else ["local"]
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise ValueError("BOOK_SOURCES must be a list of source names, e.g. [\"local\", \"openlibrary\"]")
    unknown = [n for n in names if n != "local" and n not in REMOTE_SOURCES]
    if unknown:
        raise ValueError(f"BOOK_SOURCES names unknown sources {unknown}; known: "
                         f"{['local', *REMOTE_SOURCES]}")
    ordered = ["local"] + [n for n in dict.fromkeys(names) if n != "local"]
    return ordered


def get_book_source() -> BookChain:
    """The chain of sources the settings name."""
    app = current_app
    remotes = [REMOTE_SOURCES[name].from_app(app) for name in source_names(app.config)[1:]]
    return BookChain(LocalCatalog(), remotes, app.config["PER_PAGE"], app.config["BOOK_SEARCH_BUDGET"])

"""The chain of book sources: ISBN lookups walk the sources in order, keyword
searches merge the local table with the remote sources (asked in parallel
within one budget), and a failing or slow source never fails the page.

The remote sources here are small in-process sources that answer from a
list (the HTTP sources have their own tests against loopback servers); the
local source is the real book table.
"""
import json
import threading
import time

import pytest

from app import create_app
from app.spider import BookChain, BookPage, BookSourceError, source_names
from app.spider.local_catalog import LocalCatalog
from tests.helpers import add_books, book_record, isbn13, SANTI, text_of

PER_PAGE = 15


class ListSource:
    """A remote source answering from a fixed list of books, paged by PER_PAGE;
    ``fail`` makes it raise, ``delay`` makes it slow."""

    def __init__(self, name, books, fail=False, delay=0.0):
        self.name, self.label = name, f"{name} 书源"
        self.books, self.fail, self.delay = books, fail, delay
        self.calls = []
        self._lock = threading.Lock()

    def _answer(self):
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise BookSourceError(f"{self.name} is down")

    def search_by_isbn(self, isbn):
        with self._lock:
            self.calls.append(("isbn", isbn))
        self._answer()
        found = [b for b in self.books if b["isbn"] == isbn]
        return BookPage(1, found, fetched=found) if found else BookPage()

    def search_by_keyword(self, keyword, page=1):
        with self._lock:
            self.calls.append(("keyword", page))
        self._answer()
        chunk = self.books[(page - 1) * PER_PAGE:page * PER_PAGE]
        return BookPage(len(self.books), chunk, fetched=chunk)


def remote_books(prefix: str, body: str, count: int) -> list[dict]:
    """``count`` books titled "<prefix> 宇宙 NN" with ISBNs from a nine-digit ``body``."""
    return [book_record(isbn13(f"{body}{n:03d}"), f"{prefix} 宇宙 {n:02d}")
            for n in range(1, count + 1)]


def chain(*remotes, budget=5.0):
    return BookChain(LocalCatalog(), list(remotes), PER_PAGE, budget)


def every_page(source_chain, keyword, pages):
    return [source_chain.search_by_keyword(keyword, page) for page in range(1, pages + 1)]


def test_isbn_walks_on_past_a_source_that_is_down(app):
    """The first remote source is down, the second knows the book: the book is found and the
    failed source named."""
    book = book_record(isbn13("978730212345"), "宇宙的琴弦")
    down, up = ListSource("a", [book], fail=True), ListSource("b", [book])
    page = chain(down, up).search_by_isbn(book["isbn"])
    assert page.first["title"] == "宇宙的琴弦"
    assert page.unavailable == ["a 书源"]


def test_isbn_stops_at_the_first_source_that_knows_it(app):
    """A book the local table has is never asked of the remote sources."""
    add_books()
    remote = ListSource("a", [])
    assert chain(remote).search_by_isbn(SANTI).first["title"] == "三体"
    assert remote.calls == []


def test_isbn_known_nowhere_names_the_failed_sources(app):
    """No source has the book and one failed: the answer is empty and names the failed one."""
    page = chain(ListSource("a", []), ListSource("b", [], fail=True)).search_by_isbn(isbn13("978730200001"))
    assert page.first is None and page.unavailable == ["b 书源"]


def test_keyword_lists_local_matches_first_then_remote_in_turns(app):
    """Local matches come first, then the remote sources' answers alternate."""
    add_books([book_record(isbn13("978711100001"), "本地 宇宙")])
    a = ListSource("a", remote_books("甲", "978711200", 3))
    b = ListSource("b", remote_books("乙", "978711300", 3))
    page = chain(a, b).search_by_keyword("宇宙")
    titles = [book["title"] for book in page.books]
    assert titles == ["本地 宇宙", "甲 宇宙 01", "乙 宇宙 01", "甲 宇宙 02", "乙 宇宙 02",
                      "甲 宇宙 03", "乙 宇宙 03"]
    assert page.total == 7 and page.unavailable == []


def test_keyword_drops_remote_books_the_local_table_lists(app):
    """A book both the local table and a remote source find shows once, among the local
    matches; one that two remote sources both answer shows once too."""
    shared = book_record(isbn13("978711100002"), "共同 宇宙")
    add_books([shared])
    twice = book_record(isbn13("978711400001"), "两边 宇宙")
    a = ListSource("a", [dict(shared, title="共同 宇宙 (远程)"), twice])
    b = ListSource("b", [twice])
    isbns = [book["isbn"] for book in chain(a, b).search_by_keyword("宇宙").books]
    assert isbns == [shared["isbn"], twice["isbn"]]


def test_pages_cover_every_book_once(app):
    """Paging through the merged list (local 5, two remotes of 20) shows each of the 45 books
    exactly once, in full pages until the last."""
    add_books([book_record(isbn13(f"978711500{n:03d}"), f"本地 宇宙 {n}") for n in range(1, 6)])
    a = ListSource("a", remote_books("甲", "978711200", 20))
    b = ListSource("b", remote_books("乙", "978711300", 20))
    pages = every_page(chain(a, b), "宇宙", 3)
    isbns = [book["isbn"] for page in pages for book in page.books]
    assert [len(page.books) for page in pages] == [15, 15, 15]
    assert len(isbns) == len(set(isbns)) == 45
    assert all(page.total == 45 for page in pages)


def test_a_failed_source_leaves_the_others(app):
    """One remote source failing: the page still holds the local matches and the other
    source's books, and names the failed one."""
    add_books()
    down = ListSource("a", [], fail=True)
    up = ListSource("b", [book_record(isbn13("978711600001"), "三体 评论集")])
    page = chain(down, up).search_by_keyword("三体")
    assert [book["title"] for book in page.books][-1] == "三体 评论集"
    assert "三体" in [book["title"] for book in page.books]
    assert page.unavailable == ["a 书源"]


def test_sources_are_asked_in_parallel_within_the_budget(app):
    """Two sources each taking 1 s answer together in well under their sum; a source
    slower than the budget is cut off and named, and the page answers at the budget."""
    a = ListSource("a", remote_books("甲", "978711200", 2), delay=1.0)
    b = ListSource("b", remote_books("乙", "978711300", 2), delay=1.0)
    started = time.monotonic()
    page = chain(a, b).search_by_keyword("宇宙")
    assert len(page.books) == 4 and time.monotonic() - started < 1.8

    slow = ListSource("c", remote_books("丙", "978711700", 2), delay=3.0)
    started = time.monotonic()
    page = chain(slow, budget=0.5).search_by_keyword("宇宙")
    assert time.monotonic() - started < 2.0
    assert page.books == [] and page.unavailable == ["c 书源"]


def test_no_remote_sources_means_no_threads(app):
    """With only the local table the search is the local search itself."""
    add_books()
    page = chain().search_by_keyword("三体")
    assert {book["title"] for book in page.books} == {"三体", "三体Ⅱ"} and page.fetched == []


@pytest.mark.parametrize("config, names", [
    ({}, ["local"]),
    ({"BOOK_SOURCE": "yushu"}, ["local", "yushu"]),
    ({"BOOK_SOURCES": ["yushu"]}, ["local", "yushu"]),
    ({"BOOK_SOURCES": ["yushu", "local", "yushu"]}, ["local", "yushu"]),
])
def test_source_names_from_settings(config, names):
    """BOOK_SOURCES (or the older BOOK_SOURCE) names the chain, local always first, no repeats."""
    assert source_names(config) == names


@pytest.mark.parametrize("value", [["local", "douban"], "local", {"local": 1}])
def test_unknown_or_malformed_book_sources_stop_the_app(tmp_path, value):
    """A misspelt source or a setting that is not a list stops create_app with the reason."""
    with pytest.raises(ValueError, match="BOOK_SOURCES"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "BOOK_SOURCES": value,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.sqlite"})


def test_book_sources_from_the_environment(tmp_path, monkeypatch):
    """FISHER_BOOK_SOURCES holds a JSON list."""
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    monkeypatch.setenv("FISHER_BOOK_SOURCES", json.dumps(["local", "yushu"]))
    assert source_names(create_app().config) == ["local", "yushu"]


def test_search_page_names_the_unavailable_source(app_factory, httpserver):
    """Through the site: the Yushu API answering 500 leaves the search page up with the
    local matches and a note naming the source."""
    httpserver.expect_request("/v2/book/search").respond_with_data("boom", status=500)
    app = app_factory(BOOK_SOURCES=["local", "yushu"],
                      YUSHU_API_BASE_URL=httpserver.url_for("").rstrip("/"))
    with app.app_context():
        add_books()
    resp = app.test_client().get("/book/search?q=三体")
    assert resp.status_code == 200
    assert "三体Ⅱ" in text_of(resp)
    assert "鱼书 API暂时不可用" in text_of(resp)

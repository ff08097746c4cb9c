"""The fake Yushu API of the book-source tests: its paths, an answer for 三体,
API books, the server's request log, and what the pages show when it fails."""
import re

import requests
from sqlalchemy import func, select

from app.models.base import db
from app.models.book import Book
from tests.helpers import SANTI, isbn13

ISBN = SANTI  # the book the tests ask the API about
ISBN_PATH = f"/v2/book/isbn/{ISBN}"
SEARCH_PATH = "/v2/book/search"
ANY_API_PATH = re.compile(r"^/v2/book/")
UNAVAILABLE = "书籍数据暂时不可用"

SANTI_ANSWER = {"id": 1, "isbn": ISBN, "title": "三体", "subtitle": "", "author": ["刘慈欣"],
                "translator": [], "publisher": "重庆出版社", "pubdate": "2008-1", "price": "23.00元",
                "pages": "302", "binding": "平装", "category": "小说",
                "summary": "文化大革命中的一次秘密军事工程。",
                "image": "https://img.example.com/s2768378.jpg"}


def api_book(n: int, **fields) -> dict:
    """A valid API book with its own ISBN."""
    book = {"isbn": isbn13(f"978711542{n:03d}"), "title": f"Python 第{n}册",
            "author": [f"作者{n}"], "publisher": "人民邮电出版社", "price": f"{n}.00"}
    book.update(fields)
    return book


def api_requests(httpserver, path_prefix="/v2/book/") -> list:
    """The API requests the server has seen (ignoring the idle probe)."""
    return [req for req, _resp in httpserver.log if req.path.startswith(path_prefix)]


def wait_until_idle(httpserver) -> None:
    """The server handles one request at a time, so once a probe is answered
    every earlier request (a retry included) has been logged."""
    httpserver.expect_request("/__idle__").respond_with_data("ok")
    requests.get(httpserver.url_for("/__idle__"), timeout=5)


def book_count(app) -> int:
    """Rows in the book table, deleted ones included."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Book)
                                 .execution_options(include_deleted=True))


def assert_unavailable_pages(app, isbn=ISBN):
    """The search pages still answer (200) from the local table and say
    which source was unavailable; the detail page of a book only that source
    could know answers 503 with the friendly page."""
    client = app.test_client()
    for url in ("/book/search?q=三体", f"/book/search?q={isbn}"):
        resp = client.get(url)
        text = resp.get_data(as_text=True)
        assert resp.status_code == 200, url
        assert "鱼书 API暂时不可用" in text, url
        assert "Traceback" not in text, url
    resp = client.get(f"/book/{isbn}/detail")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert UNAVAILABLE in text
    assert "Traceback" not in text

"""The Yushu book API fisher answers (app/api/yushu.py): shapes, paging,
errors as JSON, CORS, caching and the rate limit. Real clients against a
served fisher are in test_api_yushu_live.py."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.api import yushu
from app.libs.book_record import BOOK_FIELDS
from app.libs.covers import store_cover
from app.models.base import db
from app.models.book import Book
from tests.helpers import (
    BAD_CHECK_DIGIT, HONGLOU, SAMPLE_BOOKS, SANTI, SANTI2, UNKNOWN_VALID_ISBN, add_books, numbered_books)
from tests.yushu_api import api_requests

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def sample(isbn: str) -> dict:
    return next(book for book in SAMPLE_BOOKS if book["isbn"] == isbn)


def assert_json_error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert isinstance(body["msg"], str) and body["msg"]
    assert isinstance(body["error_code"], int)
    return body


def test_isbn_answer_has_the_yushu_shape(client, books):
    """One book object with exactly the Yushu fields, lists for names, the stored values."""
    resp = client.get(f"/v2/book/isbn/{HONGLOU}")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    book = resp.get_json()
    assert set(book) == set(BOOK_FIELDS)
    expected = sample(HONGLOU)
    assert (book["isbn"], book["title"], book["author"]) == (HONGLOU, expected["title"], expected["author"])
    assert book["translator"] == [] and book["publisher"] == expected["publisher"]
    assert all(isinstance(book[f], str) for f in BOOK_FIELDS if f not in ("author", "translator"))


@pytest.mark.parametrize("written", ["7-5366-9293-5", "7536692935", "978-7-5366-9293-0"])
def test_isbn10_and_hyphenated_forms_find_the_book(client, books, written):
    """ISBN-10 and hyphenated ISBNs name the same stored book."""
    resp = client.get(f"/v2/book/isbn/{written}")
    assert resp.status_code == 200
    assert resp.get_json()["isbn"] == SANTI


def test_unknown_isbn_is_404_json(client, books):
    """A valid ISBN nobody stored is 404 with a JSON body."""
    body = assert_json_error(client.get(f"/v2/book/isbn/{UNKNOWN_VALID_ISBN}"), 404)
    assert body["msg"] == "book not found"


@pytest.mark.parametrize("isbn", [BAD_CHECK_DIGIT, "123", "abc", "<img src=x onerror=alert(1)>", "9" * 5000])
def test_invalid_isbn_is_400_json(client, books, isbn):
    """A wrong check digit, junk, markup and huge paths are 400 JSON."""
    assert_json_error(client.get(f"/v2/book/isbn/{isbn}"), 400)


def test_deleted_book_is_not_answered(app, client, books):
    """A book removed from the catalog (soft-deleted) is 404 and not listed."""
    with db.auto_commit():
        db.session.scalar(select(Book).where(Book.isbn == HONGLOU)).delete()
    assert_json_error(client.get(f"/v2/book/isbn/{HONGLOU}"), 404)
    assert client.get("/v2/book/search?q=红楼梦").get_json()["books"] == []
    assert client.get(f"/v2/book/search?q={HONGLOU}").get_json()["total"] == 0


def test_database_failure_is_503_json(client, monkeypatch):
    """A database that stops answering is a JSON 503, not the HTML outage page."""
    def down(_isbn):
        raise OperationalError("SELECT", {}, Exception("gone"))
    monkeypatch.setattr(yushu, "stored_book", down)
    body = assert_json_error(client.get(f"/v2/book/isbn/{SANTI}"), 503)
    assert body["error_code"] == 999


def test_api_never_asks_remote_sources(make_app, httpserver):
    """With the Yushu source configured, the API still answers from the book table only."""
    client = make_app(BOOK_SOURCES=["local", "yushu"]).test_client()
    assert_json_error(client.get(f"/v2/book/isbn/{UNKNOWN_VALID_ISBN}"), 404)
    assert client.get("/v2/book/search?q=python").get_json()["total"] == 0
    assert client.get(f"/v2/book/search?q={UNKNOWN_VALID_ISBN}").get_json()["books"] == []
    assert api_requests(httpserver) == []


def test_stored_cover_is_fishers_absolute_url(app_factory, tmp_path):
    """A book with a stored cover gets fisher's own cover URL on SITE_URL;
    one without keeps its stored image address."""
    app = app_factory(COVERS_DIR=str(tmp_path / "covers"), SITE_URL="https://books.example.org")
    with app.app_context():
        add_books([dict(sample(SANTI), image="https://img.example.com/santi.jpg"),
                   dict(sample(HONGLOU), image="https://img.example.com/hong.jpg")])
        store_cover(app, SANTI, PNG, "png")
    client = app.test_client()
    assert client.get(f"/v2/book/isbn/{SANTI}").get_json()["image"] == \
        f"https://books.example.org/covers/{SANTI}.png"
    assert client.get(f"/v2/book/isbn/{HONGLOU}").get_json()["image"] == "https://img.example.com/hong.jpg"
    assert client.get(f"/covers/{SANTI}.png").data == PNG


def test_search_answer_shape(client, books):
    """Search gives books in the Yushu shape with count, start and total."""
    resp = client.get("/v2/book/search?q=三体")
    body = resp.get_json()
    assert resp.status_code == 200 and set(body) == {"books", "count", "start", "total"}
    assert (body["count"], body["start"], body["total"]) == (15, 0, 2)
    assert {b["isbn"] for b in body["books"]} == {SANTI, SANTI2}
    assert all(set(b) == set(BOOK_FIELDS) for b in body["books"])


def test_isbn_query_finds_that_book(client, books):
    """An ISBN as q (any form) is that one book; past it the page is empty."""
    body = client.get("/v2/book/search?q=7-5366-9293-5").get_json()
    assert body["total"] == 1 and [b["isbn"] for b in body["books"]] == [SANTI]
    later = client.get("/v2/book/search?q=7-5366-9293-5&start=1").get_json()
    assert (later["total"], later["books"]) == (1, [])


def test_count_is_capped_and_start_pages(app, client):
    """count is brought into 1..100; start moves through the same ranking."""
    add_books(numbered_books(105))
    everything = client.get("/v2/book/search?q=测试书&count=500").get_json()
    assert (everything["count"], len(everything["books"]), everything["total"]) == (100, 100, 105)
    one = client.get("/v2/book/search?q=测试书&count=0").get_json()
    assert (one["count"], len(one["books"])) == (1, 1)
    window = client.get("/v2/book/search?q=测试书&start=10&count=5").get_json()
    assert [b["isbn"] for b in window["books"]] == [b["isbn"] for b in everything["books"][10:15]]
    tail = client.get("/v2/book/search?q=测试书&start=100").get_json()
    assert (len(tail["books"]), tail["start"]) == (5, 100)
    past = client.get("/v2/book/search?q=测试书&start=200").get_json()
    assert (past["books"], past["total"]) == ([], 105)


@pytest.mark.parametrize("query", [
    "", "q=", "q=%20%20", "q=" + "书" * 101, "q=a&count=x", "q=a&count=1.5", "q=a&count=%EF%BC%93",
    "q=a&start=-1", "q=a&start=10001", "q=a&start=" + "9" * 50, "q=a&count=+3"])
def test_bad_search_params_are_400_json(client, books, query):
    """Missing, empty or over-long q and non-integer or out-of-range paging are 400 JSON."""
    assert_json_error(client.get(f"/v2/book/search?{query}"), 400)


@pytest.mark.parametrize("query", ["q=%3Cscript%3Ealert(1)%3C/script%3E", "q=%ED%A0%80",
                                   "q=%FF%FE", "q=%00", "q=%25%5F%5C"])
def test_odd_queries_never_fail(client, books, query):
    """Markup, a lone surrogate, bad UTF-8, NUL and LIKE wildcards are plain
    queries: a JSON answer, never a 5xx."""
    resp = client.get(f"/v2/book/search?{query}")
    assert resp.status_code in (200, 400) and resp.mimetype == "application/json"
    if resp.status_code == 200:
        assert resp.get_json()["books"] == []


def test_lone_surrogate_in_isbn_path_is_400(client, books):
    """An ISBN path that decodes to a lone surrogate is 400 JSON."""
    assert_json_error(client.get("/v2/book/isbn/%ED%A0%80"), 400)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", [f"/v2/book/isbn/{SANTI}", "/v2/book/search?q=三体"])
def test_only_reading_is_allowed(client, books, method, path):
    """Every writing method is 405 JSON naming GET as allowed."""
    resp = getattr(client, method)(path)
    assert_json_error(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_unknown_api_path_is_json_but_pages_stay_html(client):
    """A 404 under /v2/ is JSON; elsewhere the site's HTML page is unchanged."""
    assert_json_error(client.get("/v2/book/nothing"), 404)
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_cors_and_cache_headers(client, books):
    """GET answers are open to every origin and cacheable for five minutes."""
    for path in (f"/v2/book/isbn/{SANTI}", "/v2/book/search?q=三体"):
        resp = client.get(path, headers={"Origin": "https://elsewhere.example"})
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert resp.cache_control.public and resp.cache_control.max_age == 300
    error = client.get(f"/v2/book/isbn/{UNKNOWN_VALID_ISBN}")
    assert error.headers["Access-Control-Allow-Origin"] == "*" and not error.cache_control.public


def test_preflight_allows_reading_only(client, books):
    """An OPTIONS preflight answers 200 with the allowed origin and methods."""
    resp = client.options("/v2/book/search", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"})
    assert resp.status_code == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in resp.headers["Access-Control-Allow-Methods"].split(",")}
    assert "GET" in methods and not methods & {"POST", "PUT", "DELETE"}


def test_rate_limit_is_429_json(app_factory):
    """Past YUSHU_API_RATE_LIMIT one address gets 429 JSON with Retry-After;
    both paths share the allowance and preflights do not use it up."""
    app = app_factory(YUSHU_API_RATE_LIMIT="2 per minute")
    with app.app_context():
        add_books()
    client = app.test_client()
    for _ in range(3):
        assert client.options("/v2/book/search").status_code == 200
    assert client.get(f"/v2/book/isbn/{SANTI}").status_code == 200
    assert client.get("/v2/book/search?q=三体").status_code == 200
    resp = client.get(f"/v2/book/isbn/{SANTI}")
    assert_json_error(resp, 429)
    assert int(resp.headers["Retry-After"]) >= 1
    other = client.get(f"/v2/book/isbn/{SANTI}", environ_overrides={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 200

"""YuShuBook against a failing local HTTP server (pytest-httpserver): bad
answers, refused connections, timeouts and retries, and the 503 page each gives."""
import json
import re
import threading
import time

import pytest
from werkzeug import Response

from app.spider import BookSourceError
from app.spider.yushu_book import YuShuBook
from tests.live import free_port
from tests.yushu_api import (
    ANY_API_PATH, ISBN, ISBN_PATH, SANTI_ANSWER, SEARCH_PATH, api_requests, assert_unavailable_pages,
    book_count, wait_until_idle)


def _both(respond):
    """Serve the same answer on the ISBN and search endpoints."""
    return lambda server: respond(server.expect_request(ANY_API_PATH))


def _split(isbn_respond, search_respond):
    def serve(server):
        isbn_respond(server.expect_request(re.compile(r"^/v2/book/isbn/")))
        search_respond(server.expect_request(SEARCH_PATH))
    return serve


def _stream(chunks):
    """A body without Content-Length, sent in pieces."""
    return lambda _request: Response((c for c in chunks), content_type="application/json")


FAILURES = {
    "http 500": (_both(lambda h: h.respond_with_data("boom", status=500)), {}),
    "http 502": (_both(lambda h: h.respond_with_data("bad gateway", status=502)), {}),
    "http 403": (_both(lambda h: h.respond_with_data("forbidden", status=403)), {}),
    "malformed json": (_both(lambda h: h.respond_with_data(
        '{"isbn": "9787536692930", "title": ', content_type="application/json")), {}),
    "html instead of json": (_both(lambda h: h.respond_with_data(
        "<html>maintenance</html>", content_type="text/html")), {}),
    "invalid utf-8": (_both(lambda h: h.respond_with_data(
        b'{"title": "\xff\xfe"}', content_type="application/json")), {}),
    "deeply nested json": (_both(lambda h: h.respond_with_data(
        "[" * 100_000, content_type="application/json")), {}),
    "a list": (_both(lambda h: h.respond_with_json([SANTI_ANSWER])), {}),
    "a bare string": (_both(lambda h: h.respond_with_json("三体")), {}),
    "json null": (_both(lambda h: h.respond_with_json(None)), {}),
    "books not a list": (_split(
        lambda h: h.respond_with_json({"book": SANTI_ANSWER}),
        lambda h: h.respond_with_json({"books": {"0": SANTI_ANSWER}, "total": 1})), {}),
    "bad total": (_split(
        lambda h: h.respond_with_json(dict(SANTI_ANSWER, title=None)),
        lambda h: h.respond_with_json({"books": [SANTI_ANSWER], "total": "many"})), {}),
    "negative total": (_split(
        lambda h: h.respond_with_json(dict(SANTI_ANSWER, isbn="123")),
        lambda h: h.respond_with_json({"books": [], "total": -1})), {}),
    "oversized, declared": (_both(lambda h: h.respond_with_json(
        dict(SANTI_ANSWER, summary="长" * 400))), {"YUSHU_MAX_BYTES": 500}),
    "oversized, streamed": (_both(lambda h: h.respond_with_handler(
        _stream([b"[" + b" " * 100] * 50))), {"YUSHU_MAX_BYTES": 500}),
}


@pytest.mark.parametrize("serve, config", FAILURES.values(), ids=FAILURES.keys())
def test_bad_answers_raise_book_source_error(make_app, httpserver, serve, config):
    """Every bad answer raises BookSourceError from both lookups, stores
    nothing, and the pages answer 503 with the friendly page."""
    serve(httpserver)
    app = make_app(**config)
    with app.app_context():
        source = YuShuBook.from_app(app)
        with pytest.raises(BookSourceError):
            source.search_by_isbn(ISBN)
        with pytest.raises(BookSourceError):
            source.search_by_keyword("三体", 1)
    assert book_count(app) == 0
    assert_unavailable_pages(app)


def test_oversized_limit_is_not_hit_by_normal_answers(make_app, httpserver):
    """The size cap only refuses bodies over YUSHU_MAX_BYTES."""
    body = json.dumps(SANTI_ANSWER).encode()
    httpserver.expect_request(ISBN_PATH).respond_with_data(body, content_type="application/json")
    app = make_app(YUSHU_MAX_BYTES=len(body))
    with app.app_context():
        assert YuShuBook.from_app(app).search_by_isbn(ISBN).first["title"] == "三体"


def test_connection_refused(make_app):
    """A closed port raises BookSourceError and gives the 503 page."""
    app = make_app(YUSHU_API_BASE_URL=f"http://127.0.0.1:{free_port()}", YUSHU_RETRIES=1)
    with app.app_context():
        source = YuShuBook.from_app(app)
        with pytest.raises(BookSourceError):
            source.search_by_isbn(ISBN)
        with pytest.raises(BookSourceError):
            source.search_by_keyword("三体")
    assert_unavailable_pages(app)


# Wall-clock bounds below are generous (a busy 2-core machine may be slow): each
# is far under the HOLD seconds that the failure it guards against would cost.
HOLD = 30  # seconds the slow API keeps a request unless released
BOUND = 10


@pytest.fixture
def slow_api(httpserver):
    """An API that does not answer until released (when the test is over, or
    after HOLD seconds); yields the event that releases it."""
    release = threading.Event()

    def slow(_request):
        release.wait(HOLD)
        return Response(json.dumps({"books": [], "total": 0}), content_type="application/json")

    httpserver.expect_request(ANY_API_PATH).respond_with_handler(slow)
    yield release
    release.set()
    wait_until_idle(httpserver)


def test_read_timeout(make_app, slow_api):
    """An API slower than YUSHU_READ_TIMEOUT raises BookSourceError after
    the timeout, not when the API answers, and the pages answer 503."""
    app = make_app(YUSHU_READ_TIMEOUT=0.15)
    with app.app_context():
        source = YuShuBook.from_app(app)
        started = time.monotonic()
        with pytest.raises(BookSourceError):
            source.search_by_isbn(ISBN)
        assert time.monotonic() - started < BOUND
        with pytest.raises(BookSourceError):
            source.search_by_keyword("三体")
    assert_unavailable_pages(app)


def test_read_timeouts_not_retried(make_app, httpserver, slow_api):
    """Even with retries on, a read timeout is tried only once."""
    app = make_app(YUSHU_READ_TIMEOUT=0.2, YUSHU_RETRIES=2)
    with app.app_context():
        with pytest.raises(BookSourceError):
            YuShuBook.from_app(app).search_by_isbn(ISBN)
    slow_api.set()  # let any (wrong) retry reach the server and its log
    wait_until_idle(httpserver)
    assert len(api_requests(httpserver)) == 1


@pytest.mark.parametrize("retries, asked", [(1, 2), (0, 1)])
def test_5xx_retried_as_configured_then_given_up(make_app, httpserver, retries, asked):
    """A 500 is asked 1 + YUSHU_RETRIES times, then BookSourceError."""
    httpserver.expect_request(ISBN_PATH).respond_with_data("boom", status=500)
    app = make_app(YUSHU_RETRIES=retries)
    with app.app_context():
        with pytest.raises(BookSourceError):
            YuShuBook.from_app(app).search_by_isbn(ISBN)
    assert len(api_requests(httpserver)) == asked


def test_transient_5xx_recovers(make_app, httpserver):
    """A 503 followed by a good answer succeeds on the retry."""
    httpserver.expect_oneshot_request(ISBN_PATH).respond_with_data("busy", status=503)
    httpserver.expect_request(ISBN_PATH).respond_with_json(SANTI_ANSWER)
    app = make_app(YUSHU_RETRIES=1)
    resp = app.test_client().get(f"/book/{ISBN}/detail")
    assert resp.status_code == 200
    assert "三体" in resp.get_data(as_text=True)
    assert len(api_requests(httpserver)) == 2


def test_retry_after_header_does_not_stall(make_app, httpserver):
    """A 503 asking to Retry-After 30 s is retried at once, not after 30 s."""
    httpserver.expect_request(ISBN_PATH).respond_with_data(
        "busy", status=503, headers={"Retry-After": str(HOLD)})
    app = make_app(YUSHU_RETRIES=1)
    with app.app_context():
        started = time.monotonic()
        with pytest.raises(BookSourceError):
            YuShuBook.from_app(app).search_by_isbn(ISBN)
        assert time.monotonic() - started < BOUND
    assert len(api_requests(httpserver)) == 2

"""Open Library and Google Books against a failing local HTTP server
(pytest-httpserver): one failure matrix for both, what the pages show for
each failure, and the chain going on to the next source when one is down."""
import json
import threading
import time

import pytest
from werkzeug import Response

from app.spider import REMOTE_SOURCES, BookSourceError
from tests.book_apis import APIS, ISBN, OTHER_ISBN, GoogleBooksApi, OpenLibraryApi, gb_answer, gb_volume, raw_json
from tests.live import free_port
from tests.yushu_api import UNAVAILABLE, api_requests, book_count, wait_until_idle

ERROR, EMPTY = "error", "empty"  # besides a number of books, what a lookup may give
HOLD = 30  # seconds the slow server keeps a request unless released
BOUND = 10  # generous wall-clock bound, far under HOLD


def _both(respond):
    """The same answer on the ISBN and the search endpoint."""
    def serve(api, server, _release):
        respond(api.expect_isbn(server))
        respond(api.expect_search(server))
    return serve


def _split(isbn_answer, search_answer):
    """Answers built per API (``api -> object``), sent as ASCII-escaped JSON."""
    def serve(api, server, _release):
        for expect, build in ((api.expect_isbn, isbn_answer), (api.expect_search, search_answer)):
            if build is not None:
                expect(server).respond_with_data(raw_json(build(api)), content_type="application/json")
    return serve


def _stream(chunks):
    """A body without Content-Length, sent in pieces."""
    return lambda _request: Response((c for c in chunks), content_type="application/json")


def _slow(api, server, release):
    """A server that holds every request until released."""
    def hold(_request):
        release.wait(HOLD)
        return Response("{}", content_type="application/json")
    api.expect_isbn(server).respond_with_handler(hold)
    api.expect_search(server).respond_with_handler(hold)
    return {"BOOK_HTTP_READ_TIMEOUT": 0.2}


def _refused(api, _server, _release):
    return api.config(f"http://127.0.0.1:{free_port()}")


PADDED = json.dumps({"pad": "x" * 2000})  # valid JSON, an empty answer were it not too large
SURROGATE = "三体\ud800"
FAILURES = {
    "read timeout": (_slow, {}, ERROR, ERROR),
    "connection refused": (_refused, {}, ERROR, ERROR),
    "http 500": (_both(lambda h: h.respond_with_data("boom", status=500)), {}, ERROR, ERROR),
    "http 503": (_both(lambda h: h.respond_with_data("busy", status=503)), {}, ERROR, ERROR),
    "http 429 quota": (_both(lambda h: h.respond_with_json({"error": {"code": 429}}, status=429)), {},
                       ERROR, ERROR),
    "malformed json": (_both(lambda h: h.respond_with_data('{"docs": [', content_type="application/json")),
                       {}, ERROR, ERROR),
    "html instead of json": (_both(lambda h: h.respond_with_data("<html>down</html>", content_type="text/html")),
                             {}, ERROR, ERROR),
    "oversized, declared": (_both(lambda h: h.respond_with_data(PADDED, content_type="application/json")),
                            {"BOOK_HTTP_MAX_BYTES": 500}, ERROR, ERROR),
    "oversized, streamed": (_both(lambda h: h.respond_with_handler(_stream([b"[" + b" " * 100] * 50))),
                            {"BOOK_HTTP_MAX_BYTES": 500}, ERROR, ERROR),
    "a list": (_both(lambda h: h.respond_with_json([{"title": "三体"}])), {}, ERROR, ERROR),
    "json null": (_both(lambda h: h.respond_with_json(None)), {}, ERROR, ERROR),
    "lists that are objects": (_split(lambda api: api.isbn_answer(authors={"0": "刘慈欣"}),
                                      lambda api: api.bad_list_answer()), {}, ERROR, ERROR),
    "bad total": (_split(lambda api: api.isbn_answer(title=None),
                         lambda api: dict(api.search_answer([{"n": 1}]), **{api.total_key: "many"})),
                  {}, ERROR, ERROR),
    "wrong types": (_split(lambda api: api.isbn_answer(title=["三体"]),
                           lambda api: api.search_answer([{"n": 1, "title": {"zh": "书"}}, {"n": 2},
                                                          {"n": 3, "subtitle": [1]}])),
                    {}, ERROR, 1),
    "lone surrogate in a title": (_split(lambda api: api.isbn_answer(title=SURROGATE),
                                         lambda api: api.search_answer([{"n": 1}, {"n": 2, "title": SURROGATE}])),
                                  {}, ERROR, 1),
    "a record for another ISBN": (_split(lambda api: api.isbn_answer(book_isbn=OTHER_ISBN), None),
                                  {}, EMPTY, None),
}


@pytest.fixture
def release(httpserver):
    """Lets a held request go when the test is over, and waits for the server."""
    event = threading.Event()
    yield event
    event.set()
    wait_until_idle(httpserver)


def _lookup(call, expect):
    """Checks one lookup's answer: BookSourceError, no book, or that many books."""
    if expect == ERROR:
        with pytest.raises(BookSourceError):
            call()
    elif expect is not None:
        assert len(call().books) == (0 if expect == EMPTY else expect)


def _check_pages(client, api, isbn_expect, keyword_expect):
    """The pages answer as the lookups did, naming the source only when it failed."""
    note = f"{api.label}暂时不可用"
    detail = client.get(f"/book/{ISBN}/detail")
    isbn_search = client.get(f"/book/search?q={ISBN}")
    assert isbn_search.status_code == 200
    if isbn_expect == ERROR:
        assert detail.status_code == 503 and UNAVAILABLE in detail.get_data(as_text=True)
        assert note in isbn_search.get_data(as_text=True)
    else:
        assert detail.status_code == 404
        assert "共 0 本" in isbn_search.get_data(as_text=True)
    pages = [detail, isbn_search]
    if keyword_expect is not None:
        keyword = client.get("/book/search?q=python")
        text = keyword.get_data(as_text=True)
        assert keyword.status_code == 200
        if keyword_expect == ERROR:
            assert note in text
        else:
            assert note not in text and text.count('class="book-card') == keyword_expect
        pages.append(keyword)
    assert all("Traceback" not in page.get_data(as_text=True) for page in pages)


@pytest.mark.parametrize("api", APIS, ids=[api.name for api in APIS])
@pytest.mark.parametrize("serve, config, isbn_expect, keyword_expect", FAILURES.values(), ids=FAILURES.keys())
def test_failure_matrix(remote_app, httpserver, release, api, serve, config, isbn_expect, keyword_expect):
    """Each failure gives BookSourceError or an empty answer (bad books in a
    search are skipped), stores nothing it should not, and through the web app
    the search pages answer 200 naming the source while a detail page only
    that source could know answers 503."""
    extra = serve(api, httpserver, release) or {}
    app = remote_app(api.name, **config, **extra)
    with app.app_context():
        source = REMOTE_SOURCES[api.name].from_app(app)
        started = time.monotonic()
        _lookup(lambda: source.search_by_isbn(ISBN), isbn_expect)
        _lookup(lambda: source.search_by_keyword("python"), keyword_expect)
        assert time.monotonic() - started < BOUND
    _check_pages(app.test_client(), api, isbn_expect, keyword_expect)
    assert book_count(app) == (keyword_expect if isinstance(keyword_expect, int) else 0)


@pytest.mark.parametrize("api", APIS, ids=[api.name for api in APIS])
@pytest.mark.parametrize("retries, asked", [(1, 2), (0, 1)])
def test_5xx_retried_as_configured(remote_app, httpserver, api, retries, asked):
    """A 500 is asked 1 + BOOK_HTTP_RETRIES times, then BookSourceError."""
    api.expect_isbn(httpserver).respond_with_data("boom", status=500)
    app = remote_app(api.name, BOOK_HTTP_RETRIES=retries)
    with app.app_context():
        with pytest.raises(BookSourceError):
            REMOTE_SOURCES[api.name].from_app(app).search_by_isbn(ISBN)
    assert len(api_requests(httpserver, "/")) == asked


def test_chain_goes_on_to_google_when_open_library_is_down(remote_app, httpserver):
    """With Open Library answering 500 and Google Books answering, the detail
    page shows Google's book and the search pages note Open Library unavailable."""
    ol, gb = OpenLibraryApi(), GoogleBooksApi()
    _both(lambda h: h.respond_with_data("boom", status=500))(ol, httpserver, None)
    google = gb_volume(publisher="谷歌出版社")
    gb.expect_isbn(httpserver).respond_with_json(gb_answer([google]))
    gb.expect_search(httpserver).respond_with_json(gb_answer([google]))
    app = remote_app("openlibrary", "googlebooks")
    client = app.test_client()
    detail = client.get(f"/book/{ISBN}/detail")
    assert detail.status_code == 200 and "谷歌出版社" in detail.get_data(as_text=True)
    assert [r.path for r in api_requests(httpserver, "/")] == ["/api/books", "/books/v1/volumes"]
    search = client.get("/book/search?q=三体").get_data(as_text=True)
    assert "Open Library暂时不可用" in search and "Google Books暂时不可用" not in search
    assert "三体" in search and search.count('class="book-card') == 1
    assert book_count(app) == 1


def test_sources_on_one_base_url_do_not_share_cached_answers(remote_app, httpserver):
    """Open Library's cached "no such book" is not Google's answer for the
    same ISBN on the same base URL: the chain still finds Google's book."""
    OpenLibraryApi().expect_isbn(httpserver).respond_with_json({})
    GoogleBooksApi().expect_isbn(httpserver).respond_with_json(gb_answer([gb_volume()]))
    app = remote_app("openlibrary", "googlebooks")
    resp = app.test_client().get(f"/book/{ISBN}/detail")
    assert resp.status_code == 200 and "三体" in resp.get_data(as_text=True)

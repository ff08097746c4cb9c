"""The page cache's gate: a visitor without a session gets a cached page
before Flask runs, with the same headers; everyone else goes on to Flask."""
import pytest

from app.models.gift import Gift
from app.models.base import db
from app.web._page_cache_gate import LocalCopies
from tests.helpers import SANTI, add_books, login_client, make_user

PAGES = ["/", "/book/search?q=三体", f"/book/{SANTI}/detail", "/about"]


@pytest.fixture
def site(app_factory):
    """(app, list that grows by one for each request Flask itself handles)."""
    app = app_factory(PAGE_CACHE_TTL=30, TRUSTED_HOSTS=["localhost", "fisher.example"])
    handled = []
    app.before_request(lambda: handled.append(1))
    with app.app_context():
        add_books()
        yield app, handled


def headers_of(resp) -> dict:
    return {name: value for name, value in resp.headers.items() if name != "X-Page-Cache"}


@pytest.mark.parametrize("path", PAGES)
def test_hit_is_answered_before_flask_with_the_same_headers(site, path):
    """The second visit is served by the gate (Flask never runs) with the body and headers Flask gave the first."""
    app, handled = site
    client = app.test_client()
    first = client.get(path)
    assert first.status_code == 200 and "X-Page-Cache" not in first.headers and len(handled) == 1
    second = client.get(path)
    assert len(handled) == 1, "Flask handled the cached visit"
    assert second.status_code == 200 and second.headers["X-Page-Cache"] == "hit"
    assert second.get_data() == first.get_data() and headers_of(second) == headers_of(first)


def test_a_session_goes_on_to_flask(site):
    """A visitor sending a session or remember-me cookie is answered by Flask (which may still use the cache)."""
    app, handled = site
    app.test_client().get("/")
    for cookie in ("session", "remember_token"):
        client = app.test_client()
        client.set_cookie(cookie, "anything")
        before = len(handled)
        assert client.get("/").status_code == 200 and len(handled) == before + 1


def test_a_member_never_gets_the_visitors_copy(site):
    """A signed-in reader's page comes from Flask, with the reader's navigation."""
    app, handled = site
    app.test_client().get("/")
    alice = login_client(app, make_user("爱丽丝"))
    before = len(handled)
    page = alice.get("/")
    assert len(handled) == before + 1 and "X-Page-Cache" not in page.headers
    assert "爱丽丝" in page.get_data(as_text=True)


def test_untrusted_host_is_refused_even_when_cached(site):
    """A Host outside TRUSTED_HOSTS gets Flask's 400, never the copy cached for a trusted host."""
    app, _handled = site
    client = app.test_client()
    client.get("/")
    assert client.get("/").headers.get("X-Page-Cache") == "hit"
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_each_language_gets_its_own_copy(site):
    """The locale cookie and Accept-Language pick the copy, as they pick the page's language."""
    app, handled = site
    chinese = app.test_client()
    chinese.get("/")
    english = app.test_client()
    english.set_cookie("locale", "en")
    by_header = {"Accept-Language": "en-GB,en;q=0.9"}
    assert 'lang="en"' in english.get("/").get_data(as_text=True)  # rendered by Flask
    assert 'lang="en"' in app.test_client().get("/", headers=by_header).get_data(as_text=True)
    assert chinese.get("/").headers["X-Page-Cache"] == "hit"
    assert 'lang="zh-CN"' in chinese.get("/").get_data(as_text=True)
    hit = app.test_client().get("/", headers=by_header)
    assert hit.headers["X-Page-Cache"] == "hit" and 'lang="en"' in hit.get_data(as_text=True)


def test_other_methods_and_pages_go_on_to_flask(site):
    """HEAD, a URL that is no cached view and an unknown URL are Flask's."""
    app, handled = site
    client = app.test_client()
    client.get("/")
    before = len(handled)
    assert client.head("/").status_code == 200
    assert client.get("/gifts").status_code == 200
    assert client.get("/no-such-page").status_code == 404
    assert len(handled) == before + 3


def test_a_change_is_seen_through_the_gate(site):
    """A gift listed after a visitor's copy was cached shows on the next visit (the gate checks the versions)."""
    app, handled = site
    visitor = app.test_client()
    visitor.get(f"/book/{SANTI}/detail")
    assert visitor.get(f"/book/{SANTI}/detail").headers["X-Page-Cache"] == "hit"
    gifter = login_client(app, make_user("鲍勃"))
    assert gifter.post(f"/gifts/book/{SANTI}").status_code == 302
    assert db.session.query(Gift).count() == 1
    page = visitor.get(f"/book/{SANTI}/detail")
    assert "X-Page-Cache" not in page.headers and "鲍勃" in page.get_data(as_text=True)


def test_cache_turned_off_means_no_gate(site):
    """Once PAGE_CACHE_TTL is set to 0 (as gunicorn does for several workers on SimpleCache) a copy stored before is not served."""
    app, handled = site
    client = app.test_client()
    client.get("/")
    assert client.get("/").headers["X-Page-Cache"] == "hit"
    app.config["PAGE_CACHE_TTL"] = 0
    before = len(handled)
    page = client.get("/")
    assert len(handled) == before + 1 and "X-Page-Cache" not in page.headers


def test_local_copies_keep_to_their_byte_budget():
    """The process's own copies never hold more than their budget; the least recently served go first."""
    copies = LocalCopies(max_bytes=10)
    copies.put("a", ("v1",), b"aaaa")
    copies.put("b", ("v1",), b"bbbb")
    assert copies.get("a") == (("v1",), b"aaaa")  # now "b" is the least recently served
    copies.put("c", ("v1",), b"cccc")
    assert copies.get("b") is None and copies.get("a") and copies.get("c") and copies.size == 8
    copies.put("a", ("v2",), b"AA")  # a newer copy replaces the old one
    assert copies.get("a") == (("v2",), b"AA") and copies.size == 6
    copies.put("big", ("v1",), b"x" * 11)  # larger than the budget: never kept
    assert copies.get("big") is None and copies.size == 6

"""SITE_URL is the one origin of every absolute link; a request naming
another host (Host, or X-Forwarded-Host behind a proxy) gets a 400 and can
never point a mailed link elsewhere -- with the test client and over HTTP."""
import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from app import create_app
from app.models.base import db
from app.models.gift import Gift
from app.models.wish import Wish
from tests.conftest import make_config
from tests.helpers import (DRIFT_FORM, SANTI, add_books, login_client, mail_links, make_user,
                           make_wish, outbox_messages)
from tests.live import serve

SITE = "https://fisher.example"
EVIL = "evil.example"
ROOT = Path(__file__).resolve().parent.parent


def filled_url(rule) -> str:
    """The rule's path with every <argument> given a plausible value."""
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) == "int" else "x", rule.rule)


def assert_links_on_site(messages, site=SITE) -> None:
    links = [link for message in messages for link in mail_links(message)]
    assert links, "the messages hold no link"
    for link in links:
        assert link.startswith(site + "/") and EVIL not in link, link


@pytest.fixture
def site_app(app_factory, tmp_path):
    """An app whose SITE_URL is https://fisher.example, mail in an outbox."""
    app = app_factory(SITE_URL=SITE + "/", OUTBOX_DIR=str(tmp_path / "outbox"))
    app.outbox = tmp_path / "outbox"
    with app.app_context():
        add_books()
        yield app


# -- settings ---------------------------------------------------------------

@pytest.mark.parametrize("overrides, expected", [
    ({}, "http://127.0.0.1:5000"),
    ({"HOST": "0.0.0.0", "PORT": 8080}, "http://127.0.0.1:8080"),
    ({"HOST": "localhost", "PORT": 5001}, "http://localhost:5001"),
    ({"HOST": "::1", "PORT": 5002}, "http://localhost:5002"),
    ({"SITE_URL": "https://Fisher.example:8443/shelf/"}, "https://fisher.example:8443/shelf"),
])
def test_site_url_defaults_to_the_dev_server_address(tmp_path, overrides, expected):
    """Unset, SITE_URL is http://HOST:PORT (127.0.0.1 for a wildcard HOST, localhost for ::1); set, it loses its trailing slash."""
    app = create_app(make_config(tmp_path, **overrides))
    assert app.config["SITE_URL"] == expected
    assert urlsplit(expected).hostname in app.config["TRUSTED_HOSTS"]


def test_site_url_from_the_environment(tmp_path, monkeypatch):
    """FISHER_SITE_URL and FISHER_TRUSTED_HOSTS are read like every other setting."""
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    monkeypatch.setenv("FISHER_SITE_URL", "https://fisher.example")
    monkeypatch.setenv("FISHER_TRUSTED_HOSTS", "www.fisher.example")
    monkeypatch.setenv("FISHER_SECRET_KEY", "x" * 32)
    app = create_app()
    assert app.config["SITE_URL"] == "https://fisher.example"
    assert app.config["TRUSTED_HOSTS"] == ["fisher.example", "127.0.0.1", "localhost", "www.fisher.example"]


@pytest.mark.parametrize("value", ["fisher.example", "ftp://fisher.example", "https://", "https://a:b@x.example",
                                   "https://fisher.example/?next=x", "https://fisher.example:99999",
                                   "http://[::1]:5000"])
def test_unusable_site_url_refuses_to_start(tmp_path, value):
    """A SITE_URL without http(s) and a host, with credentials, a query, a bad port or an IPv6 literal stops the app."""
    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app(make_config(tmp_path, SITE_URL=value))


def test_no_link_is_built_from_the_request_host():
    """No code or template in app/ builds an external URL from the request (url_for(_external=True))."""
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "app").rglob("*")
                 if path.suffix in {".py", ".html", ".txt"}
                 and re.search(r"url_for\([^)]*_external", path.read_text("utf-8"))]
    assert offenders == []


# -- the host check -----------------------------------------------------------

@pytest.mark.parametrize("logged_in", [False, True])
def test_untrusted_host_is_400_on_every_route(app_factory, logged_in):
    """Every route and method answers a plain 400 to Host: evil.example, before CSRF or login checks, never a 500."""
    app = app_factory(WTF_CSRF_ENABLED=True, SITE_URL=SITE)
    with app.app_context():
        client = login_client(app, make_user("爱丽丝")) if logged_in else app.test_client()
        rules = [rule for rule in app.url_map.iter_rules()]
        for rule in rules + [None]:
            path = filled_url(rule) if rule else "/no/such/page"
            for method in sorted((rule.methods if rule else {"GET"}) - {"HEAD", "OPTIONS"}):
                resp = client.open(path, method=method, headers={"Host": EVIL})
                assert resp.status_code == 400, (method, path, resp.status_code)
                assert resp.mimetype == "text/plain" and EVIL not in resp.get_data(as_text=True)


@pytest.mark.parametrize("host, status", [
    ("fisher.example", 200), ("localhost", 200), ("127.0.0.1:8123", 200), ("fisher.example:8443", 200),
    (EVIL, 400), ("fisher.example.evil.example", 400), ("evil.fisher.example", 400), ("[::1]:5000", 400),
])
def test_only_site_and_loopback_hosts_are_served(site_app, host, status):
    """SITE_URL's host and loopback names are served on any port; every other name, subdomains included, is a 400."""
    assert site_app.test_client().get("/healthz", headers={"Host": host}).status_code == status


def test_extra_trusted_hosts_are_served_but_never_linked(app_factory, tmp_path):
    """A name in TRUSTED_HOSTS is served, and a reset requested through it still links to SITE_URL."""
    app = app_factory(SITE_URL=SITE, TRUSTED_HOSTS=["www.fisher.example"], OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        make_user("爱丽丝", "alice@example.com")
        resp = app.test_client().post("/reset/password", data={"email": "alice@example.com"},
                                      headers={"Host": "www.fisher.example"})
        assert resp.status_code == 302
        assert app.test_client().get("/healthz", headers={"Host": EVIL}).status_code == 400
    assert_links_on_site(outbox_messages(tmp_path / "outbox"))


# -- mailed links ---------------------------------------------------------------

def test_reset_mail_links_to_site_url_whatever_host_was_used(site_app):
    """A reset requested through an allowed host other than SITE_URL's still mails a link on SITE_URL."""
    make_user("爱丽丝", "alice@example.com")
    resp = site_app.test_client().post("/reset/password", data={"email": "alice@example.com"},
                                       headers={"Host": "127.0.0.1:8123"})
    assert resp.status_code == 302
    [message] = outbox_messages(site_app.outbox)
    assert_links_on_site([message])
    assert any(link.startswith(SITE + "/reset/password/") for link in mail_links(message))


def test_reset_mail_keeps_site_url_path_prefix(app_factory, tmp_path):
    """With SITE_URL under a path prefix, the reset link carries the prefix."""
    app = app_factory(SITE_URL=SITE + "/fisher/", OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        make_user("爱丽丝", "alice@example.com")
        app.test_client().post("/reset/password", data={"email": "alice@example.com"})
    [message] = outbox_messages(tmp_path / "outbox")
    assert_links_on_site([message], SITE + "/fisher")
    assert any(link.startswith(SITE + "/fisher/reset/password/") for link in mail_links(message))


def test_forwarded_host_is_ignored_behind_the_proxy(app_factory, tmp_path):
    """Under PROXY_FIX a request with X-Forwarded-Host: evil.example is served as usual, and its reset link is on SITE_URL."""
    app = app_factory(SITE_URL=SITE, PROXY_FIX=True, OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        make_user("爱丽丝", "alice@example.com")
        resp = app.test_client().post("/reset/password", data={"email": "alice@example.com"},
                                      headers={"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"})
        assert resp.status_code == 302
    assert_links_on_site(outbox_messages(tmp_path / "outbox"))


def test_trade_mails_link_to_site_url(site_app):
    """The wish alert, the invitation and the drift mail, triggered through the test client's host, link to SITE_URL."""
    alice = make_user("爱丽丝", "alice@example.com")
    bob = make_user("鲍勃", "bob@example.com", beans=1)
    wish = make_wish(bob, SANTI)
    as_alice, as_bob = login_client(site_app, alice), login_client(site_app, bob)
    assert as_alice.post(f"/gifts/book/{SANTI}").status_code == 302  # wish alert
    assert as_alice.post(f"/satisfy/wish/{wish.id}").status_code == 302  # invitation
    gid = db.session.scalar(select(Gift.id))
    assert as_bob.post(f"/gifts/{gid}/request", data=DRIFT_FORM).status_code == 302  # drift
    messages = outbox_messages(site_app.outbox)
    assert sorted(m["To"] for m in messages) == ["alice@example.com", "bob@example.com", "bob@example.com"]
    assert_links_on_site(messages)
    links = {urlsplit(link).path for m in messages for link in mail_links(m)}
    assert {f"/book/{SANTI}/detail", f"/gifts/{gid}/request", "/pending"} <= links


# -- the attack over real HTTP ----------------------------------------------------

def raw_post(base: str, path: str, body: str, headers: dict) -> int:
    """POST with exactly these headers (Host included) through http.client."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Content-Type": "application/x-www-form-urlencoded",
                            "Content-Length": str(len(body)), **headers}.items():
            conn.putheader(name, value)
        conn.endheaders(body.encode())
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def live_site(app_factory, tmp_path):
    """The app behind a (pretend) proxy on a real loopback port, SITE_URL https://fisher.example."""
    app = app_factory(SITE_URL=SITE, PROXY_FIX=True, OUTBOX_DIR=str(tmp_path / "outbox"))
    app.outbox = tmp_path / "outbox"
    with app.app_context():
        add_books()
        make_user("爱丽丝", "alice@example.com")
        make_user("鲍勃", "bob@example.com", beans=1)
    with serve(app) as base:
        yield app, base


def test_reset_poisoning_over_http_fails(live_site):
    """Over HTTP a reset asked with Host: evil.example is a 400 and mails nothing; asked with
    X-Forwarded-Host: evil.example it mails a link on SITE_URL only."""
    app, base = live_site
    body = "email=alice%40example.com"
    for host in (EVIL, f"{EVIL}:{urlsplit(base).port}", "fisher.example.evil.example"):
        assert raw_post(base, "/reset/password", body, {"Host": host}) == 400
    assert outbox_messages(app.outbox) == []
    forwarded = {"Host": urlsplit(base).netloc, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"}
    assert raw_post(base, "/reset/password", body, forwarded) == 302
    [message] = outbox_messages(app.outbox)
    assert message["To"] == "alice@example.com"
    assert_links_on_site([message])


def test_every_mail_over_http_links_to_site_url(live_site):
    """Over HTTP with X-Forwarded-Host: evil.example on every request, the wish alert, invitation, drift and
    reset mails all link to SITE_URL; the same requests with Host: evil.example are refused."""
    app, base = live_site
    evil_host, forwarded = {"Host": EVIL}, {"X-Forwarded-Host": EVIL}
    alice, bob = requests.Session(), requests.Session()
    for person, email in ((alice, "alice@example.com"), (bob, "bob@example.com")):
        person.headers.update(forwarded)
        resp = person.post(f"{base}/login", data={"email": email, "password": "secret123"},
                           allow_redirects=False, timeout=10)
        assert resp.status_code == 302
    assert bob.post(f"{base}/wishes/book/{SANTI}", headers=evil_host, allow_redirects=False, timeout=10).status_code == 400
    assert bob.post(f"{base}/wishes/book/{SANTI}", allow_redirects=False, timeout=10).status_code == 302
    assert alice.post(f"{base}/gifts/book/{SANTI}", headers=evil_host, allow_redirects=False, timeout=10).status_code == 400
    assert alice.post(f"{base}/gifts/book/{SANTI}", allow_redirects=False, timeout=10).status_code == 302
    with app.app_context():
        wid, gid = db.session.scalar(select(Wish.id)), db.session.scalar(select(Gift.id))
    assert alice.post(f"{base}/satisfy/wish/{wid}", headers=evil_host, allow_redirects=False, timeout=10).status_code == 400
    assert alice.post(f"{base}/satisfy/wish/{wid}", allow_redirects=False, timeout=10).status_code == 302
    assert bob.post(f"{base}/gifts/{gid}/request", data=DRIFT_FORM, headers=evil_host, allow_redirects=False,
                    timeout=10).status_code == 400
    assert bob.post(f"{base}/gifts/{gid}/request", data=DRIFT_FORM, allow_redirects=False, timeout=10).status_code == 302
    assert requests.post(f"{base}/reset/password", data={"email": "bob@example.com"}, headers=forwarded,
                         allow_redirects=False, timeout=10).status_code == 302
    messages = outbox_messages(app.outbox)
    assert [m["To"] for m in messages] == ["bob@example.com", "bob@example.com", "alice@example.com",
                                           "bob@example.com"]
    assert_links_on_site(messages)

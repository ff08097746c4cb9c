"""Security audit as tests: CSRF on every state change, GET routes that never
write, object-level authorisation, headers, cookies, secrets, the debugger."""
import re

import pytest
from sqlalchemy import select

from app import create_app
from app.models.base import db
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.wish import Wish
from app.security import debug_allowed
from tests.helpers import BAINIAN, DRIFT_FORM, HUOZHE, PYTHON, SANTI, add_books, register, unchanged

SKIP_ENDPOINTS = {"static", "bootstrap.static"}


def filled_url(rule, values: dict) -> str:
    """The rule's path with each <argument> replaced from ``values``."""
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


@pytest.fixture
def trade(app):
    """alice gives 三体 (requested by bob, waiting); bob wishes for 活着; carol has nothing."""
    add_books()
    alice = register(app.test_client(), "alice@example.com", "爱丽丝")
    bob = register(app.test_client(), "bob@example.com", "鲍勃")
    carol = register(app.test_client(), "carol@example.com", "卡罗尔")
    alice.post(f"/gifts/book/{SANTI}")
    alice.post(f"/gifts/book/{HUOZHE}")
    bob.post(f"/gifts/book/{BAINIAN}")
    bob.post(f"/gifts/book/{PYTHON}")
    bob.post(f"/wishes/book/{HUOZHE}")
    gid = db.session.scalar(select(Gift.id).where(Gift.isbn == SANTI))
    assert bob.post(f"/gifts/{gid}/request", data=DRIFT_FORM).status_code == 302
    ids = {"gid": gid, "gift_id": gid, "did": db.session.scalar(select(Drift.id)),
           "wid": db.session.scalar(select(Wish.id)), "isbn": SANTI, "token": "not-a-token",
           "name": f"{SANTI}.jpg", "tid": 1, "aid": 1}
    return {"alice": alice, "bob": bob, "carol": carol, "ids": ids}


def test_every_post_route_refuses_a_missing_csrf_token(app_factory):
    """With CSRF on, every non-GET route answers 400 to a logged-in POST without a token."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        add_books()
        client = app.test_client()
        page = client.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/register", data={"email": "a@example.com", "nickname": "甲甲", "password": "secret123",
                                       "csrf_token": token})
        values = {"gid": 1, "gift_id": 1, "did": 1, "wid": 1, "isbn": SANTI, "token": "x", "tid": 1, "aid": 1}
        rules = [r for r in app.url_map.iter_rules()
                 if r.endpoint not in SKIP_ENDPOINTS and r.methods - {"GET", "HEAD", "OPTIONS"}]
        assert len(rules) >= 14
        with unchanged():
            for rule in rules:
                method = sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})[0]  # POST, or DELETE under /api/v1
                resp = client.open(filled_url(rule, values), method=method, data={"email": "a@example.com"})
                # /api/v1 takes no cookies, so needs no CSRF token: without a Bearer token it is a 401
                expected = 401 if rule.endpoint.startswith("api_v1.") else 400
                assert resp.status_code == expected, rule.rule


def test_no_get_route_changes_the_database(app, trade):
    """Calling every GET route as a logged-in user leaves every table as it was."""
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in SKIP_ENDPOINTS]
    assert len(rules) >= 15
    with unchanged():
        for who in ("alice", "bob"):
            for rule in rules:
                resp = trade[who].get(filled_url(rule, trade["ids"]))
                assert resp.status_code < 500, rule.rule


@pytest.mark.parametrize("who, method, path", [
    ("carol", "post", "/gifts/{gid}/withdraw"),
    ("bob", "post", "/gifts/{gid}/withdraw"),
    ("carol", "post", "/drift/{did}/mailed"),
    ("carol", "post", "/drift/{did}/reject"),
    ("carol", "post", "/drift/{did}/withdraw"),
    ("bob", "post", "/drift/{did}/mailed"),
    ("bob", "post", "/drift/{did}/reject"),
    ("alice", "post", "/drift/{did}/withdraw"),
    ("carol", "post", "/satisfy/wish/{wid}"),
    ("carol", "post", "/wishes/{isbn}/withdraw"),
])
def test_other_users_objects_are_404(trade, who, method, path):
    """A user who does not own the gift, drift or wish gets 404 and nothing changes."""
    with unchanged():
        resp = getattr(trade[who], method)(path.format(**trade["ids"]))
        assert resp.status_code == 404


@pytest.mark.parametrize("path", ["/", "/book/search?q=三体", "/nope", "/healthz", "/login",
                                  "/covers/drawn/9787536692930.svg?title=x", "/static/css/fisher.css"])
def test_security_headers_on_every_response(client, books, path):
    """CSP limited to the site, nosniff, frame denial and a referrer policy on every answer."""
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(client, auth):
    """The session cookie is HttpOnly and SameSite=Lax, and not Secure over plain http."""
    resp = auth.register()
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookies_secure_when_https(tmp_path, monkeypatch):
    """FISHER_PREFERRED_URL_SCHEME=https makes session and remember cookies Secure."""
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "inst"))
    monkeypatch.setenv("FISHER_PREFERRED_URL_SCHEME", "https")
    monkeypatch.setenv("FISHER_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/x.sqlite")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize("key", [None, "", "dev", "changeme", "short"])
def test_refuses_to_start_with_placeholder_secret(tmp_path, key):
    """Outside debug and testing, a missing, placeholder or short SECRET_KEY stops start-up."""
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_starts_with_a_real_secret(tmp_path):
    """A long random key is accepted in production mode."""
    app = create_app({"SECRET_KEY": "9f1c" * 16, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert not app.debug and not app.testing


@pytest.mark.parametrize("debug, host, allowed", [
    (False, "127.0.0.1", False), (True, "127.0.0.1", True), (True, "localhost", True),
    (True, "::1", True), (True, "0.0.0.0", False), (True, "192.0.2.10", False)])
def test_debugger_only_when_asked_and_on_loopback(debug, host, allowed):
    """The debugger is off unless DEBUG is set, and never on a non-loopback address."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DEBUG": debug, "HOST": host,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert debug_allowed(app) is allowed


@pytest.mark.parametrize("password", ["123456", "password", "Qwerty123", "iloveyou", "5201314"])
def test_common_passwords_refused_at_registration(client, auth, password):
    """A password from the common-password list is refused with a message."""
    resp = auth.register(password=password)
    assert resp.status_code == 200 and "这个密码太常见了" in resp.get_data(as_text=True)


def id_rules(app) -> list:
    """Every route taking a numeric id in its path."""
    from werkzeug.routing.converters import NumberConverter
    return [r for r in app.url_map.iter_rules()
            if any(isinstance(c, NumberConverter) for c in r._converters.values())]


@pytest.mark.parametrize("huge", [2**63, 2**64, 10**30])
def test_ids_too_large_for_the_database_are_404(app, trade, huge):
    """An id beyond a signed 64-bit integer is a 404 on every id route and method, never a 500."""
    rules = id_rules(app)
    assert len(rules) >= 6
    with unchanged():
        values = {**trade["ids"], "gid": huge, "gift_id": huge, "did": huge, "wid": huge, "tid": huge}
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for who in ("alice", "bob"):
                    resp = trade[who].open(filled_url(rule, values), method=method, data=DRIFT_FORM)
                    assert resp.status_code == 404, (rule.rule, method, who)


def test_every_id_converter_has_a_bound(app):
    """No route takes an unbounded integer, so a new route cannot bring the 500 back."""
    for rule in id_rules(app):
        for converter in rule._converters.values():
            assert getattr(converter, "max", None) == 2**63 - 1, rule.rule

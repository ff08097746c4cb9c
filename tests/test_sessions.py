"""Sessions and remember-me cookies end: a copied session or remember cookie
stops working after logout, a password change, a reset and "log out
everywhere" -- with the test client and over HTTP between real "devices"."""
import re
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import update

from app.models.base import db
from app.models.user import User, hash_password
from app.services import account
from app.services.errors import Conflict
from tests.helpers import login_client, make_user, outbox_messages
from tests.live import serve

EMAIL, PASSWORD, NEW = "alice@example.com", "secret123", "brand-new-77"
COOKIES = ("session", "remember_token")


def user_row() -> User:
    db.session.expire_all()
    return db.session.get(User, db.session.scalar(db.select(User.id)))


def captured(client) -> dict:
    """The session and remember-me cookies a client holds (what a thief copies)."""
    return {name: client.get_cookie(name).value for name in COOKIES if client.get_cookie(name)}


def device(app, cookies: dict):
    """A new test client holding only ``cookies``."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def reaches_personal(client) -> bool:
    resp = client.get("/personal")
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


@pytest.fixture
def alice(app):
    """爱丽丝 (password secret123), logged in with remember-me through the real form."""
    make_user("爱丽丝", EMAIL)
    client = app.test_client()
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD, "remember": "y"}).status_code == 302
    cookies = captured(client)
    assert set(cookies) == set(COOKIES)
    return client, cookies


def thief_devices(app, cookies):
    """Copies of the captured cookies: both, the session alone, the remember cookie alone."""
    return [device(app, cookies), device(app, {"session": cookies["session"]}),
            device(app, {"remember_token": cookies["remember_token"]})]


def reset_through_mail(app, client) -> None:
    client.post("/reset/password", data={"email": EMAIL})
    body = outbox_messages(app.config["OUTBOX_DIR"])[-1].get_body(preferencelist=("plain",)).get_content()
    path = urlsplit(re.search(r"https?://\S+/reset/password/\S+", body).group(0)).path
    assert client.post(path, data={"password1": NEW, "password2": NEW}).status_code == 302


# -- the session id -------------------------------------------------------------

def test_session_id_carries_the_generation(app):
    """get_id() is "<id>:<generation>"; only the current pair loads the user."""
    user = make_user("爱丽丝", EMAIL)
    assert user.get_id() == f"{user.id}:0"
    assert User.from_session_id(f"{user.id}:0").id == user.id
    account.end_sessions(user)
    assert user.get_id() == f"{user.id}:1"
    assert User.from_session_id(f"{user.id}:0") is None
    assert User.from_session_id(f"{user.id}:1").id == user.id


@pytest.mark.parametrize("value", ["{id}", "{id}:", ":0", "{id}:0:0", "{id}:-1", "-{id}:0", "{id}:5", "{id}:x",
                                   "0:0", "99999999999999999999:0", "{id}:9999999999", " {id}:0", "{id}:0\n", ""])
def test_loader_refuses_other_shapes(app, value):
    """A plain "<id>" (older sessions), a stale or future generation and any malformed id log no one in."""
    user = make_user("爱丽丝", EMAIL)
    assert User.from_session_id(value.format(id=user.id)) is None


def test_plain_id_session_does_not_log_in(app):
    """A session that still holds an old-style plain "<id>" reaches no protected page."""
    user = make_user("爱丽丝", EMAIL)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not reaches_personal(client)


def test_deleted_user_session_ends(app):
    """A soft-deleted account's session no longer logs in."""
    user = make_user("爱丽丝", EMAIL)
    client = login_client(app, user)
    assert reaches_personal(client)
    with db.auto_commit():
        db.session.get(User, user.id).delete()
    assert not reaches_personal(client)


# -- what ends the sessions (test client) --------------------------------------------

def test_copied_cookies_log_in_until_revoked(app, alice):
    """Before anything is revoked the copied cookies work, each on its own (the baseline of the tests below)."""
    _client, cookies = alice
    assert all(reaches_personal(thief) for thief in thief_devices(app, cookies))


def test_logout_ends_the_copied_cookies(app, alice):
    """After logout neither a copy of the session nor of the remember cookie logs in."""
    client, cookies = alice
    assert client.post("/logout").status_code == 302
    assert not reaches_personal(client)
    assert not any(reaches_personal(thief) for thief in thief_devices(app, cookies))
    assert user_row().session_generation == 1


def test_change_password_ends_other_sessions_and_keeps_mine(app, alice):
    """A password change ends every copied cookie; my own session, and the remember cookie it is reissued, go on."""
    client, cookies = alice
    resp = client.post("/change/password", data={
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert resp.status_code == 302 and resp.headers["Location"] == "/personal"
    assert not any(reaches_personal(thief) for thief in thief_devices(app, cookies))
    assert reaches_personal(client)
    fresh = captured(client)
    assert fresh["remember_token"] != cookies["remember_token"]
    assert reaches_personal(device(app, {"remember_token": fresh["remember_token"]}))


def test_wrong_old_password_changes_nothing(app, alice):
    """A change with a wrong old password keeps the password, the generation and every session."""
    client, cookies = alice
    resp = client.post("/change/password", data={
        "old_password": "wrong-pass", "new_password1": NEW, "new_password2": NEW})
    assert "原密码不正确" in resp.get_data(as_text=True)
    assert user_row().session_generation == 0 and user_row().check_password(PASSWORD)
    assert all(reaches_personal(thief) for thief in thief_devices(app, cookies))


def test_reset_ends_every_session(app, alice):
    """A password reset ends every session and remember cookie of the account, the resetting browser's too."""
    client, cookies = alice
    reset_through_mail(app, app.test_client())
    assert not reaches_personal(client)
    assert not any(reaches_personal(thief) for thief in thief_devices(app, cookies))
    assert user_row().check_password(NEW)


def test_logout_everywhere_button(app, alice):
    """The personal page has a CSRF-protected 退出所有设备 button; it ends every session, this one too."""
    client, cookies = alice
    page = client.get("/personal").get_data(as_text=True)
    assert 'action="/logout/everywhere"' in page and "退出所有设备" in page
    assert client.get("/logout/everywhere").status_code == 405
    resp = client.post("/logout/everywhere", follow_redirects=True)
    assert "已退出所有设备上的登录" in resp.get_data(as_text=True)
    assert not reaches_personal(client)
    assert not any(reaches_personal(thief) for thief in thief_devices(app, cookies))
    again = app.test_client()
    assert again.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    assert reaches_personal(again)


def test_logout_everywhere_needs_csrf(app_factory):
    """Without a CSRF token the button's POST is a 400 and nothing is bumped."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user("爱丽丝", EMAIL)
        client = login_client(app, user)
        assert client.post("/logout/everywhere").status_code == 400
        assert user_row().session_generation == 0 and reaches_personal(client)


def test_logout_everywhere_needs_login(client):
    """An anonymous POST is sent to the login page."""
    resp = client.post("/logout/everywhere")
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


def test_logging_out_one_account_leaves_others(app, alice):
    """Alice logging out everywhere does not touch Bob's session."""
    client, _cookies = alice
    bob = login_client(app, make_user("鲍勃", "bob@example.com"))
    client.post("/logout/everywhere")
    assert reaches_personal(bob)


# -- races -------------------------------------------------------------------------

def test_change_password_after_sessions_ended_elsewhere_is_refused(app):
    """If another device ended the sessions after this request loaded the user, the change is refused and nothing changes."""
    user = make_user("爱丽丝", EMAIL)
    user.session_generation  # loaded as this request's user was
    with db.engine.begin() as conn:  # another device: log out everywhere
        conn.execute(update(User).values(session_generation=User.session_generation + 1))
    with pytest.raises(Conflict):
        account.change_password(user, PASSWORD, NEW)
    assert user_row().check_password(PASSWORD) and user_row().session_generation == 1


def test_change_password_page_after_sessions_ended_elsewhere(app_factory):
    """The change form, posted by a session that another device ended after it was loaded, logs out and keeps the password."""
    from flask import request
    from flask_login import current_user

    app = app_factory()
    with app.app_context():
        user = make_user("爱丽丝", EMAIL)
        client = login_client(app, user)

        @app.before_request
        def other_device_logs_out_everywhere():  # runs after this request's user is loaded
            if request.path == "/change/password" and current_user.is_authenticated:
                with db.engine.begin() as conn:
                    conn.execute(update(User).values(session_generation=User.session_generation + 1))

        resp = client.post("/change/password", data={
            "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}, follow_redirects=True)
        assert resp.request.path == "/login" and "你的登录已在其他设备上被退出" in resp.get_data(as_text=True)
        assert user_row().check_password(PASSWORD) and user_row().session_generation == 1
        assert not reaches_personal(client)


def test_reset_link_used_meanwhile_is_refused(app):
    """A reset link checked by two requests at once sets a password only once: the later write is refused."""
    make_user("爱丽丝", EMAIL)
    user = User.from_reset_token(user_row().generate_reset_token())  # this request checked the link
    with db.engine.begin() as conn:  # a concurrent request used the same link first
        conn.execute(update(User).values({User._password: hash_password("first-pass-1"),
                                          User.session_generation: User.session_generation + 1}))
    assert not account.reset_password(user, NEW)
    assert user_row().check_password("first-pass-1") and user_row().session_generation == 1


# -- over HTTP, with real cookies between devices ----------------------------------------

def http_device(base: str, cookies: dict) -> requests.Session:
    """A requests.Session holding only ``cookies`` (copied from another device)."""
    session = requests.Session()
    host = urlsplit(base).hostname
    for name, value in cookies.items():
        session.cookies.set(name, value, domain=host, path="/")
    return session


def http_reaches_personal(session: requests.Session, base: str) -> bool:
    resp = session.get(f"{base}/personal", allow_redirects=False, timeout=10)
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


def change_password_over_http(base, victim, _app):
    resp = victim.post(f"{base}/change/password", allow_redirects=False, timeout=10, data={
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert resp.status_code == 302


def reset_over_http(base, _victim, app):
    browser = requests.Session()
    browser.post(f"{base}/reset/password", data={"email": EMAIL}, allow_redirects=False, timeout=10)
    body = outbox_messages(app.config["OUTBOX_DIR"])[-1].get_body(preferencelist=("plain",)).get_content()
    path = urlsplit(re.search(r"https?://\S+/reset/password/\S+", body).group(0)).path
    resp = browser.post(base + path, data={"password1": NEW, "password2": NEW}, allow_redirects=False, timeout=10)
    assert resp.status_code == 302


ACTIONS = {
    "logout": lambda base, victim, _app: victim.post(f"{base}/logout", allow_redirects=False, timeout=10),
    "change_password": change_password_over_http,
    "reset": reset_over_http,
    "logout_everywhere": lambda base, victim, _app: victim.post(f"{base}/logout/everywhere",
                                                                allow_redirects=False, timeout=10),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_captured_cookies_stop_working_over_http(app, action):
    """Over HTTP: cookies copied from the victim's browser reach /personal until the victim logs out, changes or
    resets the password or logs out everywhere; then neither the copied session nor the remember cookie does."""
    make_user("爱丽丝", EMAIL)
    with serve(app) as base:
        victim = requests.Session()
        resp = victim.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD, "remember": "y"},
                           allow_redirects=False, timeout=10)
        assert resp.status_code == 302
        cookies = {name: victim.cookies.get(name) for name in COOKIES}
        assert all(cookies.values())
        copies = [cookies, {"session": cookies["session"]}, {"remember_token": cookies["remember_token"]}]
        assert all(http_reaches_personal(http_device(base, c), base) for c in copies)
        ACTIONS[action](base, victim, app)
        assert not any(http_reaches_personal(http_device(base, c), base) for c in copies)
        assert http_reaches_personal(victim, base) == (action == "change_password")

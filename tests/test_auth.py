"""Accounts: registration, login, password change and reset, rate limits, CSRF."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.models.base import db
from app.models.user import User

LINK = re.compile(r"https?://\S+/reset/password/[\w.\-]+")


def user_named(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_register_logs_in_and_stores_lowercase_email(client, auth):
    """Registration stores a normalised email and a scrypt hash, and logs the user in."""
    resp = auth.register(email="Alice@Example.COM")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    user = user_named("alice@example.com")
    assert user.nickname == "爱丽丝" and user.beans == 0
    assert user.password.startswith("scrypt:") and len(user.password) <= 255
    assert user.check_password("secret123") and not user.check_password("secret124")
    assert "爱丽丝" in client.get("/personal").get_data(as_text=True)


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@example.com", " Alice@Example.com "])
def test_register_refuses_taken_email_in_any_case(client, auth, email):
    """An email already registered, in any letter case, is refused."""
    auth.register()
    auth.logout()
    resp = auth.register(email=email, nickname="另一个")
    assert resp.status_code == 200 and "电子邮件已被注册" in resp.get_data(as_text=True)


def test_register_refuses_taken_nickname(client, auth):
    """A nickname already in use is refused."""
    auth.register()
    auth.logout()
    resp = auth.register(email="bob@example.com")
    assert "昵称已存在" in resp.get_data(as_text=True)
    assert user_named("bob@example.com") is None


@pytest.mark.parametrize("fields, message", [
    ({"password": "12345"}, "密码长度须在 6 到 32 个字符之间"),
    ({"password": "x" * 33}, "密码长度须在 6 到 32 个字符之间"),
    ({"nickname": "甲"}, "昵称至少需要两个字符，最多10个字符"),
    ({"nickname": "一二三四五六七八九十一"}, "昵称至少需要两个字符，最多10个字符"),
    ({"email": "not-an-email"}, "电子邮件不符合规范"),
    ({"email": ""}, "电子邮件不能为空"),
    ({"email": "a" * 60 + "@example.com"}, "电子邮件长度须在 8 到 64 个字符之间"),
])
def test_register_rules_have_chinese_messages(client, auth, fields, message):
    """Each registration rule shows its own message and creates no user."""
    data = {"email": "carol@example.com", "nickname": "卡罗尔", "password": "secret123", **fields}
    resp = client.post("/register", data=data)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_login_and_logout(client, auth):
    """A right password logs in; logout is a POST that ends the session."""
    auth.register()
    auth.logout()
    assert client.get("/personal").status_code == 302
    assert auth.login().status_code == 302
    assert client.get("/personal").status_code == 200
    assert client.get("/logout").status_code == 405
    auth.logout()
    assert client.get("/personal").status_code == 302


@pytest.mark.parametrize("email, password", [
    ("alice@example.com", "wrong-pass"), ("nobody@example.com", "secret123")])
def test_login_failure_has_one_message(client, auth, email, password):
    """A wrong password and an unknown email get the same message."""
    auth.register()
    auth.logout()
    resp = auth.login(email=email, password=password)
    assert resp.status_code == 200 and "账号不存在或密码错误" in resp.get_data(as_text=True)


def test_login_email_is_case_insensitive(client, auth):
    """Logging in with another letter case of the email works."""
    auth.register()
    auth.logout()
    assert auth.login(email="ALICE@EXAMPLE.com").status_code == 302


def test_remember_me_sets_cookie_only_when_asked(client, auth):
    """The remember cookie is set only with remember-me ticked, HttpOnly and SameSite=Lax."""
    auth.register()
    auth.logout()
    resp = auth.login()
    assert not any(h.startswith("remember_token=") for h in resp.headers.getlist("Set-Cookie"))
    auth.logout()
    resp = auth.login(remember="y")
    cookie = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0]


def test_login_follows_safe_next(client, auth):
    """A same-site relative next is honoured."""
    auth.register()
    auth.logout()
    resp = client.post("/login?next=/personal", data={"email": "alice@example.com", "password": "secret123"})
    assert resp.headers["Location"] == "/personal"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_login_ignores_hostile_next(client, auth, target):
    """Off-site or script next targets fall back to the home page."""
    auth.register()
    auth.logout()
    resp = client.post("/login", query_string={"next": target},
                       data={"email": "alice@example.com", "password": "secret123"})
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/personal", "/change/password"])
def test_protected_pages_redirect_to_login(client, path):
    """Anonymous visitors are sent to login with next and a Chinese message."""
    resp = client.get(path)
    location = urlsplit(resp.headers["Location"])
    assert resp.status_code == 302 and location.path == "/login" and "next=" in location.query
    assert "请先登录或注册" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_change_password(client, auth):
    """The old password must be right; afterwards only the new one works."""
    auth.register()
    resp = client.post("/change/password", data={
        "old_password": "wrong-pass", "new_password1": "newsecret1", "new_password2": "newsecret1"})
    assert "原密码不正确" in resp.get_data(as_text=True)
    resp = client.post("/change/password", data={
        "old_password": "secret123", "new_password1": "newsecret1", "new_password2": "other-one"})
    assert "两次输入的密码不相同" in resp.get_data(as_text=True)
    resp = client.post("/change/password", data={
        "old_password": "secret123", "new_password1": "newsecret1", "new_password2": "newsecret1"})
    assert resp.status_code == 302
    auth.logout()
    assert auth.login(password="secret123").status_code == 200
    assert auth.login(password="newsecret1").status_code == 302


def _reset_link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return LINK.search(body).group(0)


def test_reset_flow_over_real_smtp(mail_app):
    """The reset mail arrives over SMTP; its link sets a new password once."""
    client = mail_app.test_client()
    client.post("/register", data={"email": "alice@example.com", "nickname": "爱丽丝", "password": "secret123"})
    client.post("/logout")
    resp = client.post("/reset/password", data={"email": "Alice@example.com"})
    assert resp.status_code == 302
    message = mail_app.smtp_sink.next()
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "[鱼书] 重置你的密码"
    path = urlsplit(_reset_link(message)).path
    assert client.get(path).status_code == 200
    resp = client.post(path, data={"password1": "brand-new1", "password2": "brand-new1"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    login = client.post("/login", data={"email": "alice@example.com", "password": "brand-new1"})
    assert login.status_code == 302
    again = client.post(path, data={"password1": "another-1", "password2": "another-1"})
    assert again.status_code == 400 and "重置链接无效或已过期" in again.get_data(as_text=True)


def test_reset_token_expires(app, auth, monkeypatch):
    """A token older than RESET_TOKEN_MAX_AGE is refused."""
    import time
    auth.register()
    user = user_named("alice@example.com")
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() - 31 * 60)
    token = user.generate_reset_token()
    monkeypatch.setattr("itsdangerous.timed.time.time", real_time)
    assert User.from_reset_token(token) is None
    assert User.from_reset_token(user.generate_reset_token()).id == user.id


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 300])
def test_reset_with_bad_token(client, token):
    """A malformed or forged token shows the invalid-link page."""
    resp = client.get(f"/reset/password/{token}")
    assert resp.status_code == 400 and "重置链接无效或已过期" in resp.get_data(as_text=True)


def test_reset_request_does_not_reveal_accounts(mail_app):
    """Known and unknown addresses get identical answers; only the known one gets mail."""
    client = mail_app.test_client()
    client.post("/register", data={"email": "alice@example.com", "nickname": "爱丽丝", "password": "secret123"},
                follow_redirects=True)
    client.post("/logout", follow_redirects=True)
    known = client.post("/reset/password", data={"email": "alice@example.com"}, follow_redirects=True)
    mail_app.smtp_sink.next()
    unknown = client.post("/reset/password", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert mail_app.smtp_sink.messages.empty()


def test_reset_mail_goes_to_outbox_without_smtp(app_factory, tmp_path):
    """With no MAIL_SERVER the reset message is written to the outbox as .eml."""
    app = app_factory(OUTBOX_DIR=str(tmp_path / "outbox"))
    client = app.test_client()
    client.post("/register", data={"email": "alice@example.com", "nickname": "爱丽丝", "password": "secret123"})
    client.post("/logout")
    client.post("/reset/password", data={"email": "alice@example.com"})
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    from email import message_from_bytes, policy
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    path = urlsplit(_reset_link(message)).path
    assert client.get(path).status_code == 200


def test_login_rate_limited_per_client(app_factory):
    """The eleventh login attempt in a minute from one address gets a friendly 429."""
    client = app_factory().test_client()
    for _ in range(10):
        assert client.post("/login", data={"email": "x@example.com", "password": "bad-pass"}).status_code == 200
    resp = client.post("/login", data={"email": "y@example.com", "password": "bad-pass"})
    assert resp.status_code == 429 and "操作太频繁" in resp.get_data(as_text=True)


def test_login_rate_limited_per_account(app_factory):
    """Attempts on one account from many addresses meet ACCOUNT_RATE_LIMIT; other accounts do not."""
    client = app_factory(ACCOUNT_RATE_LIMIT="10 per hour").test_client()
    for i in range(10):
        client.post("/login", data={"email": "x@example.com", "password": "bad"},
                    environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
    resp = client.post("/login", data={"email": "X@example.com", "password": "bad"},
                       environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert resp.status_code == 429
    other = client.post("/login", data={"email": "z@example.com", "password": "bad"},
                        environ_base={"REMOTE_ADDR": "10.0.1.2"})
    assert other.status_code == 200


def test_post_without_csrf_token_is_refused(app_factory):
    """With CSRF on, a POST without the token is refused and one with it works."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    resp = client.post("/register", data={"email": "alice@example.com", "nickname": "爱丽丝", "password": "secret123"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User)) is None
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post("/register", data={"email": "alice@example.com", "nickname": "爱丽丝",
                                          "password": "secret123", "csrf_token": token})
    assert resp.status_code == 302
    assert client.post("/logout").status_code == 400


def test_simultaneous_registrations_of_one_email(app_factory):
    """Two registrations of one email at the same moment make one account and no 5xx."""
    from tests.live import fire_together, serve
    import requests as http

    app = app_factory()
    with app.app_context(), serve(app) as base:
        def register_as(nickname):
            return lambda: http.post(f"{base}/register", allow_redirects=False, timeout=30, data={
                "email": "same@example.com", "nickname": nickname, "password": "secret123"}).status_code
        codes = fire_together([register_as(f"用户{n}") for n in range(6)])
        db.session.expire_all()
        assert codes.count(302) == 1 and all(code == 200 for code in codes if code != 302), codes
        assert len(db.session.scalars(select(User)).all()) == 1

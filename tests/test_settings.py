"""The settings page: language, time zone, nickname and a confirmed change of email address."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.models.base import db
from app.models.user import User
from app.services import settings as changes
from tests.helpers import login_client, mail_links, make_user, outbox_messages, text_of, unchanged
from tests.i18n_helpers import chinese_left, english


def user_row(uid) -> User:
    db.session.expire_all()
    return db.session.get(User, uid)


@pytest.fixture
def alice(app):
    return make_user("alice", "alice@example.com")


@pytest.fixture
def me(app, alice):
    return login_client(app, alice)


def outbox(app):
    return outbox_messages(app.config["OUTBOX_DIR"])


def confirm_path(message) -> str:
    link = next(link for link in mail_links(message) if "/settings/email/" in link)
    return urlsplit(link).path


def ask_change(client, email="new@example.com", password="secret123"):
    return client.post("/settings/email", data={"email": email, "password": password})


# -- the page --------------------------------------------------------------------------------

def test_settings_page_needs_login(client):
    """A visitor is sent to the login page."""
    resp = client.get("/settings")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_personal_page_links_to_settings(me):
    """The personal page has a link to the settings page."""
    assert 'href="/settings"' in text_of(me.get("/personal"))


def test_settings_page_shows_every_form(me):
    """The page has the four forms, the current nickname, address and the common zones."""
    page = text_of(me.get("/settings"))
    for form in ("language-form", "timezone-form", "nickname-form", "email-form"):
        assert f'data-testid="{form}"' in page
    assert 'value="alice"' in page and "alice@example.com" in page
    assert '<option value="Asia/Tokyo">Asia/Tokyo</option>' in page


# -- language and zone -----------------------------------------------------------------------

def test_language_is_saved_and_flashed_in_it(me, alice):
    """Choosing English saves it on the account, sets the cookie and says so in English."""
    resp = me.post("/settings/language", data={"locale": "en"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/settings"
    assert "locale=en" in resp.headers["Set-Cookie"]
    assert user_row(alice.id).locale == "en"
    assert "Language saved" in text_of(me.get("/settings"))


@pytest.mark.parametrize("code", ["fr", "", "zh-TW", "x" * 300])
def test_unknown_language_is_refused(me, alice, code):
    """A language fisher does not speak is refused with a message; nothing changes."""
    with unchanged():
        resp = me.post("/settings/language", data={"locale": code})
    assert resp.status_code == 400 and "不支持这种语言" in text_of(resp)


def test_timezone_is_saved_and_stays_selected(me, alice):
    """A common zone is saved and shown selected afterwards."""
    resp = me.post("/settings/timezone", data={"timezone": "Asia/Tokyo"})
    assert resp.status_code == 302
    assert user_row(alice.id).timezone == "Asia/Tokyo"
    assert '<option selected value="Asia/Tokyo">' in text_of(me.get("/settings"))


def test_uncommon_stored_zone_is_offered_and_selected(me, alice):
    """A stored zone outside the common list is still offered, selected."""
    assert me.post("/settings/timezone", data={"timezone": "Europe/Paris"}).status_code == 302
    assert '<option selected value="Europe/Paris">' in text_of(me.get("/settings"))


def test_empty_zone_goes_back_to_the_site_zone(me, alice):
    """The site-default choice clears the stored zone."""
    me.post("/settings/timezone", data={"timezone": "Asia/Tokyo"})
    assert me.post("/settings/timezone", data={"timezone": ""}).status_code == 302
    assert user_row(alice.id).timezone is None


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Asia/Shanghai; DROP", "x" * 200])
def test_unknown_zone_is_refused(me, alice, zone):
    """A name zoneinfo does not know is refused under the field; nothing changes."""
    with unchanged():
        resp = me.post("/settings/timezone", data={"timezone": zone})
    assert resp.status_code == 400 and "未知的时区" in text_of(resp)


# -- nickname --------------------------------------------------------------------------------

def test_nickname_changes(me, alice):
    """A free nickname that follows the rules is taken (surrounding spaces stripped)."""
    resp = me.post("/settings/nickname", data={"nickname": "  爱丽丝  "})
    assert resp.status_code == 302
    assert user_row(alice.id).nickname == "爱丽丝"
    assert "昵称已更新" in text_of(me.get("/settings"))


@pytest.mark.parametrize("nickname, message", [
    ("", "昵称不能为空"), ("   ", "昵称不能为空"), ("甲", "昵称至少需要两个字符，最多10个字符"),
    ("一二三四五六七八九十一", "昵称至少需要两个字符，最多10个字符")])
def test_nickname_follows_registration_rules(me, alice, nickname, message):
    """Blank, too short and too long nicknames get registration's messages."""
    with unchanged():
        resp = me.post("/settings/nickname", data={"nickname": nickname})
    assert resp.status_code == 400 and message in text_of(resp)


def test_taken_nickname_is_refused(app, me, alice):
    """Another account's nickname is refused as at registration."""
    make_user("bob")
    with unchanged():
        resp = me.post("/settings/nickname", data={"nickname": "bob"})
    assert resp.status_code == 400 and "昵称已存在" in text_of(resp)


def test_keeping_my_own_nickname_is_allowed(me, alice):
    """Saving my current nickname is not "taken" by myself."""
    assert me.post("/settings/nickname", data={"nickname": "alice"}).status_code == 302


def test_nickname_taken_a_moment_ago_is_a_field_error(app, me, alice, monkeypatch):
    """When the check passes but the unique constraint fires, the answer is a field error."""
    make_user("bob")
    monkeypatch.setattr(User, "nickname_taken", staticmethod(lambda *a, **k: False))
    with unchanged():
        resp = me.post("/settings/nickname", data={"nickname": "bob"})
    assert resp.status_code == 400 and "昵称已存在" in text_of(resp)


# -- email: asking ---------------------------------------------------------------------------

def test_email_change_mails_the_new_address_and_tells_the_old(app, me, alice):
    """The new address gets a confirmation link, the old one a notice; the address stays for now."""
    resp = ask_change(me)
    assert resp.status_code == 302
    new, old = outbox(app)
    assert new["To"] == "new@example.com" and new["Subject"] == "[鱼书] 确认你的新邮箱"
    assert confirm_path(new).startswith("/settings/email/")
    assert old["To"] == "alice@example.com" and "new@example.com" in old.get_body(("plain",)).get_content()
    assert not any("/settings/email/" in link for link in mail_links(old))
    assert user_row(alice.id).email == "alice@example.com"


def test_email_change_mail_is_in_the_account_language(app, me, alice):
    """An English account gets both mails in English."""
    me.post("/settings/language", data={"locale": "en"})
    ask_change(me)
    new, old = outbox(app)
    assert new["Subject"] == "[Fisher] Confirm your new email address"
    assert chinese_left(new.get_body(("plain",)).get_content() + old.get_body(("plain",)).get_content()
                        + old["Subject"], allowed=["alice"]) == []


@pytest.mark.parametrize("email, message", [
    ("", "电子邮件不能为空"), ("not-an-email", "电子邮件不符合规范"),
    ("a" * 60 + "@example.com", "电子邮件长度须在 8 到 64 个字符之间"),
    ("Alice@Example.com", "这已经是你的电子邮件地址"), ("bob@example.com", "电子邮件已被注册"),
    ("BOB@example.com", "电子邮件已被注册")])
def test_bad_new_address_is_refused(app, me, alice, email, message):
    """Blank, malformed, too long, my own and another account's address are refused; no mail."""
    make_user("bob", "bob@example.com")
    resp = ask_change(me, email=email)
    assert resp.status_code == 400 and message in text_of(resp)
    assert outbox(app) == []


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_email_change_needs_the_current_password(app, me, alice, password):
    """A wrong or missing password is refused and sends nothing."""
    resp = ask_change(me, password=password)
    assert resp.status_code == 400
    assert ("密码不正确" if password else "请输入当前密码") in text_of(resp)
    assert outbox(app) == []


# -- email: confirming -----------------------------------------------------------------------

def test_link_changes_the_address_once(app, me, alice):
    """GET shows a button and changes nothing; the POST changes the address; the link then dies."""
    ask_change(me)
    path = confirm_path(outbox(app)[0])
    with unchanged():
        page = me.get(path)
    assert page.status_code == 200 and "new@example.com" in text_of(page)
    resp = me.post(path)
    assert resp.status_code == 302 and resp.headers["Location"] == "/settings"
    assert user_row(alice.id).email == "new@example.com"
    assert me.post(path).status_code == 400
    assert me.get(path).status_code == 400


def test_link_works_when_logged_out(app, me, alice):
    """The link works in a browser with no session, then sends to the login page."""
    ask_change(me)
    path = confirm_path(outbox(app)[0])
    resp = app.test_client().post(path)
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert user_row(alice.id).email == "new@example.com"


def test_address_taken_meanwhile_is_refused(app, me, alice):
    """When another account took the new address before the link is opened, nothing changes."""
    ask_change(me)
    path = confirm_path(outbox(app)[0])
    make_user("carol", "new@example.com")
    with unchanged():
        resp = me.post(path)
    assert resp.status_code == 400 and "电子邮件已被注册" in text_of(resp)


def test_address_taken_in_a_race_is_refused(app, me, alice, monkeypatch):
    """When the check passes but the unique constraint fires, the answer is the same refusal."""
    ask_change(me)
    path = confirm_path(outbox(app)[0])
    make_user("carol", "new@example.com")
    monkeypatch.setattr(User, "email_taken", staticmethod(lambda *_: False))
    with unchanged():
        resp = me.post(path)
    assert resp.status_code == 400 and "电子邮件已被注册" in text_of(resp)


def test_an_older_link_dies_when_the_address_changes(app, me, alice):
    """Two links asked: once one is used, the other (made for the old address) is dead."""
    ask_change(me, "first@example.com")
    ask_change(me, "second@example.com")
    first, _, second, _ = outbox(app)
    assert me.post(confirm_path(second)).status_code == 302
    with unchanged():
        assert me.post(confirm_path(first)).status_code == 400
    assert user_row(alice.id).email == "second@example.com"


def test_expired_link_is_refused(app, me, alice, monkeypatch):
    """A link older than EMAIL_CHANGE_TOKEN_MAX_AGE is refused."""
    import time
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() - 25 * 3600)
    token = changes.email_change_token(alice, "new@example.com")
    monkeypatch.setattr("itsdangerous.timed.time.time", real_time)
    with unchanged():
        resp = me.post(f"/settings/email/{token}")
    assert resp.status_code == 400 and "链接无效、已过期或已经用过" in text_of(resp)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 300])
def test_bad_link_is_refused(me, token):
    """A malformed token is the invalid-link page."""
    with unchanged():
        assert me.get(f"/settings/email/{token}").status_code == 400
        assert me.post(f"/settings/email/{token}").status_code == 400


def test_forged_link_is_refused(app, me, alice):
    """A token signed with another key, or with the reset salt, changes nothing."""
    from itsdangerous import URLSafeTimedSerializer
    data = {"uid": alice.id, "new": "evil@example.com", "old": "alice@example.com"}
    forged = [URLSafeTimedSerializer("not-the-key", salt=changes.EMAIL_CHANGE_SALT).dumps(data),
              URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="fisher.reset-password").dumps(data)]
    with unchanged():
        for token in forged:
            assert me.post(f"/settings/email/{token}").status_code == 400


def test_another_users_link_cannot_change_my_address(app, me, alice):
    """Bob's link, opened in my session, moves Bob's account, never mine."""
    bob = make_user("bob", "bob@example.com")
    bob_client = login_client(app, bob)
    ask_change(bob_client, "bob-new@example.com")
    path = confirm_path(outbox(app)[0])
    assert me.post(path).status_code == 302
    assert user_row(alice.id).email == "alice@example.com"
    assert user_row(bob.id).email == "bob-new@example.com"


# -- CSRF and English ------------------------------------------------------------------------

@pytest.mark.parametrize("path, data", [
    ("/settings/language", {"locale": "en"}), ("/settings/timezone", {"timezone": "UTC"}),
    ("/settings/nickname", {"nickname": "newname"}),
    ("/settings/email", {"email": "new@example.com", "password": "secret123"})])
def test_settings_forms_need_the_csrf_token(app_factory, path, data):
    """With CSRF on, each settings POST without its token is refused and changes nothing."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = login_client(app, make_user("alice", "alice@example.com"))
        with unchanged():
            assert client.post(path, data=data).status_code == 400
        assert outbox(app) == []


def test_confirm_link_post_needs_the_csrf_token(app_factory):
    """The confirmation button's POST carries the token; without it nothing changes."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        alice = make_user("alice", "alice@example.com")
        token = changes.email_change_token(alice, "new@example.com")
        client = app.test_client()
        page = text_of(client.get(f"/settings/email/{token}"))
        with unchanged():
            assert client.post(f"/settings/email/{token}").status_code == 400
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post(f"/settings/email/{token}", data={"csrf_token": csrf}).status_code == 302
        assert user_row(alice.id).email == "new@example.com"


def test_settings_page_in_english(app, me, alice):
    """The settings page, its errors and the confirm page read wholly in English."""
    english(me)
    page = text_of(me.get("/settings"))
    assert "Account settings" in page and chinese_left(page, allowed=["alice"]) == []
    errors = text_of(me.post("/settings/nickname", data={"nickname": "x"}))
    assert chinese_left(errors, allowed=["alice"]) == []
    errors = text_of(me.post("/settings/timezone", data={"timezone": "Mars/Olympus"}))
    assert "Mars/Olympus" in errors and chinese_left(errors, allowed=["alice"]) == []
    errors = text_of(ask_change(me, password="wrong-password"))
    assert chinese_left(errors, allowed=["alice"]) == []
    ask_change(me)
    path = confirm_path(outbox(app)[0])
    assert chinese_left(text_of(me.get(path)), allowed=["alice"]) == []
    assert chinese_left(text_of(me.get("/settings/email/garbage")), allowed=["alice"]) == []
    me.post(path)
    assert chinese_left(text_of(me.get("/settings")), allowed=["alice"]) == []


# -- email verification at registration ------------------------------------------------------

def verify_path(message) -> str:
    link = next(link for link in mail_links(message) if "/verify/email/" in link)
    return urlsplit(link).path


@pytest.fixture
def vapp(app_factory):
    """An app with EMAIL_VERIFICATION on (the other tests' config turns it off)."""
    app = app_factory(EMAIL_VERIFICATION=True)
    with app.app_context():
        yield app


@pytest.fixture
def vclient(vapp):
    return vapp.test_client()


def registered(app, client, email="dora@example.com", nickname="dora"):
    """Register through the form; the new account's row."""
    assert client.post("/register", data={"email": email, "nickname": nickname,
                                          "password": "secret123"}).status_code == 302
    return db.session.scalar(select(User).where(User.email == email))


def test_registration_mails_a_verification_link(vapp, vclient):
    """A new account starts unverified and gets a link that verifies it (GET changes nothing)."""
    user = registered(vapp, vclient)
    assert user.email_verified is False
    (mail,) = outbox(vapp)
    assert mail["To"] == "dora@example.com" and mail["Subject"] == "[鱼书] 请验证你的邮箱"
    path = verify_path(mail)
    with unchanged():
        assert vclient.get(path).status_code == 200
    assert vclient.post(path).status_code == 302
    assert user_row(user.id).email_verified is True


def test_unverified_notice_and_resend(vapp, vclient):
    """The personal and settings pages say what an unverified account misses; resend mails a new link."""
    registered(vapp, vclient)
    for path in ("/personal", "/settings"):
        page = text_of(vclient.get(path))
        assert 'data-testid="unverified"' in page and "不会发邮件给你" in page
    assert vclient.post("/settings/verify/resend").status_code == 302
    assert len(outbox(vapp)) == 2 and outbox(vapp)[1]["To"] == "dora@example.com"


def test_verified_account_has_no_notice(app, me):
    """A verified account (made before 0012, or with EMAIL_VERIFICATION off) sees no notice; resend mails nothing."""
    assert 'data-testid="unverified"' not in text_of(me.get("/settings"))
    assert me.post("/settings/verify/resend").status_code == 302
    assert outbox(app) == []


def test_resend_is_rate_limited(app_factory):
    """Past VERIFY_RESEND_RATE_LIMIT the resend answers 429 and mails nothing more."""
    app = app_factory(EMAIL_VERIFICATION=True, VERIFY_RESEND_RATE_LIMIT="2 per hour")
    with app.app_context():
        client = app.test_client()
        registered(app, client)
        assert [client.post("/settings/verify/resend").status_code for _ in range(3)] == [302, 302, 429]
        assert len(outbox(app)) == 3  # the registration's and two resent


def test_unverified_account_gets_no_notice_mail(vapp, vclient):
    """A notice for an unverified account is written but not mailed; once verified, mail comes."""
    from app.services.notices import notify
    user = registered(vapp, vclient)
    with db.auto_commit():
        notify(user.id, "invitation", isbn="9787536692930", book_title="三体", actor="alice")
    assert len(outbox(vapp)) == 1  # only the verification mail
    vclient.post(verify_path(outbox(vapp)[0]))
    with db.auto_commit():
        notify(user.id, "invitation", isbn="9787536692930", book_title="三体", actor="alice")
    assert len(outbox(vapp)) == 2


@pytest.mark.parametrize("token", ["garbage", "x" * 300])
def test_bad_verification_link_is_refused(vapp, vclient, token):
    """A malformed verification token changes nothing."""
    registered(vapp, vclient)
    with unchanged():
        assert vclient.get(f"/verify/email/{token}").status_code == 400
        resp = vclient.post(f"/verify/email/{token}")
    assert resp.status_code == 400 and "链接无效、已过期或已经用过" in text_of(resp)


def test_verification_link_dies_with_the_address(vapp, vclient, monkeypatch):
    """A verification link for the old address does not verify the account's new one."""
    user = registered(vapp, vclient)
    old_link = verify_path(outbox(vapp)[0])
    with db.auto_commit():
        db.session.execute(update(User).where(User.id == user.id).values(email="moved@example.com"))
    with unchanged():
        assert vclient.post(old_link).status_code == 400


def test_expired_verification_link_is_refused(vapp, vclient, monkeypatch):
    """A verification link older than EMAIL_VERIFY_TOKEN_MAX_AGE is refused."""
    import time
    from app.services import email_verification
    user = registered(vapp, vclient)
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() - 4 * 24 * 3600)
    token = email_verification.verification_token(user)
    monkeypatch.setattr("itsdangerous.timed.time.time", real_time)
    with unchanged():
        assert vclient.post(f"/verify/email/{token}").status_code == 400


def test_confirmed_email_change_counts_as_verified(vapp, vclient):
    """Opening the link mailed to a new address verifies the account."""
    user = registered(vapp, vclient)
    ask_change(vclient)
    vclient.post(confirm_path(outbox(vapp)[1]))
    row = user_row(user.id)
    assert row.email == "new@example.com" and row.email_verified is True


def test_unverified_notice_and_verify_pages_in_english(vapp, vclient):
    """The notice, the verification mail and the verify page read wholly in English."""
    english(vclient)
    registered(vapp, vclient)
    assert chinese_left(text_of(vclient.get("/settings")), allowed=["dora"]) == []
    assert chinese_left(text_of(vclient.get("/personal")), allowed=["dora"]) == []
    mail = outbox(vapp)[0]
    assert mail["Subject"] == "[Fisher] Please verify your email address"
    assert chinese_left(mail.get_body(("plain",)).get_content(), allowed=["dora"]) == []
    assert chinese_left(text_of(vclient.get(verify_path(mail))), allowed=["dora"]) == []
    assert chinese_left(text_of(vclient.get("/verify/email/garbage")), allowed=["dora"]) == []


def test_settings_page_links_to_addresses_and_deletion(app):
    """/settings leads on to the saved addresses and to deleting the account."""
    from tests.helpers import login_client, make_user
    page = login_client(app, make_user("爱丽丝", "alice@example.com")).get("/settings").get_data(as_text=True)
    assert 'href="/settings/addresses"' in page and 'href="/settings/delete"' in page


def test_email_change_ends_other_sessions(app, me, alice):
    """A confirmed new address logs the account out everywhere but the browser that confirmed it."""
    other = login_client(app, alice)
    assert other.get("/settings").status_code == 200
    ask_change(me)
    assert me.post(confirm_path(outbox(app)[0])).status_code == 302
    assert me.get("/settings").status_code == 200
    resp = other.get("/settings")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_email_change_confirmed_elsewhere_ends_every_session(app, me, alice):
    """A link opened in a browser with no session ends every session of the account."""
    ask_change(me)
    assert app.test_client().post(confirm_path(outbox(app)[0])).status_code == 302
    assert me.get("/settings").status_code == 302


def test_resend_limit_outlives_logging_out_everywhere(app_factory):
    """Ending every session (a new session generation) does not reset the account's resend limit."""
    app = app_factory(EMAIL_VERIFICATION=True, VERIFY_RESEND_RATE_LIMIT="2 per hour")
    with app.app_context():
        client = app.test_client()
        registered(app, client)
        assert [client.post("/settings/verify/resend").status_code for _ in range(2)] == [302, 302]
        dora = db.session.scalar(select(User).where(User.email == "dora@example.com"))
        again = login_client(app, dora)
        assert again.post("/logout/everywhere").status_code == 302
        again = login_client(app, user_row(dora.id))
        assert again.post("/settings/verify/resend").status_code == 429

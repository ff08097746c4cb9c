"""Account defences: which addresses the forms take, per-account limits keyed on the account a
request reaches, equal work for unknown accounts, registration throttling and the 429 page."""
import os
import re

import pytest
from sqlalchemy import select, update

from app.models.base import db
from app.models.user import User
from tests.helpers import login_client, make_user, text_of

ON_MARIADB = (os.environ.get("FISHER_TEST_DATABASE_URL") or "").startswith("mysql")
mariadb_only = pytest.mark.skipif(
    not ON_MARIADB, reason="needs the MariaDB pass (FISHER_TEST_DATABASE_URL=mysql+pymysql://...)")

FORMS = {
    "/register": {"nickname": "新读者", "password": "secret123"},
    "/login": {"password": "secret123"},
    "/reset/password": {},
}
NOT_ASCII = "电子邮件地址只能使用英文字母、数字和符号"


def from_address(addr: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": addr}}


def outbox_files(app) -> list:
    folder = app.config["OUTBOX_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


# -- addresses the forms take ------------------------------------------------

@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("email", ["读者@example.com", "vïctim@example.com", "alice@例子.中国",
                                   "İ" * 27 + "@example.com"])
def test_forms_refuse_non_ascii_addresses(client, path, email):
    """Every form that takes an email refuses one we could never mail, with a clear message."""
    resp = client.post(path, data={**FORMS[path], "email": email})
    assert resp.status_code == 200 and NOT_ASCII in text_of(resp)
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize("path", FORMS)
def test_address_that_grows_when_normalised_is_refused(client, path):
    """A 39-character address whose canonical form has 66 characters gets a form message, not a 500."""
    email = "ﬀ" * 27 + "@example.com"  # NFKC turns each ligature into "ff"
    resp = client.post(path, data={**FORMS[path], "email": email})
    assert resp.status_code == 200 and "电子邮件长度须在 8 到 64 个字符之间" in text_of(resp)
    assert db.session.scalar(select(User)) is None


def test_register_stores_the_canonical_address(client, auth):
    """Full-width letters typed with a Chinese input method are stored as plain lower case."""
    assert auth.register(email="ＡＬＩＣＥ@Example.com").status_code == 302
    assert db.session.scalar(select(User.email)) == "alice@example.com"
    auth.logout()
    assert auth.login(email="ａｌｉｃｅ@example.com").status_code == 302


# -- accent and case variants on MariaDB ---------------------------------------

@mariadb_only
def test_accented_address_is_not_the_account_on_mariadb(app, client):
    """vïctim@… neither logs in as, resets nor is found as victim@… (utf8mb4_bin on user.email)."""
    victim = make_user("受害人", "victim@example.com")
    assert User.by_email("vïctim@example.com") is None
    assert User.by_email("victim@example.com").id == victim.id
    assert not User.email_taken("vïctim@example.com")
    login = client.post("/login", data={"email": "vïctim@example.com", "password": "secret123"})
    assert login.status_code == 200 and client.get("/personal").status_code == 302
    client.post("/reset/password", data={"email": "vïctim@example.com"})
    assert outbox_files(app) == []


@mariadb_only
def test_mariadb_compares_stored_addresses_exactly(app):
    """A row stored before canonical addresses existed is found only by its exact value."""
    user = make_user("旧用户", "old@example.com")
    with db.auto_commit():
        db.session.execute(update(User).where(User.id == user.id).values(email="vïctim@example.com"))
    assert User.by_email("victim@example.com") is None
    assert User.by_email("vïctim@example.com").id == user.id


def test_account_limit_holds_across_variants_of_the_address(app_factory):
    """Case and full-width variants reach one account, so they share its limit, from any address."""
    app = app_factory(ACCOUNT_RATE_LIMIT="4 per hour")
    with app.app_context():
        make_user("受害人", "victim@example.com")
        client = app.test_client()
        variants = ["Victim@example.com", "VICTIM@EXAMPLE.COM", "ｖｉｃｔｉｍ@example.com", " victim@Example.com"]
        for n, email in enumerate(variants):
            resp = client.post("/login", data={"email": email, "password": "wrong-pass"},
                               **from_address(f"10.0.0.{n}"))
            assert resp.status_code == 200
        resp = client.post("/login", data={"email": "victim@example.com", "password": "secret123"},
                           **from_address("10.0.1.1"))
        assert resp.status_code == 429


def test_foreign_variant_does_not_count_against_the_account(app_factory):
    """Guesses with vïctim@… never use up victim@…'s limit: the owner still logs in."""
    app = app_factory(ACCOUNT_RATE_LIMIT="3 per hour")
    with app.app_context():
        make_user("受害人", "victim@example.com")
        client = app.test_client()
        for n in range(5):
            client.post("/login", data={"email": "vïctim@example.com", "password": "secret123"},
                        **from_address(f"10.0.0.{n}"))
        resp = client.post("/login", data={"email": "victim@example.com", "password": "secret123"},
                           **from_address("10.0.1.1"))
        assert resp.status_code == 302


# -- equal work for unknown accounts -------------------------------------------

@pytest.fixture
def password_checks(monkeypatch):
    """The stored hashes passed to werkzeug's check, one per password check."""
    from app.models import user as user_module

    seen = []
    real = user_module.check_password_hash

    def counting(pwhash, password):
        seen.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(user_module, "check_password_hash", counting)
    return seen


@pytest.mark.parametrize("email", ["nobody@example.com", "alice@example.com"])
def test_login_checks_one_hash_whether_or_not_the_account_exists(app, client, password_checks, email):
    """An unknown account costs the same single hash check, of the configured method, as a wrong password."""
    make_user("爱丽丝", "alice@example.com")
    with db.auto_commit():  # a real hash of the configured method, as registration makes
        db.session.scalar(select(User)).password = "secret123"
    resp = client.post("/login", data={"email": email, "password": "wrong-pass"})
    assert resp.status_code == 200 and "账号不存在或密码错误" in text_of(resp)
    assert len(password_checks) == 1
    assert password_checks[0].startswith(app.config["PASSWORD_HASH_METHOD"] + "$")


def test_deleted_account_costs_a_hash_check_too(app, client, password_checks):
    """A soft-deleted account is answered like an unknown one, after the same work."""
    user = make_user("爱丽丝", "alice@example.com")
    with db.auto_commit():
        db.session.get(User, user.id).delete()
    resp = client.post("/login", data={"email": "alice@example.com", "password": "secret123"})
    assert resp.status_code == 200 and len(password_checks) == 1


# -- registration throttling ---------------------------------------------------

def test_registration_is_throttled_per_address(app_factory):
    """REGISTER_RATE_LIMIT caps accounts made from one address; a refused form uses no slot."""
    client = app_factory(REGISTER_RATE_LIMIT="2 per hour").test_client()

    def register(n, addr, password="secret123"):
        return client.post("/register", data={"email": f"user{n}@example.com", "nickname": f"用户{n}",
                                              "password": password}, **from_address(addr))

    assert register(0, "10.0.0.1", password="123456").status_code == 200  # too common: refused
    assert register(1, "10.0.0.1").status_code == 302
    client.post("/logout")
    assert register(2, "10.0.0.1").status_code == 302
    client.post("/logout")
    resp = register(3, "10.0.0.1")
    assert resp.status_code == 429 and "操作太频繁" in text_of(resp)
    assert register(4, "10.0.0.2").status_code == 302
    with client.application.app_context():
        assert len(db.session.scalars(select(User)).all()) == 3


def test_default_registration_limit_is_set():
    """The shipped settings throttle registration (the test config raises the cap)."""
    from app import config
    assert re.fullmatch(r"\d+ per (minute|hour|day)", config.REGISTER_RATE_LIMIT)


# -- password change -----------------------------------------------------------

def test_change_password_is_throttled_per_account(app_factory):
    """Guessing the old password is limited per account, across addresses; the form then answers 429."""
    app = app_factory(ACCOUNT_RATE_LIMIT="3 per hour")
    with app.app_context():
        user = make_user("爱丽丝", "alice@example.com")
        client = login_client(app, user)
        data = {"old_password": "wrong-pass", "new_password1": "brand-new1", "new_password2": "brand-new1"}
        for n in range(3):
            resp = client.post("/change/password", data=data, **from_address(f"10.0.0.{n}"))
            assert resp.status_code == 200 and "原密码不正确" in text_of(resp)
        resp = client.post("/change/password", data={**data, "old_password": "secret123"},
                           **from_address("10.0.1.1"))
        assert resp.status_code == 429
        assert client.get("/change/password").status_code == 200  # only POSTs are counted
        db.session.expire_all()
        assert db.session.get(User, user.id).check_password("secret123")


def test_password_guesses_share_one_budget(app_factory):
    """Wrong old passwords on /change/password and wrong logins use the same per-account limit."""
    app = app_factory(ACCOUNT_RATE_LIMIT="4 per hour")
    with app.app_context():
        user = make_user("爱丽丝", "alice@example.com")
        client = login_client(app, user)
        for n in range(2):
            client.post("/change/password", data={"old_password": "wrong-pass", "new_password1": "brand-new1",
                                                  "new_password2": "brand-new1"}, **from_address(f"10.0.0.{n}"))
        other = app.test_client()
        for n in range(2):
            other.post("/login", data={"email": "alice@example.com", "password": "bad-pass"},
                       **from_address(f"10.0.2.{n}"))
        resp = other.post("/login", data={"email": "alice@example.com", "password": "secret123"},
                          **from_address("10.0.3.1"))
        assert resp.status_code == 429


# -- no lock-out from another address ------------------------------------------

def test_guesses_from_one_address_do_not_lock_out_the_owner(app_factory):
    """Ten wrong guesses from A throttle A (429), while the owner on B still logs in."""
    app = app_factory()
    with app.app_context():
        make_user("受害人", "victim@example.com")
        attacker, owner = app.test_client(), app.test_client()
        for _ in range(10):
            resp = attacker.post("/login", data={"email": "victim@example.com", "password": "bad-pass"},
                                 **from_address("10.0.0.1"))
            assert resp.status_code == 200
        resp = attacker.post("/login", data={"email": "victim@example.com", "password": "secret123"},
                             **from_address("10.0.0.1"))
        assert resp.status_code == 429
        resp = owner.post("/login", data={"email": "victim@example.com", "password": "secret123"},
                          **from_address("10.0.0.2"))
        assert resp.status_code == 302 and owner.get("/personal").status_code == 200


def test_reset_requests_from_one_address_do_not_lock_out_the_owner(app_factory, tmp_path):
    """Ten reset requests from A throttle A, while the owner on B still gets a reset link."""
    app = app_factory()
    with app.app_context():
        make_user("受害人", "victim@example.com")
        client = app.test_client()
        for _ in range(10):
            client.post("/reset/password", data={"email": "victim@example.com"}, **from_address("10.0.0.1"))
        resp = client.post("/reset/password", data={"email": "victim@example.com"}, **from_address("10.0.0.1"))
        assert resp.status_code == 429
        sent = len(outbox_files(app))
        resp = client.post("/reset/password", data={"email": "victim@example.com"}, **from_address("10.0.0.2"))
        assert resp.status_code == 302 and len(outbox_files(app)) == sent + 1


def test_account_cap_holds_for_guesses_from_many_addresses(app_factory):
    """A botnet's guesses from many addresses still meet ACCOUNT_RATE_LIMIT."""
    app = app_factory(ACCOUNT_RATE_LIMIT="5 per hour")
    with app.app_context():
        make_user("受害人", "victim@example.com")
        client = app.test_client()
        codes = [client.post("/login", data={"email": "victim@example.com", "password": "bad-pass"},
                             **from_address(f"10.0.{n}.1")).status_code for n in range(7)]
        assert codes == [200] * 5 + [429] * 2


# -- the 429 page --------------------------------------------------------------

def test_429_page_says_how_long_to_wait(client):
    """A throttled client is told roughly when to retry, and gets a Retry-After header."""
    for _ in range(10):
        client.post("/login", data={"email": "x@example.com", "password": "bad-pass"})
    resp = client.post("/login", data={"email": "x@example.com", "password": "bad-pass"})
    assert resp.status_code == 429
    assert "请在约 1 分钟后重试" in text_of(resp)
    assert 1 <= int(resp.headers["Retry-After"]) <= 60


def test_429_page_for_the_account_cap_names_its_window(app_factory):
    """The hourly per-account cap says to wait tens of minutes, and Retry-After agrees."""
    app = app_factory(ACCOUNT_RATE_LIMIT="1 per hour")
    with app.app_context():
        make_user("受害人", "victim@example.com")
        client = app.test_client()
        client.post("/login", data={"email": "victim@example.com", "password": "bad-pass"},
                    **from_address("10.0.0.1"))
        resp = client.post("/login", data={"email": "victim@example.com", "password": "bad-pass"},
                           **from_address("10.0.0.2"))
    assert resp.status_code == 429
    minutes = int(re.search(r"请在约 (\d+) 分钟后重试", text_of(resp)).group(1))
    assert 50 <= minutes <= 60
    assert 3000 <= int(resp.headers["Retry-After"]) <= 3600

"""Deleting an account (/settings/delete): the export offered first, refusal
while a drift is open, the anonymising unit of work, and what stays."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.libs.enums import PendingStatus
from app.models.address import Address
from app.models.api_token import ApiToken
from app.models.base import db
from app.models.bean_ledger import BeanLedger, ledger_sum
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User
from app.models.wish import Wish
from app.services import addresses, api_tokens
from tests.helpers import (DRIFT_FORM, HUOZHE, PYTHON, SANTI, login_client, make_user, outbox_messages,
                           text_of, unchanged)

HOME = {"recipient_name": "王小明", "mobile": "13800138000", "address": "北京市海淀区中关村大街 27 号 3 单元 501"}


class Trade:
    """Alice (gifter) lists 三体 and 活着 and wishes for Python编程; Bob (2 beans) requests 三体."""

    def __init__(self, app):
        self.app = app
        self.alice = make_user("爱丽丝", "alice@example.com")
        self.bob = make_user("鲍勃", "bob@example.com", beans=2)
        self.as_alice = login_client(app, self.alice)
        self.as_bob = login_client(app, self.bob)
        assert self.as_alice.post(f"/gifts/book/{SANTI}").status_code == 302
        assert self.as_alice.post(f"/gifts/book/{HUOZHE}").status_code == 302
        assert self.as_alice.post(f"/wishes/book/{PYTHON}").status_code == 302
        gid = db.session.scalar(select(Gift.id).where(Gift.isbn == SANTI))
        assert self.as_bob.post(f"/gifts/{gid}/request", data=DRIFT_FORM).status_code == 302
        self.did = db.session.scalar(select(Drift.id))

    def move(self, *steps):
        for step in steps:
            client = self.as_bob if step in ("received", "withdraw") else self.as_alice
            assert client.post(f"/drift/{self.did}/{step}").status_code == 302, step

    def user(self, uid) -> User:
        db.session.expire_all()
        return db.session.get(User, uid)


@pytest.fixture
def trade(app, books):
    return Trade(app)


def delete(client, password="secret123"):
    return client.post("/settings/delete", data={"password": password})


def test_page_offers_the_export_first(as_alice):
    """The page links to the data export and asks for the password."""
    page = text_of(as_alice.get("/settings/delete"))
    assert 'href="/personal/export"' in page and 'name="password"' in page
    assert page.index("/personal/export") < page.index('name="password"')


def test_page_needs_login(client):
    """A visitor is sent to log in."""
    assert client.get("/settings/delete").status_code == 302


@pytest.mark.parametrize("steps", [(), ("accept",), ("accept", "mailed")])
def test_refused_while_a_drift_is_open(trade, steps):
    """With a waiting, accepted or mailed drift, both parties are refused and the message names the book and the other party."""
    trade.move(*steps)
    page = text_of(trade.as_alice.get("/settings/delete"))
    assert "你还有进行中的鱼漂：《三体》（与 鲍勃）" in page and 'name="password"' not in page
    with unchanged():
        resp = delete(trade.as_alice)
        assert resp.status_code == 200 and "《三体》（与 鲍勃）" in text_of(resp)
        resp = delete(trade.as_bob)
        assert "《三体》（与 爱丽丝）" in text_of(resp)
    assert trade.user(trade.alice.id).nickname == "爱丽丝"


def test_refused_while_a_problem_is_reported(trade):
    """A drift with a reported problem is still open."""
    trade.move("accept", "mailed")
    assert trade.as_bob.post(f"/drift/{trade.did}/problem", data={"kind": "not_arrived"}).status_code == 302
    with unchanged():
        assert "《三体》（与 爱丽丝）" in text_of(delete(trade.as_bob))


def test_wrong_password_is_refused(trade):
    """A wrong or missing password changes nothing."""
    trade.move("reject")
    with unchanged():
        assert "密码不正确" in text_of(delete(trade.as_alice, "wrong-password"))
        assert "请输入当前密码" in text_of(delete(trade.as_alice, ""))


def test_deletion_after_a_finished_drift(app, trade):
    """After a received drift the account is anonymised; Bob's history, the drift and the ledger stay."""
    trade.move("accept", "mailed", "received")
    alice_id = trade.alice.id
    ledger_before = db.session.scalar(select(func.count()).select_from(BeanLedger).where(BeanLedger.uid == alice_id))
    beans_before = trade.user(alice_id).beans
    resp = delete(trade.as_alice)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"

    user = trade.user(alice_id)
    assert user.nickname == f"已注销用户 #{alice_id}" and user.email == f"deleted-{alice_id}@invalid"
    assert not user.check_password("secret123")
    # gifts and wishes still on the lists are withdrawn; the given gift stays, as the trade's history
    live_gifts = db.session.scalars(select(Gift).where(Gift.uid == alice_id)).all()
    assert [(g.isbn, g.launched) for g in live_gifts] == [(SANTI, True)]
    assert db.session.scalar(select(func.count()).select_from(Wish).where(Wish.uid == alice_id)) == 0
    # the ledger is kept, no debt is made, the balance still equals the ledger
    assert db.session.scalar(select(func.count()).select_from(BeanLedger)
                             .where(BeanLedger.uid == alice_id)) == ledger_before
    assert user.bean_debt == Decimal("0") and user.beans == beans_before == ledger_sum(alice_id)
    # Bob still sees the finished drift, with the book and Alice's name as it was
    drift = db.session.get(Drift, trade.did)
    assert drift.pending == PendingStatus.RECEIVED and drift.gifter_nickname == "爱丽丝"
    page = text_of(trade.as_bob.get("/pending"))
    assert "三体" in page and "爱丽丝" in page
    # Alice's session ended: she is logged out
    assert trade.as_alice.get("/settings/delete").status_code == 302


def test_requesters_mailing_details_are_erased(app, trade):
    """A deleted requester's address on a closed drift is erased at once."""
    trade.move("accept", "mailed", "received")
    assert delete(trade.as_bob).status_code == 302
    drift = db.session.get(Drift, trade.did)
    db.session.refresh(drift)
    assert drift.address_erased and drift.address == "" and drift.mobile == ""
    assert drift.requester_nickname == "鲍勃" and drift.book_title == "三体"


def test_old_password_and_reset_no_longer_work(app, trade, tmp_path):
    """Neither the old email nor the placeholder logs in with the old password, and a reset request sends nothing."""
    trade.move("reject")
    uid = trade.alice.id
    assert delete(trade.as_alice).status_code == 302
    mails_before = len(outbox_messages(tmp_path / "outbox"))
    client = app.test_client()
    for email in ("alice@example.com", f"deleted-{uid}@invalid"):
        resp = client.post("/login", data={"email": email, "password": "secret123"})
        assert resp.status_code == 200, email  # the form again, not a redirect
    assert client.get("/settings/delete").status_code == 302
    assert client.post("/reset/password", data={"email": "alice@example.com"}).status_code == 302
    assert len(outbox_messages(tmp_path / "outbox")) == mails_before  # no reset mail
    client.post("/reset/password", data={"email": "bob@example.com"})  # a live account does get one
    assert len(outbox_messages(tmp_path / "outbox")) == mails_before + 1


def test_old_email_can_register_again(app, trade):
    """The old email is free again: a new account, not the old one, is made with it."""
    trade.move("reject")
    uid = trade.alice.id
    delete(trade.as_alice)
    resp = app.test_client().post("/register", data={"email": "alice@example.com", "nickname": "新爱丽丝",
                                                      "password": "another-pass-42"})
    assert resp.status_code == 302
    assert User.by_email("alice@example.com").id != uid


def test_tokens_addresses_and_sessions_end(app, trade):
    """API tokens are revoked, saved addresses erased and every other session ended."""
    trade.move("reject")
    _token, secret = api_tokens.create_token(trade.alice, "脚本", "read")
    addresses.add_address(trade.alice, HOME)
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me/ledger", headers=headers).status_code == 200
    other_device = login_client(app, trade.user(trade.alice.id))
    assert delete(trade.as_alice).status_code == 302
    assert app.test_client().get("/api/v1/me/ledger", headers=headers).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.uid == trade.alice.id)) == 0
    erased = db.session.scalars(select(Address).where(Address.uid == trade.alice.id)
                                .execution_options(include_deleted=True)).all()
    assert erased and all(a.status == 0 and a.address == "" and a.mobile == "" for a in erased)
    assert other_device.get("/settings/delete").status_code == 302


def test_withdrawn_drift_does_not_block(trade):
    """A drift the requester withdrew is closed: the requester may delete."""
    trade.move("withdraw")
    assert delete(trade.as_bob).status_code == 302
    assert trade.user(trade.bob.id).email == f"deleted-{trade.bob.id}@invalid"


def test_csrf_token_required(app_factory):
    """With CSRF on, the form carries a token and a POST without one is refused."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user("爱丽丝", "alice@example.com")
        client = login_client(app, user)
        assert 'name="csrf_token"' in text_of(client.get("/settings/delete"))
        with unchanged():
            assert client.post("/settings/delete", data={"password": "secret123"}).status_code == 400


def test_deleted_contributor_is_named_in_the_readers_language(app_factory, tmp_path):
    """A book added by a deleted account says who added it as "已注销用户 #id" in Chinese and "Deleted user #id" in English."""
    app = app_factory(COVERS_DIR=str(tmp_path / "covers"))
    with app.app_context():
        carol = make_user("卡罗尔", "carol@example.com")
        as_carol = login_client(app, carol)
        isbn = "9787111111115"
        assert as_carol.post("/book/new", data={"isbn": isbn, "title": "宇宙尽头的茶馆", "authors": "宝树"}
                             ).status_code == 302
        assert delete(as_carol).status_code == 302
        reader = app.test_client()
        assert f"由 已注销用户 #{carol.id} 添加" in text_of(reader.get(f"/book/{isbn}/detail"))
        reader.set_cookie("locale", "en")
        page = text_of(reader.get(f"/book/{isbn}/detail"))
        assert f"Added by Deleted user #{carol.id}" in page and "卡罗尔" not in page

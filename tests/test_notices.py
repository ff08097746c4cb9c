"""In-site notices: the list, marking read, the navigation's counts and the
per-kind email settings."""
import queue
import re

import pytest
from sqlalchemy import select, update

from app.models.base import DELETED, db
from app.models.drift import Drift
from app.models.notice import MailState, Notice
from app.services import drift as drifts
from tests.helpers import DRIFT_FORM, SANTI, add_books, login_client, make_gift, make_user


@pytest.fixture
def requested(app):
    """Bob asked for Alice's gift: Alice has one unread notice and one drift waiting on her."""
    add_books()
    alice = make_user("alice", "alice@example.com")
    bob = make_user("bob", "bob@example.com", beans=1)
    did = drifts.request_gift(bob, make_gift(alice, SANTI).id, dict(DRIFT_FORM)).id
    return alice, bob, did


def _count(html: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}">(\d+)', html)
    return int(match.group(1)) if match else 0


def test_notices_page_lists_only_mine_newest_first(app, requested):
    """Alice sees Bob's request on /notices; Bob sees none of Alice's notices."""
    alice, bob, did = requested
    drifts.accept(alice, did)
    alice_page = login_client(app, alice).get("/notices").get_data(as_text=True)
    assert "bob 想要你的《三体》" in alice_page and "同意把" not in alice_page
    bob_page = login_client(app, bob).get("/notices").get_data(as_text=True)
    assert "alice 同意把《三体》送给你" in bob_page and "想要你的" not in bob_page
    assert f"/pending#drift-{did}" in bob_page


def test_notices_need_login(client):
    """A visitor is sent to log in."""
    assert client.get("/notices").status_code == 302
    assert client.post("/notices/read").status_code == 302


def test_badge_counts_unread_notices_and_drifts_waiting_on_me(app, requested):
    """The nav counts 1 unread and 1 waiting for the gifter; reading clears the first, mailing the second
    (and the requester then has the mailed drift waiting on them)."""
    alice, bob, did = requested
    page = login_client(app, alice).get("/pending").get_data(as_text=True)
    assert (_count(page, "unread-count"), _count(page, "waiting-count")) == (1, 1)
    client = login_client(app, alice)
    client.post("/notices/read")
    page = client.get("/pending").get_data(as_text=True)
    assert (_count(page, "unread-count"), _count(page, "waiting-count")) == (0, 1)
    drifts.accept(alice, did)
    drifts.mailed(alice, did)
    page = client.get("/pending").get_data(as_text=True)
    assert _count(page, "waiting-count") == 0
    bob_page = login_client(app, bob).get("/pending").get_data(as_text=True)
    assert (_count(bob_page, "unread-count"), _count(bob_page, "waiting-count")) == (2, 1)


def test_badge_leaves_out_deleted_notices_and_drifts(app, requested):
    """Soft-deleted notices and drifts count in neither of the nav's badges (one query asks both)."""
    alice, _bob, did = requested
    with db.auto_commit():
        db.session.execute(update(Notice).where(Notice.uid == alice.id).values(status=DELETED))
        db.session.execute(update(Drift).where(Drift.id == did).values(status=DELETED))
    page = login_client(app, alice).get("/pending").get_data(as_text=True)
    assert (_count(page, "unread-count"), _count(page, "waiting-count")) == (0, 0)


def test_mark_one_read_touches_only_my_own(app, requested):
    """POST /notices/read with another user's notice id changes nothing; with mine it marks it."""
    alice, bob, _ = requested
    mine = db.session.scalar(select(Notice.id).where(Notice.uid == alice.id))
    login_client(app, bob).post("/notices/read", data={"id": mine})
    db.session.expire_all()
    assert db.session.get(Notice, mine).read is False
    login_client(app, alice).post("/notices/read", data={"id": mine})
    db.session.expire_all()
    assert db.session.get(Notice, mine).read is True


def test_notice_is_written_in_the_same_unit_of_work(app, requested, monkeypatch):
    """A transition that fails after its notice was added leaves no notice behind."""
    alice, bob, did = requested
    from app.services import drift as module

    def broken(*args, **kwargs):
        raise RuntimeError("the bean update failed")

    monkeypatch.setattr(module, "change_beans", broken)
    with pytest.raises(RuntimeError):
        drifts.reject(alice, did)
    db.session.expire_all()
    assert db.session.scalars(select(Notice.kind).where(Notice.uid == bob.id)).all() == []


def test_switched_off_kind_writes_the_notice_but_sends_no_mail(mail_app):
    """With 'request' mail off the gifter still gets the notice, with no email; with it on, both."""
    sink = mail_app.smtp_sink
    add_books()
    alice = make_user("alice", "alice@example.com")
    bob = make_user("bob", "bob@example.com", beans=1)
    carol = make_user("carol", "carol@example.com", beans=1)
    groups = ["accepted", "mailed", "received", "reminder", "wish", "invitation"]  # not "request"
    login_client(mail_app, alice).post("/personal/mail", data={"mail": groups})
    gift = make_gift(alice, SANTI)
    drifts.request_gift(bob, gift.id, dict(DRIFT_FORM))
    with pytest.raises(queue.Empty):
        sink.next(timeout=0.5)
    assert db.session.scalar(select(Notice.mail_state).where(Notice.uid == alice.id)) == MailState.NONE
    login_client(mail_app, alice).post("/personal/mail", data={"mail": groups + ["request"]})
    drifts.request_gift(carol, gift.id, dict(DRIFT_FORM))
    assert sink.next()["To"] == "alice@example.com"


def test_password_reset_mail_goes_out_whatever_the_settings(mail_app):
    """Account mail is not a notice kind: with every kind switched off the reset mail still arrives."""
    make_user("alice", "alice@example.com")
    with db.auto_commit():
        from app.models.user import User

        db.session.execute(update(User).values(mail_off="request,accepted,mailed,received,reminder,wish,invitation"))
    assert mail_app.test_client().post("/reset/password", data={"email": "alice@example.com"}).status_code == 302
    assert mail_app.smtp_sink.next()["Subject"] == "[鱼书] 重置你的密码"

"""Drifts under concurrency: simultaneous requests against a real threaded server.

Each test serves the app with werkzeug's threaded server and fires requests
from several logged-in HTTP sessions at the same moment. They run on SQLite
and, with FISHER_TEST_DATABASE_URL set, on MariaDB.
"""
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.bean_ledger import ledger_sum
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User
from tests.helpers import DRIFT_FORM, add_books, book_record, isbn13, register
from tests.live import fire_together, serve

BOOKS = [book_record(isbn13(f"978711500{n:03d}"), f"并发测试之书{n}", author=["测试"]) for n in range(60)]
ISBNS = [b["isbn"] for b in BOOKS]
ROUNDS = 20  # races repeated so that an unlucky interleaving (a deadlock) shows up
ROUND_ISBNS = ISBNS[12:52]  # books the repeated races list, two per round at most


@pytest.fixture
def live(app_factory):
    """An app with users alice (gifter) and bob and carol, served on loopback."""
    app = app_factory(LOGIN_RATE_LIMIT="1000 per minute")
    with app.app_context():
        add_books(BOOKS)
        for email, nickname in (("alice@example.com", "爱丽丝"), ("bob@example.com", "鲍勃"),
                                ("carol@example.com", "卡罗尔")):
            register(app.test_client(), email, nickname)
        with serve(app) as base_url:
            yield app, base_url
        db.session.expire_all()
        for user in db.session.scalars(select(User)):
            assert user.beans == ledger_sum(user.id) and user.beans >= 0, user.nickname


def session_for(base_url, email):
    """A logged-in HTTP session."""
    s = requests.Session()
    resp = s.post(f"{base_url}/login", data={"email": email, "password": "secret123"},
                  allow_redirects=False, timeout=10)
    assert resp.status_code == 302
    return s


def post(session, url, data=None):
    return lambda: session.post(url, data=data, allow_redirects=False, timeout=30).status_code


def give_beans(base_url, email, count):
    """List ``count`` gifts as the user (0.5 beans each) from the end of ISBNS."""
    s = session_for(base_url, email)
    for isbn in ISBNS[len(ISBNS) - count:]:
        assert s.post(f"{base_url}/gifts/book/{isbn}", allow_redirects=False).status_code == 302


def beans(nickname) -> Decimal:
    db.session.expire_all()
    return db.session.scalar(select(User.beans).where(User.nickname == nickname))


def waiting_drift(base_url, requester_email, gift_id):
    s = session_for(base_url, requester_email)
    assert s.post(f"{base_url}/gifts/{gift_id}/request", data=DRIFT_FORM, allow_redirects=False).status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(Drift.id).order_by(Drift.id.desc()))


def alice_gift(base_url, isbn=ISBNS[0]):
    s = session_for(base_url, "alice@example.com")
    assert s.post(f"{base_url}/gifts/book/{isbn}", allow_redirects=False).status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(Gift.id).where(Gift.isbn == isbn))


def test_two_simultaneous_mailed_apply_once(live):
    """Two 'mailed' clicks at once: one succeeds, one gets 409, one bean paid."""
    _, url = live
    gid = alice_gift(url)
    give_beans(url, "bob@example.com", 2)
    did = waiting_drift(url, "bob@example.com", gid)
    alice1, alice2 = (session_for(url, "alice@example.com") for _ in range(2))
    codes = fire_together([post(alice1, f"{url}/drift/{did}/mailed"), post(alice2, f"{url}/drift/{did}/mailed")])
    assert sorted(codes) == [302, 409]
    assert beans("爱丽丝") == Decimal("1.5")
    assert db.session.get(Drift, did).pending == PendingStatus.SUCCESS


def test_mailed_reject_and_withdraw_at_once_apply_once(live):
    """Mailed, reject and withdraw fired together: exactly one transition happens."""
    _, url = live
    gid = alice_gift(url)
    give_beans(url, "bob@example.com", 2)
    did = waiting_drift(url, "bob@example.com", gid)
    alice1, alice2 = (session_for(url, "alice@example.com") for _ in range(2))
    bob = session_for(url, "bob@example.com")
    codes = fire_together([post(alice1, f"{url}/drift/{did}/mailed"),
                           post(alice2, f"{url}/drift/{did}/reject"),
                           post(bob, f"{url}/drift/{did}/withdraw")])
    assert sorted(codes) == [302, 409, 409]
    state = db.session.get(Drift, did).pending
    expected_bob = Decimal("0") if state == PendingStatus.SUCCESS else Decimal("1")
    assert beans("鲍勃") == expected_bob


def bob_requests_at_once(live, gifts: int, beans: int) -> list:
    """Alice lists ``gifts`` books, Bob (granted ``beans``) requests every one at
    the same moment, each from a session of his own; returns the status codes."""
    _, url = live
    alice = session_for(url, "alice@example.com")
    for isbn in ISBNS[:gifts]:
        alice.post(f"{url}/gifts/book/{isbn}", allow_redirects=False)
    give_beans(url, "bob@example.com", beans)
    db.session.expire_all()
    gift_ids = db.session.scalars(select(Gift.id).where(Gift.isbn.in_(ISBNS[:gifts]))).all()
    sessions = [session_for(url, "bob@example.com") for _ in gift_ids]
    return fire_together([post(s, f"{url}/gifts/{gid}/request", DRIFT_FORM)
                          for s, gid in zip(sessions, gift_ids)])


def test_one_bean_ten_requests_make_one_drift(live):
    """A user with one bean firing ten requests at once gets exactly one drift."""
    codes = bob_requests_at_once(live, gifts=10, beans=2)
    assert codes.count(302) == 1, codes
    assert all(code in (200, 403) for code in codes if code != 302)
    assert db.session.scalar(select(func.count()).select_from(Drift)) == 1
    assert beans("鲍勃") == Decimal("0")


def test_same_gift_requested_five_times_at_once(live):
    """Simultaneous requests for one gift by one user make a single waiting drift."""
    _, url = live
    gid = alice_gift(url)
    give_beans(url, "bob@example.com", 10)
    sessions = [session_for(url, "bob@example.com") for _ in range(5)]
    codes = fire_together([post(s, f"{url}/gifts/{gid}/request", DRIFT_FORM) for s in sessions])
    assert codes.count(302) == 1, codes
    assert db.session.scalar(select(func.count()).select_from(Drift)) == 1
    assert beans("鲍勃") == Decimal("4")


def test_gift_is_never_mailed_twice(live):
    """Mailing two requesters' drifts for one gift at once gives the book once."""
    _, url = live
    gid = alice_gift(url)
    give_beans(url, "bob@example.com", 2)
    give_beans(url, "carol@example.com", 2)
    bob_did = waiting_drift(url, "bob@example.com", gid)
    carol_did = waiting_drift(url, "carol@example.com", gid)
    alice1, alice2 = (session_for(url, "alice@example.com") for _ in range(2))
    codes = fire_together([post(alice1, f"{url}/drift/{bob_did}/mailed"),
                           post(alice2, f"{url}/drift/{carol_did}/mailed")])
    assert sorted(codes) == [302, 409]
    states = sorted(db.session.get(Drift, d).pending for d in (bob_did, carol_did))
    assert states == [PendingStatus.SUCCESS, PendingStatus.REJECT]
    assert beans("爱丽丝") == Decimal("1.5")
    assert beans("鲍勃") + beans("卡罗尔") == Decimal("1")


def test_simultaneous_requests_respect_the_two_book_rule(live):
    """Six requests at once from a user with three beans who never gave a book make
    exactly two drifts: waiting requests count as received, even concurrently."""
    codes = bob_requests_at_once(live, gifts=6, beans=6)
    assert codes.count(302) == 2, codes
    assert all(code in (200, 403) for code in codes if code != 302), codes
    assert db.session.scalar(select(func.count()).select_from(Drift)) == 2


def test_users_mailing_each_others_drifts_at_once(live):
    """Alice and Bob mark each other's drifts mailed at the same moment, 20 times:
    every click succeeds (no deadlock, no 503) and the balances follow the ledger."""
    _, url = live
    give_beans(url, "alice@example.com", 2)
    give_beans(url, "bob@example.com", 2)
    alice, bob = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    for i in range(ROUNDS):
        alice_isbn, bob_isbn = ROUND_ISBNS[2 * i], ROUND_ISBNS[2 * i + 1]
        assert bob.post(f"{url}/gifts/book/{bob_isbn}", allow_redirects=False).status_code == 302
        to_bob = waiting_drift(url, "bob@example.com", alice_gift(url, alice_isbn))
        db.session.expire_all()
        bob_gid = db.session.scalar(select(Gift.id).where(Gift.isbn == bob_isbn))
        to_alice = waiting_drift(url, "alice@example.com", bob_gid)
        codes = fire_together([post(alice, f"{url}/drift/{to_bob}/mailed"),
                               post(bob, f"{url}/drift/{to_alice}/mailed")])
        assert codes == [302, 302], (i, codes)
    db.session.expire_all()
    assert set(db.session.scalars(select(Drift.pending))) == {PendingStatus.SUCCESS}
    # 2 listed to start (1 bean), then per round +0.5 listed, -1 requested, +1 mailed
    assert beans("爱丽丝") == beans("鲍勃") == Decimal("1") + ROUNDS * Decimal("0.5")


def test_request_and_withdraw_gift_at_once(live):
    """Bob requests a gift while Alice withdraws it, 20 times: each time exactly one
    wins and the other gets a clean answer (no 503), and the balances follow the ledger."""
    _, url = live
    give_beans(url, "bob@example.com", 2)
    alice, bob = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    for i in range(ROUNDS):
        gid = alice_gift(url, ROUND_ISBNS[i])
        request, withdraw = fire_together([post(bob, f"{url}/gifts/{gid}/request", DRIFT_FORM),
                                           post(alice, f"{url}/gifts/{gid}/withdraw")])
        assert withdraw == 302 and request in (302, 404), (i, request, withdraw)
        db.session.expire_all()
        did = db.session.scalar(select(Drift.id).where(Drift.gift_id == gid))
        gift_live = db.session.get(Gift, gid) is not None
        assert (request == 302) == (did is not None) == gift_live, (i, request, did, gift_live)
        if did:  # the request won: Alice declines it, so Bob's bean comes back
            assert alice.post(f"{url}/drift/{did}/reject", allow_redirects=False).status_code == 302
    assert beans("鲍勃") == Decimal("1")

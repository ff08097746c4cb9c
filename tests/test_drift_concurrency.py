"""Drifts under concurrency: simultaneous requests against a real threaded server.

Each test serves the app with werkzeug's threaded server and fires requests
from several logged-in HTTP sessions at the same moment. They run on SQLite
and, with FISHER_TEST_DATABASE_URL set, on MariaDB. After each test every
user's balance equals their ledger sum and is never negative (the ``live``
fixture checks it).
"""
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.bean_ledger import BeanLedger, ledger_sum
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.notice import Notice
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


def act(session, url, did, action):
    """A call POSTing /drift/<did>/<action> (a problem report with its kind)."""
    data = {"kind": "not_arrived", "note": "没收到"} if action == "problem" else None
    return post(session, f"{url}/drift/{did}/{action}", data)


def walk(url, did, actions, gifter, requester):
    """Move drift ``did`` along ``actions`` one at a time, each answered 302."""
    for action in actions:
        who = requester if action in ("withdraw", "received", "problem") else gifter
        assert act(who, url, did, action)() == 302, action


def state(did) -> PendingStatus:
    db.session.expire_all()
    return db.session.get(Drift, did).pending_status


def notices(did, kind=None) -> list:
    """(recipient nickname, kind) of the notices about drift ``did``, oldest first."""
    db.session.expire_all()
    query = (select(User.nickname, Notice.kind).join(User, User.id == Notice.uid)
             .where(Notice.drift_id == did).order_by(Notice.id))
    return [tuple(row) for row in db.session.execute(query) if kind in (None, row[1])]


def listed(session, url, isbn) -> int:
    """List ``isbn`` as the session's user; returns the gift id."""
    assert session.post(f"{url}/gifts/book/{isbn}", allow_redirects=False).status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(Gift.id).where(Gift.isbn == isbn, Gift.launched.is_(False)))


def requested(session, url, gid) -> int:
    """Request gift ``gid`` as the session's user; returns the drift id."""
    assert session.post(f"{url}/gifts/{gid}/request", data=DRIFT_FORM,
                        allow_redirects=False).status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(Drift.id).order_by(Drift.id.desc()))


@pytest.mark.parametrize("steps, action", [([], "accept"), ([], "reject"), (["accept"], "mailed"),
                                           (["accept", "mailed"], "received"),
                                           (["accept", "mailed"], "problem")])
def test_a_double_click_applies_once(live, steps, action):
    """The same transition clicked twice at once from two sessions: one 302, one 409, one
    notice for the other party and the beans moved once."""
    _, url = live
    gid = alice_gift(url)
    give_beans(url, "bob@example.com", 2)
    did = waiting_drift(url, "bob@example.com", gid)
    alice, bob = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    walk(url, did, steps, alice, bob)
    actor = bob if action in ("received", "problem") else alice
    second = session_for(url, "bob@example.com" if actor is bob else "alice@example.com")
    codes = fire_together([act(actor, url, did, action), act(second, url, did, action)])
    assert sorted(codes) == [302, 409], codes
    kind = {"accept": "accepted", "reject": "rejected"}.get(action, action)
    assert len(notices(did, kind)) == 1
    assert beans("爱丽丝") == (Decimal("1.5") if action == "received" else Decimal("0.5"))
    assert beans("鲍勃") == (Decimal("1") if action == "reject" else Decimal("0"))


def test_reject_and_withdraw_at_once_apply_once(live):
    """Reject and withdraw of a waiting request fired together: exactly one happens and the
    bean comes back once."""
    _, url = live
    gid = alice_gift(url)
    give_beans(url, "bob@example.com", 2)
    did = waiting_drift(url, "bob@example.com", gid)
    alice, bob = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    codes = fire_together([act(alice, url, did, "reject"), act(bob, url, did, "withdraw")])
    assert sorted(codes) == [302, 409], codes
    assert state(did) in (PendingStatus.REJECTED, PendingStatus.WITHDRAWN)
    assert beans("鲍勃") == Decimal("1") and beans("爱丽丝") == Decimal("0.5")
    assert len(notices(did)) == 2  # the request, and one for whichever step happened


def test_accept_and_withdraw_at_once(live):
    """The gifter accepts while the requester withdraws, 20 times: withdraw always succeeds
    (it is allowed while waiting and once accepted), accept succeeds only if first; every
    drift ends withdrawn with the bean back once, and each click that happened told the
    other party once."""
    _, url = live
    give_beans(url, "bob@example.com", 2)
    alice, bob = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    for i in range(ROUNDS):
        did = requested(bob, url, listed(alice, url, ROUND_ISBNS[i]))
        accept, withdraw = fire_together([act(alice, url, did, "accept"), act(bob, url, did, "withdraw")])
        assert withdraw == 302 and accept in (302, 409), (i, accept, withdraw)
        assert state(did) == PendingStatus.WITHDRAWN, i
        assert len(notices(did, "accepted")) == (accept == 302)
        assert notices(did, "withdrawn") == [("爱丽丝", "withdrawn")]
        assert beans("鲍勃") == Decimal("1"), i
    # 2 listed by Bob (1 bean); Alice +0.5 per listed gift, no reward
    assert beans("爱丽丝") == ROUNDS * Decimal("0.5")


def test_mailed_and_withdraw_at_once_apply_once(live):
    """An accepted request: the gifter marks it mailed while the requester withdraws, 20
    times: exactly one wins; withdrawn refunds, mailed holds the bean (settled here by a
    problem and the gifter's refund)."""
    _, url = live
    give_beans(url, "bob@example.com", 2)
    alice, bob = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    outcomes = set()
    for i in range(ROUNDS):
        did = requested(bob, url, listed(alice, url, ROUND_ISBNS[i]))
        walk(url, did, ["accept"], alice, bob)
        codes = fire_together([act(alice, url, did, "mailed"), act(bob, url, did, "withdraw")])
        assert sorted(codes) == [302, 409], (i, codes)
        outcome = state(did)
        outcomes.add(outcome)
        assert outcome == (PendingStatus.MAILED if codes[0] == 302 else PendingStatus.WITHDRAWN)
        assert beans("鲍勃") == (Decimal("0") if outcome == PendingStatus.MAILED else Decimal("1"))
        if outcome == PendingStatus.MAILED:
            walk(url, did, ["problem", "refund"], alice, bob)
            assert beans("鲍勃") == Decimal("1")
    assert beans("爱丽丝") == ROUNDS * Decimal("0.5")


def test_accepting_two_requests_for_one_copy_at_once(live):
    """Bob and Carol ask for one copy and Alice accepts both requests at the same moment,
    20 times: one wins, the other is given-to-someone-else (never rejected) with its bean
    back and one notice; the copy is promised once. The winner then withdraws."""
    _, url = live
    give_beans(url, "bob@example.com", 2)
    give_beans(url, "carol@example.com", 2)
    alice1, alice2 = session_for(url, "alice@example.com"), session_for(url, "alice@example.com")
    bob, carol = session_for(url, "bob@example.com"), session_for(url, "carol@example.com")
    for i in range(ROUNDS):
        gid = listed(alice1, url, ROUND_ISBNS[i])
        bob_did, carol_did = requested(bob, url, gid), requested(carol, url, gid)
        codes = fire_together([act(alice1, url, bob_did, "accept"), act(alice2, url, carol_did, "accept")])
        assert sorted(codes) == [302, 409], (i, codes)
        won, lost = (bob_did, carol_did) if codes[0] == 302 else (carol_did, bob_did)
        assert (state(won), state(lost)) == (PendingStatus.ACCEPTED, PendingStatus.GIVEN_TO_OTHER), i
        loser = "卡罗尔" if lost == carol_did else "鲍勃"
        assert notices(lost)[1:] == [(loser, "given_to_other")]
        assert notices(won, "accepted") != [] and len(notices(won, "accepted")) == 1
        assert beans(loser) == Decimal("1"), i
        walk(url, won, ["withdraw"], alice1, bob if won == bob_did else carol)
        assert beans("鲍勃") == beans("卡罗尔") == Decimal("1")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Drift).where(
        Drift.pending == PendingStatus.REJECTED)) == 0


def test_gift_is_never_given_twice(live):
    """Two requests for one copy accepted at once, then every later step: the book is
    received once, the gifter rewarded once and the loser refunded."""
    _, url = live
    gid = alice_gift(url)
    give_beans(url, "bob@example.com", 2)
    give_beans(url, "carol@example.com", 2)
    bob_did = waiting_drift(url, "bob@example.com", gid)
    carol_did = waiting_drift(url, "carol@example.com", gid)
    alice1, alice2 = (session_for(url, "alice@example.com") for _ in range(2))
    codes = fire_together([act(alice1, url, bob_did, "accept"), act(alice2, url, carol_did, "accept")])
    assert sorted(codes) == [302, 409]
    won = bob_did if codes[0] == 302 else carol_did
    winner = session_for(url, "bob@example.com" if won == bob_did else "carol@example.com")
    walk(url, won, ["mailed", "received"], alice1, winner)
    states = sorted(state(d) for d in (bob_did, carol_did))
    assert states == [PendingStatus.RECEIVED, PendingStatus.GIVEN_TO_OTHER]
    assert beans("爱丽丝") == Decimal("1.5")
    assert beans("鲍勃") + beans("卡罗尔") == Decimal("1")
    db.session.expire_all()
    assert db.session.get(Gift, gid).launched


def test_received_and_problem_at_once(live):
    """A mailed book: the requester's "received" and "problem" land together, 10 times: the
    trade always ends received, the gifter rewarded exactly once; a problem only stands when
    it came first (then received settles it)."""
    _, url = live
    give_beans(url, "alice@example.com", 2)
    give_beans(url, "bob@example.com", 2)
    alice, bob = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    alice2, bob2 = session_for(url, "alice@example.com"), session_for(url, "bob@example.com")
    for i in range(10):
        # alternate who gives, so the two-book rule never blocks the next request
        gifter, requester, second = (alice, bob, bob2) if i % 2 == 0 else (bob, alice, alice2)
        did = requested(requester, url, listed(gifter, url, ROUND_ISBNS[i]))
        walk(url, did, ["accept", "mailed"], gifter, requester)
        codes = fire_together([act(requester, url, did, "received"), act(second, url, did, "problem")])
        assert codes[0] == 302 and codes[1] in (302, 409), (i, codes)
        assert state(did) == PendingStatus.RECEIVED, i
        rewards = db.session.scalar(select(func.count()).select_from(BeanLedger).where(
            BeanLedger.drift_id == did, BeanLedger.reason == "received_reward"))
        assert rewards == 1, i
    # 2 listed to start (1 bean), then per two rounds: +0.5 listed, -1 requested, +1 received
    assert beans("爱丽丝") == beans("鲍勃") == Decimal("1") + 5 * Decimal("0.5")
    db.session.expire_all()
    counters = db.session.execute(select(User.send_counter, User.receive_counter)
                                  .where(User.nickname.in_(["爱丽丝", "鲍勃"]))).all()
    assert sorted(counters) == [(5, 5), (5, 5)]


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


def test_simultaneous_requests_respect_the_two_book_rule(live):
    """Six requests at once from a user with three beans who never gave a book make
    exactly two drifts: waiting requests count as received, even concurrently."""
    codes = bob_requests_at_once(live, gifts=6, beans=6)
    assert codes.count(302) == 2, codes
    assert all(code in (200, 403) for code in codes if code != 302), codes
    assert db.session.scalar(select(func.count()).select_from(Drift)) == 2


def test_users_confirming_each_others_drifts_at_once(live):
    """Alice and Bob confirm receipt of each other's books at the same moment (each locks
    and pays both users), 20 times: every click succeeds (no deadlock, no 503) and the
    balances follow the ledger."""
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
        walk(url, to_bob, ["accept", "mailed"], alice, bob)
        walk(url, to_alice, ["accept", "mailed"], bob, alice)
        codes = fire_together([post(bob, f"{url}/drift/{to_bob}/received"),
                               post(alice, f"{url}/drift/{to_alice}/received")])
        assert codes == [302, 302], (i, codes)
    db.session.expire_all()
    assert set(db.session.scalars(select(Drift.pending))) == {PendingStatus.RECEIVED}
    # 2 listed to start (1 bean), then per round +0.5 listed, -1 requested, +1 received
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

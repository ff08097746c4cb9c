"""Deadlines, reminders and address erasure on a controlled clock (time-machine),
and the operator's `flask drifts resolve`."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from app.jobs import run_due
from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.bean_ledger import BeanLedger, BeanReason, ledger_sum
from app.models.drift import Drift
from app.models.notice import Notice
from app.models.user import User
from app.services import drift as drifts
from tests.helpers import DRIFT_FORM, SANTI, add_books, make_gift, make_user

S = PendingStatus
START = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def trade(app, clock):
    """Alice's gift requested by Bob (a waiting drift); returns (alice, bob, drift id)."""
    add_books()
    alice = make_user("alice", "alice@example.com")
    bob = make_user("bob", "bob@example.com", beans=1)
    gift = make_gift(alice, SANTI)
    return alice, bob, drifts.request_gift(bob, gift.id, dict(DRIFT_FORM)).id


def _drift(did) -> Drift:
    db.session.expire_all()
    return db.session.get(Drift, did)


def _kinds(uid) -> list[str]:
    return list(db.session.scalars(select(Notice.kind).where(Notice.uid == uid).order_by(Notice.id)))


def _balanced() -> None:
    db.session.expire_all()
    for user in db.session.scalars(select(User)):
        assert user.beans == ledger_sum(user.id) and user.beans >= 0


def test_unanswered_request_expires_at_its_deadline_not_before(app, clock, trade):
    """DRIFT_RESPONSE_DAYS after the request, not a second earlier, it expires: refund and a notice to both."""
    alice, bob, did = trade
    clock.shift(timedelta(days=3) - timedelta(seconds=1))
    assert run_due()["expired"] == 0 and _drift(did).pending_status is S.WAITING
    clock.shift(timedelta(seconds=1))
    assert run_due()["expired"] == 1
    assert _drift(did).pending_status is S.EXPIRED and _drift(did).closed_at is not None
    assert db.session.get(User, bob.id).beans == 1
    assert "expired_requester" in _kinds(bob.id) and "expired_gifter" in _kinds(alice.id)
    assert run_due()["expired"] == 0  # idempotent
    _balanced()


def test_accepted_request_not_mailed_in_time_expires(app, clock, trade):
    """DRIFT_MAIL_DAYS after acceptance an unmailed drift expires with the refund; the copy is free again."""
    alice, bob, did = trade
    drifts.accept(alice, did)
    clock.shift(timedelta(days=5) - timedelta(minutes=1))
    assert run_due()["expired"] == 0
    clock.shift(timedelta(minutes=1))
    assert run_due()["expired"] == 1
    assert _drift(did).pending_status is S.EXPIRED and not drifts.promised(_drift(did).gift_id)
    _balanced()


def test_mailed_book_is_confirmed_received_after_the_receive_deadline(app, clock, trade):
    """DRIFT_RECEIVE_DAYS after mailing the drift completes by itself: gifter +1, counters, gift given."""
    alice, bob, did = trade
    drifts.accept(alice, did)
    drifts.mailed(alice, did)
    clock.shift(timedelta(days=21))
    assert run_due()["auto_received"] == 1
    drift = _drift(did)
    assert drift.pending_status is S.RECEIVED
    alice, bob = db.session.get(User, alice.id), db.session.get(User, bob.id)
    assert (alice.beans, alice.send_counter, bob.receive_counter) == (1, 1, 1)
    assert "auto_received_gifter" in _kinds(alice.id) and "auto_received_requester" in _kinds(bob.id)
    assert run_due()["auto_received"] == 0
    _balanced()


def test_each_reminder_is_written_once(app, clock, trade):
    """The gifter a lead day before each deadline, the requester at 7 and 14 days after mailing;
    running the sweeps again and again reminds once."""
    alice, bob, did = trade
    clock.shift(timedelta(days=2))  # a day before the answer is due
    assert [run_due()["reminded"] for _ in range(3)] == [1, 0, 0]
    drifts.accept(alice, did)
    clock.shift(timedelta(days=4))
    assert [run_due()["reminded"] for _ in range(2)] == [1, 0]
    drifts.mailed(alice, did)
    clock.shift(timedelta(days=7))
    assert [run_due()["reminded"] for _ in range(2)] == [1, 0]
    clock.shift(timedelta(days=7))
    assert [run_due()["reminded"] for _ in range(2)] == [1, 0]
    assert _kinds(alice.id).count("remind_respond") == 1 and _kinds(alice.id).count("remind_mail") == 1
    assert _kinds(bob.id).count("remind_receive") == 2


def test_sweeps_on_two_threads_at_once_remind_and_refund_once(app, clock, trade):
    """Two workers sweeping at the same moment: one reminder, one expiry, one refund."""
    alice, bob, did = trade
    clock.shift(timedelta(days=3))
    barrier = threading.Barrier(2)

    def sweep():
        with app.app_context():
            barrier.wait()
            run_due()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert _drift(did).pending_status is S.EXPIRED
    assert _kinds(bob.id).count("expired_requester") == 1
    assert db.session.scalar(select(func.count()).select_from(BeanLedger).where(
        BeanLedger.drift_id == did, BeanLedger.reason == BeanReason.REFUND_EXPIRED)) == 1
    assert db.session.get(User, bob.id).beans == 1
    _balanced()


def test_a_click_after_the_sweep_expired_the_request_is_a_conflict(app, clock, trade, client):
    """Once the sweep has expired a request, the gifter's late accept changes nothing (409)."""
    alice, bob, did = trade
    clock.shift(timedelta(days=3))
    run_due()
    from tests.helpers import login_client

    assert login_client(app, alice).post(f"/drift/{did}/accept").status_code == 409
    assert _drift(did).pending_status is S.EXPIRED
    _balanced()


def test_mailing_details_are_erased_after_retention_and_only_when_closed(app, clock, trade):
    """ADDRESS_RETENTION_DAYS after closing name, phone and address are erased; an open drift keeps them."""
    alice, bob, did = trade
    other = make_user("carol", "carol@example.com", beans=1)
    open_did = drifts.request_gift(other, make_gift(alice, "9787544253994").id, dict(DRIFT_FORM)).id
    drifts.reject(alice, did)
    app.config["DRIFT_RESPONSE_DAYS"] = 365  # the open one stays open
    clock.shift(timedelta(days=30) - timedelta(minutes=1))
    assert run_due()["erased"] == 0 and _drift(did).address == DRIFT_FORM["address"]
    clock.shift(timedelta(minutes=1))
    assert run_due()["erased"] == 1
    erased, kept = _drift(did), _drift(open_did)
    assert (erased.recipient_name, erased.mobile, erased.address, erased.address_erased) == ("", "", "", True)
    assert kept.address == DRIFT_FORM["address"] and kept.pending_status is S.WAITING


def test_fractional_days_give_minute_deadlines(app, clock, trade):
    """DRIFT_RESPONSE_DAYS = 0.01 (14.4 minutes): the request expires after 15 minutes."""
    app.config["DRIFT_RESPONSE_DAYS"] = 0.01
    _, _, did = trade
    clock.shift(timedelta(minutes=14))
    assert run_due()["expired"] == 0
    clock.shift(timedelta(minutes=1))
    assert run_due()["expired"] == 1 and _drift(did).pending_status is S.EXPIRED


def test_run_due_command_prints_what_each_sweep_did(app, clock, trade, runner):
    """`flask jobs run-due` runs every sweep once and prints its counts."""
    clock.shift(timedelta(days=3))
    output = runner.invoke(args=["jobs", "run-due"]).output
    assert "expired: 1" in output and "reminded: " in output and "erased: 0" in output


@pytest.mark.parametrize("flag, state, gifter_beans, bob_beans",
                         [("--refund", S.REFUNDED, 0, 1), ("--complete", S.RECEIVED, 1, 0)])
def test_resolve_settles_a_reported_problem(app, clock, trade, runner, flag, state, gifter_beans, bob_beans):
    """`flask drifts resolve ID --refund|--complete` settles a problem drift and tells both parties."""
    alice, bob, did = trade
    drifts.accept(alice, did)
    drifts.mailed(alice, did)
    drifts.problem(bob, did, "没有收到")
    result = runner.invoke(args=["drifts", "resolve", str(did), flag])
    assert result.exit_code == 0 and state.name.lower() in result.output
    assert _drift(did).pending_status is state
    assert (db.session.get(User, alice.id).beans, db.session.get(User, bob.id).beans) == (gifter_beans, bob_beans)
    assert _kinds(alice.id)[-1].startswith("resolved_") and _kinds(bob.id)[-1].startswith("resolved_")
    _balanced()


def test_resolve_refuses_a_drift_without_a_problem_or_a_flag(app, clock, trade, runner):
    """A drift not in problem, an unknown drift, or no outcome: a non-zero exit and nothing changes."""
    _, _, did = trade
    assert runner.invoke(args=["drifts", "resolve", str(did), "--refund"]).exit_code != 0
    assert runner.invoke(args=["drifts", "resolve", "999999", "--refund"]).exit_code != 0
    assert runner.invoke(args=["drifts", "resolve", str(did)]).exit_code != 0
    assert _drift(did).pending_status is S.WAITING

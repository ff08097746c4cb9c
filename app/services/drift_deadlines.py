"""What happens to drifts when nobody acts: deadlines, reminders and the
erasure of mailing details. Each sweep finds candidates, then settles each in
its own unit of work with a conditional update that restates why it is due
(state and time), so a click that came first wins, and a sweep run twice --
or by two workers at once -- expires, refunds and reminds once."""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.libs.enums import OPEN_STATES, PendingStatus
from app.models.base import db, utcnow
from app.models.bean_ledger import BeanReason, change_beans
from app.models.drift import Drift, Reminder
from app.models.gift import lock_gift_row
from app.models.unit_of_work import retry_on_deadlock
from app.models.user import lock_user_rows
from app.services import drift as drifts
from app.services.errors import Conflict, NotFound
from app.services.notices import notify

S = PendingStatus
# The setting that bounds each state's time, counted from Drift.moved_at.
DEADLINE_SETTING = {S.WAITING: "DRIFT_RESPONSE_DAYS", S.ACCEPTED: "DRIFT_MAIL_DAYS",
                    S.MAILED: "DRIFT_RECEIVE_DAYS"}


def _days(config, key) -> timedelta:
    return timedelta(days=float(config[key]))


def state_deadline(status: PendingStatus, moved_at: datetime, config) -> datetime | None:
    key = DEADLINE_SETTING.get(status)
    return moved_at + _days(config, key) if key else None


def _due(status: PendingStatus, age: timedelta, *conditions) -> list[int]:
    """Ids of drifts in ``status`` for at least ``age``."""
    return list(db.session.scalars(select(Drift.id).where(
        Drift.pending == status, Drift.moved_at <= utcnow() - age, *conditions)
        .order_by(Drift.id)))


@retry_on_deadlock
def _expire(did: int, status: PendingStatus, age: timedelta) -> bool:
    """An unanswered or unmailed request runs out: refund and tell both."""
    with db.auto_commit():
        drift = db.session.get(Drift, did)
        lock_gift_row(drift.gift_id)
        if not drifts.move(drift, S.EXPIRED, {status}, Drift.moved_at <= utcnow() - age):
            return False
        lock_user_rows(drift.gifter_id, drift.requester_id)
        change_beans(drift.requester_id, 1, BeanReason.REFUND_EXPIRED, drift_id=drift.id)
        notify(drift.requester_id, "expired_requester", drift=drift, actor=drift.gifter_nickname)
        notify(drift.gifter_id, "expired_gifter", drift=drift, actor=drift.requester_nickname)
    return True


@retry_on_deadlock
def _auto_receive(did: int, age: timedelta) -> bool:
    """Mailed long enough ago with no word from the requester: received."""
    with db.auto_commit():
        drift = db.session.get(Drift, did)
        lock_gift_row(drift.gift_id)
        if not drifts.move(drift, S.RECEIVED, {S.MAILED}, Drift.moved_at <= utcnow() - age):
            return False
        lock_user_rows(drift.gifter_id, drift.requester_id)
        drifts.complete(drift)
        notify(drift.gifter_id, "auto_received_gifter", drift=drift, actor=drift.requester_nickname)
        notify(drift.requester_id, "auto_received_requester", drift=drift, actor=drift.gifter_nickname)
    return True


@retry_on_deadlock
def _remind(did: int, status: PendingStatus, age: timedelta, bit: int) -> bool:
    """Write one reminder, once: the bit is set by the same conditional update."""
    with db.auto_commit():
        result = db.session.execute(update(Drift).where(
            Drift.id == did, Drift.pending == status, Drift.moved_at <= utcnow() - age,
            Drift.reminded.op("&")(bit) == 0).values(reminded=Drift.reminded.op("|")(bit))
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return False
        drift = db.session.get(Drift, did)
        db.session.refresh(drift)
        if status is S.MAILED:
            uid, kind, actor = drift.requester_id, "remind_receive", drift.gifter_nickname
        else:
            uid, actor = drift.gifter_id, drift.requester_nickname
            kind = "remind_respond" if status is S.WAITING else "remind_mail"
        lock_user_rows(uid)
        notify(uid, kind, drift=drift, actor=actor)
    return True


def expire_and_confirm(config) -> dict:
    counts = {"expired": 0, "auto_received": 0}
    for status in (S.WAITING, S.ACCEPTED):
        age = _days(config, DEADLINE_SETTING[status])
        counts["expired"] += sum(_expire(did, status, age) for did in _due(status, age))
    age = _days(config, "DRIFT_RECEIVE_DAYS")
    counts["auto_received"] = sum(_auto_receive(did, age) for did in _due(S.MAILED, age))
    return counts


def send_reminders(config) -> int:
    """The gifter a day (DRIFT_REMINDER_LEAD_DAYS) before each of their
    deadlines; the requester at each of DRIFT_RECEIVE_REMINDER_DAYS after mailing."""
    lead = _days(config, "DRIFT_REMINDER_LEAD_DAYS")
    plan = [(status, max(_days(config, DEADLINE_SETTING[status]) - lead, timedelta(0)), bit)
            for status, bit in ((S.WAITING, Reminder.RESPOND), (S.ACCEPTED, Reminder.MAIL))]
    plan += [(S.MAILED, timedelta(days=float(days)), bit) for days, bit in
             zip(config["DRIFT_RECEIVE_REMINDER_DAYS"], (Reminder.RECEIVE_FIRST, Reminder.RECEIVE_SECOND))]
    sent = 0
    for status, age, bit in plan:
        for did in _due(status, age, Drift.reminded.op("&")(bit) == 0):
            sent += _remind(did, status, age, bit)
    return sent


def erase_addresses(config) -> int:
    """Erase the mailing details of drifts closed ADDRESS_RETENTION_DAYS ago."""
    cutoff = utcnow() - _days(config, "ADDRESS_RETENTION_DAYS")
    with db.auto_commit():
        result = db.session.execute(update(Drift).where(
            Drift.pending.not_in([int(s) for s in OPEN_STATES]), Drift.closed_at <= cutoff,
            Drift.address_erased.is_(False))
            .values(recipient_name="", mobile="", address="", message="", address_erased=True)
            .execution_options(synchronize_session=False))
    return result.rowcount


def run_drift_sweeps() -> dict:
    """Every drift sweep once; returns what each did."""
    config = current_app.config
    counts = expire_and_confirm(config)
    counts["reminded"] = send_reminders(config)
    counts["erased"] = erase_addresses(config)
    return counts


@retry_on_deadlock
def resolve(did: int, outcome: str) -> Drift:
    """An operator settles a problem: ``refund`` or ``complete``."""
    with db.auto_commit():
        drift = db.session.get(Drift, did)
        if drift is None:
            raise NotFound(did)
        lock_gift_row(drift.gift_id)
        to = S.REFUNDED if outcome == "refund" else S.RECEIVED
        if not drifts.move(drift, to, {S.PROBLEM}):
            raise Conflict("这个鱼漂没有待处理的问题")
        lock_user_rows(drift.gifter_id, drift.requester_id)
        if to is S.REFUNDED:
            drifts.settle_refund(drift)
        else:
            drifts.complete(drift)
        kind = "resolved_refunded" if to is S.REFUNDED else "resolved_received"
        notify(drift.gifter_id, kind, drift=drift, actor=drift.requester_nickname)
        notify(drift.requester_id, kind, drift=drift, actor=drift.gifter_nickname)
    return drift

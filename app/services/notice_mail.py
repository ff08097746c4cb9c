"""Sending a notice's email, at most once and never lost.

A job claims the notice (a conditional update: still due, not claimed by a
live worker, its retry time come), sends, and marks it sent. A worker that dies
mid-send leaves a claim that lapses after MAIL_CLAIM_SECONDS; a job lost
between the commit and the queue, or in a worker that died, leaves the notice
due -- either way ``stale_due`` finds it for the sweep to queue again."""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from app.libs.display_time import reading_as
from app.libs.email import PermanentMailError, deliver, reason, render_mail, subject_line
from app.libs.enums import PendingStatus
from app.libs.site_url import site_url_for
from app.models.base import db, utcnow
from app.models.drift import Drift
from app.models.notice import MailState, Notice
from app.models.user import User
from app.services.notices import notice_subject, notice_text


@dataclass
class Outcome:
    status: str  # "sent", "skipped", "retry" or "failed"
    delay: float = 0.0


def notice_link(notice: Notice) -> str:
    """Where the notice's email (and its row on /notices) leads."""
    if notice.kind == "invitation" and notice.gift_id:
        return site_url_for("web.request_gift", gift_id=notice.gift_id)
    if notice.drift_id is None:
        return site_url_for("web.book_detail", isbn=notice.isbn)
    return site_url_for("web.pending") + f"#drift-{notice.drift_id}"


# A reminder names the deadline of the state it is about, while the drift is still in it.
_REMINDED_STATE = {"remind_respond": PendingStatus.WAITING, "remind_mail": PendingStatus.ACCEPTED,
                   "remind_receive": PendingStatus.MAILED}


def reminded_deadline(notice: Notice):
    """The naive UTC deadline a reminder's mail states, or None."""
    state = _REMINDED_STATE.get(notice.kind)
    drift = db.session.get(Drift, notice.drift_id) if state and notice.drift_id else None
    if drift is None or drift.pending_status is not state:
        return None
    from app.services.drift import deadline

    return deadline(drift, current_app.config)


def _claim(nid: int) -> bool:
    cfg = current_app.config
    now = utcnow()
    with db.auto_commit():
        result = db.session.execute(update(Notice).where(
            Notice.id == nid, Notice.mail_state == MailState.DUE,
            or_(Notice.mail_claimed_at.is_(None),
                Notice.mail_claimed_at <= now - timedelta(seconds=cfg["MAIL_CLAIM_SECONDS"])),
            or_(Notice.mail_next_at.is_(None), Notice.mail_next_at <= now + timedelta(seconds=1)))
            .values(mail_claimed_at=now, mail_attempts=Notice.mail_attempts + 1)
            .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _settle(nid: int, **values) -> None:
    with db.auto_commit():
        db.session.execute(update(Notice).where(Notice.id == nid).values(mail_claimed_at=None, **values)
                           .execution_options(synchronize_session=False))


def retry_delay(attempts: int, cfg) -> float:
    """Seconds before the next try: doubling from MAIL_RETRY_DELAY, capped."""
    return min(cfg["MAIL_RETRY_DELAY"] * 2 ** max(attempts - 1, 0), cfg["MAIL_RETRY_MAX_DELAY"])


def deliver_notice(nid: int) -> Outcome:
    """Send notice ``nid``'s email if it is due and nobody else is sending it."""
    app = current_app._get_current_object()
    cfg = app.config
    if not _claim(nid):
        return Outcome("skipped")
    notice = db.session.get(Notice, nid)
    user = db.session.get(User, notice.uid)
    try:
        if user is None:
            raise PermanentMailError("the account is gone")
        with reading_as(user):  # the recipient's language and zone, whoever's request this runs in
            text, html = render_mail("notice", user=user, text=notice_text(notice), link=notice_link(notice),
                                     deadline=reminded_deadline(notice))
            subject = subject_line(notice_subject(notice))
        deliver(app, user.email, subject, text, html)
    except PermanentMailError as exc:
        _settle(nid, mail_state=MailState.FAILED, mail_error=str(exc)[:200])
        app.logger.error("mail for notice %s to user %s given up: %s", nid, notice.uid, exc)
        return Outcome("failed")
    except Exception as exc:  # noqa: BLE001 - SMTP raises OSErrors; anything else is retried too
        error = reason(exc)[:200]
        if notice.mail_attempts >= cfg["MAIL_MAX_ATTEMPTS"]:
            _settle(nid, mail_state=MailState.FAILED, mail_error=error)
            app.logger.error("mail for notice %s given up after %d attempts: %s",
                             nid, notice.mail_attempts, error)
            return Outcome("failed")
        delay = retry_delay(notice.mail_attempts, cfg)
        _settle(nid, mail_next_at=utcnow() + timedelta(seconds=delay), mail_error=error)
        app.logger.warning("mail for notice %s failed (%s); retry in %ss", nid, error, delay)
        return Outcome("retry", delay)
    _settle(nid, mail_state=MailState.SENT, mailed_at=utcnow(), mail_error="")
    return Outcome("sent")


def stale_due(grace_seconds: float) -> list[int]:
    """Notices still due ``grace_seconds`` after they were made or their retry
    time came, and not claimed by a live worker: their job was lost."""
    cfg = current_app.config
    now = utcnow()
    return list(db.session.scalars(select(Notice.id).where(
        Notice.mail_state == MailState.DUE,
        func.coalesce(Notice.mail_next_at, Notice.create_time) <= now - timedelta(seconds=grace_seconds),
        or_(Notice.mail_claimed_at.is_(None),
            Notice.mail_claimed_at <= now - timedelta(seconds=cfg["MAIL_CLAIM_SECONDS"])))
        .order_by(Notice.id)))


def failed_mail(limit: int = 100) -> list[Notice]:
    return db.session.scalars(select(Notice).where(Notice.mail_state == MailState.FAILED)
                              .order_by(Notice.id.desc()).limit(limit)).all()


def requeue_failed() -> list[int]:
    """Make every given-up notice mail due again (after fixing the cause)."""
    with db.auto_commit():
        ids = list(db.session.scalars(select(Notice.id).where(Notice.mail_state == MailState.FAILED)))
        if ids:
            db.session.execute(update(Notice).where(Notice.id.in_(ids)).values(
                mail_state=MailState.DUE, mail_attempts=0, mail_next_at=None, mail_claimed_at=None)
                .execution_options(synchronize_session=False))
    return ids

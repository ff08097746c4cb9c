"""Everything fisher holds about one user, read for "下载我的数据".

Each kind of data is a table: a list of rows (dicts) in the column order of
``app/libs/export_files.COLUMNS``, which also says what every column means.
Nothing secret leaves: no password hash, no session generation, no mail
queue bookkeeping. A drift's mailing details follow the pending page's rule
(``address_visible``): the requester always sees their own, the gifter only
from acceptance until the drift closes, and details erased after closing
stay erased. Withdrawn gifts and wishes are part of the user's history, so
they are included with their status; drifts, ledger rows and notices are
read as the site shows them (live rows only).
"""
from sqlalchemy import or_, select

from app.libs.enums import GiftCondition
from app.models.base import DELETED, db
from app.models.bean_ledger import BeanLedger, BeanReason
from app.models.book import Book
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.notice import Notice
from app.models.user import User
from app.models.wish import Wish
from app.view_models.drift import address_visible


def _time(value) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value else ""


def account(user: User) -> list[dict]:
    """The account as one row, without its secrets."""
    return [{"id": user.id, "nickname": user.nickname, "email": user.email,
             "beans": str(user.beans), "bean_debt": str(user.bean_debt),
             "send_counter": user.send_counter, "receive_counter": user.receive_counter,
             "mail_off": user.mail_off, "created": _time(user.create_time)}]


def _entry_status(entry, done: str) -> str:
    if entry.status == DELETED:
        return "withdrawn"
    return done if entry.launched else "open"


def _entries(model, uid: int):
    """My gifts or wishes, withdrawn ones too, with each book's title."""
    return db.session.execute(
        select(model, Book.title).outerjoin(Book, Book.isbn == model.isbn)
        .where(model.uid == uid).order_by(model.id)
        .execution_options(include_deleted=True)).all()


def gifts(uid: int) -> list[dict]:
    rows = []
    for gift, title in _entries(Gift, uid):
        condition = GiftCondition(gift.condition)
        rows.append({"id": gift.id, "isbn": gift.isbn, "book_title": title or "",
                     "status": _entry_status(gift, "given"), "condition": condition.name.lower(),
                     "condition_label": condition.label, "condition_note": gift.condition_note,
                     "created": _time(gift.create_time)})
    return rows


def wishes(uid: int) -> list[dict]:
    return [{"id": wish.id, "isbn": wish.isbn, "book_title": title or "",
             "status": _entry_status(wish, "fulfilled"), "created": _time(wish.create_time)}
            for wish, title in _entries(Wish, uid)]


def _drift_row(drift: Drift, uid: int) -> dict:
    role = "requester" if drift.requester_id == uid else "gifter"
    status = drift.pending_status
    shown = address_visible(status, role) and not drift.address_erased
    return {"id": drift.id, "role": role, "status": status.name.lower(),
            "status_label": status.label(role), "isbn": drift.isbn,
            "book_title": drift.book_title, "book_author": drift.book_author,
            "other_party": drift.gifter_nickname if role == "requester" else drift.requester_nickname,
            "message": drift.message,
            "recipient_name": drift.recipient_name if shown else "",
            "address": drift.address if shown else "",
            "mobile": drift.mobile if shown else "",
            "address_erased": bool(drift.address_erased),
            "tracking": drift.tracking, "problem": drift.problem,
            "created": _time(drift.create_time), "moved_at": _time(drift.moved_at),
            "closed_at": _time(drift.closed_at)}


def drifts(uid: int) -> list[dict]:
    found = db.session.scalars(select(Drift).where(
        or_(Drift.requester_id == uid, Drift.gifter_id == uid)).order_by(Drift.id))
    return [_drift_row(drift, uid) for drift in found]


def ledger(uid: int) -> list[dict]:
    found = db.session.scalars(select(BeanLedger).where(BeanLedger.uid == uid).order_by(BeanLedger.id))
    return [{"id": entry.id, "time": _time(entry.create_time), "delta": str(entry.delta),
             "reason": entry.reason, "reason_label": BeanReason.LABELS.get(entry.reason, ""),
             "gift_id": entry.gift_id or "", "drift_id": entry.drift_id or ""} for entry in found]


def notices(uid: int) -> list[dict]:
    found = db.session.scalars(select(Notice).where(Notice.uid == uid).order_by(Notice.id))
    return [{"id": notice.id, "time": _time(notice.create_time), "kind": notice.kind,
             "isbn": notice.isbn, "book_title": notice.book_title, "actor": notice.actor,
             "note": notice.note, "read": bool(notice.read), "drift_id": notice.drift_id or "",
             "gift_id": notice.gift_id or ""} for notice in found]


def user_data(user: User) -> dict[str, list[dict]]:
    """Every kind of the user's data, by the name of its files."""
    return {"account": account(user), "gifts": gifts(user.id), "wishes": wishes(user.id),
            "drifts": drifts(user.id), "ledger": ledger(user.id), "notices": notices(user.id)}

"""Writing and reading in-site notices (通知).

``notify`` is called inside the unit of work whose change it reports, so the
notice exists exactly when the change does. When the recipient wants email
for the notice's kind, the notice is marked due and its mail is queued once
the unit of work commits (``app/jobs``); a notice whose job was lost is found
by the mail sweep, because the row says its mail has not gone out."""
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update

from app.libs.enums import N_, PendingStatus
from app.models.base import LIVE, db
from app.models.drift import Drift
from app.models.notice import MailState, Notice
from app.models.user import User

# Email settings on the personal page: key, label (lazy: shown in the page's language). Account and security mail
# (password reset) is not a notice and always goes out.
MAIL_GROUPS = (
    ("request", _l("有人向我请求书，或撤回了请求")),
    ("accepted", _l("我的请求被同意、拒绝、送给了别人或过期")),
    ("mailed", _l("对方寄出了我请求的书")),
    ("received", _l("对方确认收到了我送的书，或报告了问题")),
    ("reminder", _l("提醒：期限将到、收到书了吗")),
    ("wish", _l("心愿清单里的书有人赠送了")),
    ("invitation", _l("有人邀请我请求他赠送的书")),
)
MAIL_GROUP_KEYS = frozenset(key for key, _ in MAIL_GROUPS)


@dataclass(frozen=True)
class Kind:
    group: str  # the email setting it follows
    subject: str  # a message id, translated when the notice is read or mailed
    text: str  # a message id with %(actor)s, %(title)s and %(note)s


KINDS = {
    "request": Kind("request", N_("有人想要你的书"), N_("%(actor)s 想要你的《%(title)s》，请同意或拒绝")),
    "withdrawn": Kind("request", N_("对方撤回了请求"), N_("%(actor)s 撤回了对《%(title)s》的请求")),
    "expired_gifter": Kind("request", N_("一个请求已过期"),
                           N_("%(actor)s 对《%(title)s》的请求已过期：没有在期限内处理")),
    "accepted": Kind("accepted", N_("对方同意送你这本书"), N_("%(actor)s 同意把《%(title)s》送给你，等待对方寄出")),
    "rejected": Kind("accepted", N_("对方拒绝了你的请求"), N_("%(actor)s 拒绝了你对《%(title)s》的请求，1 个鱼豆已退还")),
    "given_to_other": Kind("accepted", N_("这本书已送给别人"),
                           N_("%(actor)s 的《%(title)s》已经送给了别人，你的 1 个鱼豆已退还")),
    "expired_requester": Kind("accepted", N_("你的请求已过期"),
                              N_("你对《%(title)s》的请求已过期：%(actor)s 没有在期限内处理，1 个鱼豆已退还")),
    "mailed": Kind("mailed", N_("书已寄出"), N_("%(actor)s 已寄出《%(title)s》%(note)s，收到后请确认收货")),
    "received": Kind("received", N_("对方已收到你送的书"), N_("%(actor)s 已收到《%(title)s》，你获得 1 个鱼豆，感谢分享")),
    "auto_received_gifter": Kind("received", N_("已自动确认收到"),
                                 N_("%(actor)s 在期限内没有确认《%(title)s》，已自动确认收到，你获得 1 个鱼豆")),
    "auto_received_requester": Kind("received", N_("已自动确认收到"),
                                    N_("%(actor)s 寄出的《%(title)s》已到确认期限，已自动确认收到")),
    "problem": Kind("received", N_("对方报告了问题"), N_("%(actor)s 报告《%(title)s》有问题%(note)s")),
    "refunded": Kind("received", N_("对方退还了鱼豆"), N_("%(actor)s 退还了你为《%(title)s》花的 1 个鱼豆")),
    "resolved_received": Kind("received", N_("问题已处理：按已收到结算"),
                              N_("《%(title)s》（与 %(actor)s 的交易）的问题已由管理员处理：按已收到结算")),
    "resolved_refunded": Kind("received", N_("问题已处理：已退还鱼豆"),
                              N_("《%(title)s》（与 %(actor)s 的交易）的问题已由管理员处理：请求人的鱼豆已退还")),
    "remind_respond": Kind("reminder", N_("请处理一个请求"),
                           N_("%(actor)s 对《%(title)s》的请求即将过期，请尽快同意或拒绝")),
    "remind_mail": Kind("reminder", N_("请寄出答应送的书"),
                        N_("你答应送给 %(actor)s 的《%(title)s》即将过期，请尽快寄出")),
    "remind_receive": Kind("reminder", N_("收到了吗？"),
                           N_("%(actor)s 寄出的《%(title)s》收到了吗？收到后请确认收货，没收到或有损坏请报告问题")),
    "wish_available": Kind("wish", N_("你想要的书有人赠送了"), N_("你想要的《%(title)s》有人赠送了：%(actor)s")),
    "invitation": Kind("invitation", N_("有人想送你一本书"), N_("%(actor)s 想送你一本《%(title)s》")),
}


def notify(uid: int, kind: str, *, drift: Drift | None = None, gift_id: int | None = None,
           isbn: str = "", book_title: str = "", actor: str = "", note: str = "") -> Notice:
    """Write a notice for user ``uid`` in the caller's unit of work (whose
    user rows are locked already) and queue its email after the commit."""
    spec = KINDS[kind]
    mail_off, verified = db.session.execute(
        select(User.mail_off, User.email_verified).where(User.id == uid)).one_or_none() or ("", False)
    wants_mail = bool(verified) and spec.group not in (mail_off or "").split(",")  # an unverified address gets none
    if drift is not None:
        isbn, book_title, gift_id = drift.isbn, drift.book_title, drift.gift_id
    notice = Notice(uid=uid, kind=kind, drift_id=drift.id if drift is not None else None,
                    gift_id=gift_id, isbn=isbn, book_title=book_title[:255], actor=actor[:24],
                    note=note[:200], mail_state=MailState.DUE if wants_mail else MailState.NONE)
    db.session.add(notice)
    db.session.flush()
    if wants_mail:
        from app.jobs import queue_notice_mail

        db.after_commit(queue_notice_mail, notice.id)
    return notice


def notice_text(notice: Notice) -> str:
    """The notice in the current language: a notice stores its kind and the
    names in it, so each reader (or mail) reads it in their own language."""
    note = notice.note
    if note and notice.kind in ("mailed", "problem"):
        note = _("（%(note)s）", note=note) if notice.kind == "mailed" else _("：%(note)s", note=note)
    return _(KINDS[notice.kind].text, actor=notice.actor, title=notice.book_title, note=note)


def notice_subject(notice: Notice) -> str:
    return _(KINDS[notice.kind].subject)


def my_notices_query(uid: int, unread: bool | None = None):
    """The select of my notices, unordered: the site's list and the API's
    keyset pages (which order it by id) both read through it. ``unread``
    keeps only unread (True) or read (False) ones."""
    statement = select(Notice).where(Notice.uid == uid)
    if unread is not None:
        statement = statement.where(Notice.read.is_(not unread))
    return statement


def my_notices(uid: int, limit: int = 100) -> list[Notice]:
    return db.session.scalars(my_notices_query(uid).order_by(Notice.id.desc()).limit(limit)).all()


def _unread_query(uid):
    """The count of my unread notices, on the table (no ORM work for a
    number; the soft-delete rule stated here)."""
    n = Notice.__table__.c
    return select(func.count()).select_from(Notice.__table__).where(
        n.uid == uid, n.read.is_(False), n.status == LIVE)


def unread_count(uid: int) -> int:
    return db.session.scalar(_unread_query(uid))


def _waiting_on_me_query(uid):
    """The count of drifts waiting on me (on the table, as ``_unread_query``)."""
    d = Drift.__table__.c
    as_gifter = and_(d.gifter_id == uid,
                     d.pending.in_([PendingStatus.WAITING, PendingStatus.ACCEPTED, PendingStatus.PROBLEM]))
    as_requester = and_(d.requester_id == uid, d.pending == PendingStatus.MAILED)
    return select(func.count()).select_from(Drift.__table__).where(
        or_(as_gifter, as_requester), d.status == LIVE)


def waiting_on_me(uid: int) -> int:
    """Drifts whose next step is mine: answer or mail as the gifter, confirm
    receipt as the requester. One count: the two sides' states never overlap."""
    return db.session.scalar(_waiting_on_me_query(uid))


@cache
def _nav_counts():
    uid = bindparam("uid")
    return select(_unread_query(uid).scalar_subquery(), _waiting_on_me_query(uid).scalar_subquery())


def nav_counts(uid: int) -> tuple[int, int]:
    """(unread notices, drifts waiting on me), asked in one round trip (the
    navigation shows both on every page of a signed-in reader; the statement
    is built once, on the tables: no ORM work for two numbers)."""
    row = db.session.execute(_nav_counts(), {"uid": uid}).one()
    return int(row[0]), int(row[1])


def mark_read(uid: int, nid: int | None = None, ids: Collection[int] | None = None) -> int:
    """Mark one of my notices (``nid``), those of ``ids`` or all of them read;
    returns how many changed. Ids of other users' notices change nothing."""
    with db.auto_commit():
        # A bulk statement: the soft-delete rule is restated by hand.
        statement = update(Notice).where(Notice.uid == uid, Notice.read.is_(False), Notice.status == LIVE)
        if nid is not None:
            statement = statement.where(Notice.id == nid)
        if ids is not None:
            statement = statement.where(Notice.id.in_(list(ids)))
        result = db.session.execute(statement.values(read=True)
                                    .execution_options(synchronize_session=False))
    return result.rowcount


def set_mail_groups(user: User, enabled: set[str]) -> None:
    """Switch email on for the ``enabled`` groups and off for the others."""
    with db.auto_commit():
        user.mail_off = ",".join(key for key, _ in MAIL_GROUPS if key not in enabled)

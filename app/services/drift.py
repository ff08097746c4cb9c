"""The drift (鱼漂) lifecycle. A requester asks for a gift (−1 bean, held);
the gifter accepts or rejects; after accepting, mails it; the requester
confirms receipt (the gifter +1) or reports a problem. Rejected, withdrawn,
expired and given-to-someone-else requests are refunded. ``TRANSITIONS``
below is the whole table; deadlines are in ``drift_deadlines``.

Every transition is one unit of work built on conditional updates (``...
WHERE pending IN (from states)``) checked by row count, so concurrent clicks
apply once, and it writes the other party's notice in the same unit of work.

Row locks are taken in one order everywhere: the gift, then drifts, then
users in ascending id (``lock_user_rows``, before any insert whose foreign-key
checks would take shared locks on them), then wishes, ledger rows and
notices. Each unit of work runs under ``retry_on_deadlock`` and a conflict
that outlives the retries is answered "please try again"."""
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, func, or_, select, update

from app.libs.enums import N_, OPEN_STATES, PROMISED_STATES, PendingStatus
from app.models.base import LIVE, db, utcnow
from app.models.bean_ledger import BeanReason, change_beans
from app.models.book import Book
from app.models.drift import Drift
from app.models.gift import Gift, lock_gift_row
from app.models.unit_of_work import retry_on_deadlock
from app.models.user import User, lock_user_rows
from app.models.wish import Wish
from app.services import page_versions
from app.services.errors import Conflict, NotFound, Refused
from app.services.notices import notify

S = PendingStatus
MOVED_ON = N_("这个鱼漂的状态已经变了，请刷新页面查看最新状态")  # translated when raised
GIFTER, REQUESTER = "gifter", "requester"

# action: (who may do it, the states it starts from, the state it ends in)
TRANSITIONS = {
    "accept": (GIFTER, {S.WAITING}, S.ACCEPTED),
    "reject": (GIFTER, {S.WAITING}, S.REJECTED),
    "withdraw": (REQUESTER, {S.WAITING, S.ACCEPTED}, S.WITHDRAWN),
    "mailed": (GIFTER, {S.ACCEPTED}, S.MAILED),
    "received": (REQUESTER, {S.MAILED, S.PROBLEM}, S.RECEIVED),
    "problem": (REQUESTER, {S.MAILED}, S.PROBLEM),
    "refund": (GIFTER, {S.PROBLEM}, S.REFUNDED),
}


@dataclass
class DriftAllowance:
    """The numbers behind the request rule: beans ≥ 1 and, for every two books
    received, at least one given. Open requests count as received -- they may
    all arrive -- or one could hold any number of them and receive them all
    without ever giving a book."""
    beans: object
    received: int
    waiting: int
    given: int

    @property
    def enough_beans(self) -> bool:
        return self.beans >= 1

    @property
    def needed(self) -> int:
        """How many more books to give before the next request."""
        return max(0, (self.received + self.waiting) // 2 - self.given)

    @property
    def ratio_ok(self) -> bool:
        return self.needed == 0

    @property
    def allowed(self) -> bool:
        return self.enough_beans and self.ratio_ok


def _counted(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@cache
def _allowance_counts():
    """The user's beans and drift counts in one Core statement on the tables
    (no ORM work; the soft-delete rule stated here)."""
    d, u = Drift.__table__.c, User.__table__.c
    mine, received = bindparam("uid"), int(S.RECEIVED)
    beans = select(u.beans).where(u.id == mine).scalar_subquery()
    return select(
        beans,
        _counted(and_(d.requester_id == mine, d.pending == received)),
        _counted(and_(d.requester_id == mine, d.pending.in_([int(s) for s in OPEN_STATES]))),
        _counted(and_(d.gifter_id == mine, d.pending == received)),
    ).select_from(Drift.__table__).where(or_(d.requester_id == mine, d.gifter_id == mine), d.status == LIVE)


def drift_allowance(user: User) -> DriftAllowance:
    """The user's numbers, read in one statement (built once: the book page
    asks on every view), the beans from the row as stored now rather than as
    the session loaded it. ``request_gift`` locks the user's row first, so two
    requests at once count each other's open drift."""
    beans, *counts = db.session.execute(_allowance_counts(), {"uid": user.id}).one()
    return DriftAllowance(beans, *(int(n) for n in counts))


def promised(gid: int) -> bool:
    """Has the gifter accepted a request for this copy (not closed yet)?"""
    return bool(db.session.scalar(select(Drift.id).where(
        Drift.gift_id == gid, Drift.pending.in_([int(s) for s in PROMISED_STATES])).limit(1)))


def open_gift(gid: int) -> Gift:
    """A gift anyone may ask for: live and not given yet, else NotFound."""
    gift = db.session.get(Gift, gid)
    if gift is None or gift.launched:
        raise NotFound(gid)
    return gift


def check_requester(user: User, gift: Gift) -> None:
    """Refused when the gift is the user's own or promised to someone else."""
    if gift.uid == user.id:
        raise Refused(_("这本书是你自己的，不能向自己请求"))
    if promised(gift.id):
        raise Refused(_("这本书已经答应送给别人了"))


@retry_on_deadlock
def request_gift(user: User, gid: int, details: dict) -> Drift:
    """Ask for gift ``gid`` with mailing ``details``; costs one bean, held
    until the drift closes. The gifter gets a notice."""
    with db.auto_commit():
        gift = open_gift(gid)
        # A bulk statement: the soft-delete rule is restated by hand.
        if not lock_gift_row(gid, Gift.launched.is_(False), Gift.status == LIVE):
            raise NotFound(gid)
        check_requester(user, gift)
        lock_user_rows(user.id, gift.uid)
        if not drift_allowance(user).ratio_ok:
            raise Refused(_("你请求的书太多了，每请求两本书，你需要先赠送出一本书"))
        if db.session.scalar(select(Drift.id).where(
                Drift.gift_id == gid, Drift.requester_id == user.id,
                Drift.pending.in_([int(s) for s in OPEN_STATES]))):
            raise Refused(_("你已经请求过这本书了，请等待对方处理"))
        book = db.session.scalar(select(Book).where(Book.isbn == gift.isbn))
        drift = Drift(**details, isbn=gift.isbn, book_title=book.title,
                      book_author="、".join(book.author or [])[:255], book_img=book.image,
                      requester_id=user.id, requester_nickname=user.nickname,
                      gifter_id=gift.uid, gifter_nickname=gift.user.nickname, gift_id=gid,
                      moved_at=utcnow())
        db.session.add(drift)
        db.session.flush()
        if not change_beans(user.id, -1, BeanReason.REQUEST, drift_id=drift.id):
            raise Refused(_("你的鱼豆不足，至少需要 1 个鱼豆才能请求书籍"))
        notify(gift.uid, "request", drift=drift, actor=user.nickname)
    return drift


def _drift_for(user: User, did: int, role: str) -> Drift:
    """The drift, when ``user`` is its party in ``role``; NotFound for anyone
    else (a stranger learns nothing, not even that it exists)."""
    drift = db.session.get(Drift, did)
    party = drift and (drift.gifter_id if role == GIFTER else drift.requester_id)
    if drift is None or party != user.id:
        raise NotFound(did)
    return drift


def move(drift: Drift, to: PendingStatus, from_states, *conditions, **values) -> bool:
    """``from_states`` → ``to`` if the drift is still in one of them (and meets
    ``conditions``); False when someone was first."""
    now, isbn = utcnow(), drift.isbn
    values.update(pending=int(to), moved_at=now)
    if to not in OPEN_STATES:
        values["closed_at"] = now
    result = db.session.execute(update(Drift).where(
        Drift.id == drift.id, Drift.pending.in_([int(s) for s in from_states]), *conditions)
        .values(**values).execution_options(synchronize_session=False))
    db.session.expire(drift)
    if result.rowcount == 1 and {s in PROMISED_STATES for s in from_states} != {to in PROMISED_STATES}:
        page_versions.touch_books([isbn])  # the copy is no longer, or again, on offer
    return result.rowcount == 1


def _transition(user: User, did: int, action: str, **values) -> Drift:
    """Lock the gift, then move the drift as ``TRANSITIONS[action]`` says and
    lock both parties; Conflict when the drift has moved on."""
    role, from_states, to = TRANSITIONS[action]
    drift = _drift_for(user, did, role)
    lock_gift_row(drift.gift_id)
    if not move(drift, to, from_states, **values):
        raise Conflict(_(MOVED_ON))
    lock_user_rows(drift.gifter_id, drift.requester_id)
    return drift


@retry_on_deadlock
def accept(user: User, did: int) -> Drift:
    """The gifter will send this copy to this requester: every other open
    request for it is given to someone else, with its refund and notice."""
    with db.auto_commit():
        drift = _drift_for(user, did, GIFTER)
        lock_gift_row(drift.gift_id)
        if promised(drift.gift_id):
            raise Conflict(_("这本书已经答应送给另一位书友了"))
        if not move(drift, S.ACCEPTED, {S.WAITING}):
            raise Conflict(_(MOVED_ON))
        waiting = db.session.scalars(select(Drift).where(
            Drift.gift_id == drift.gift_id, Drift.pending == S.WAITING, Drift.id != drift.id)).all()
        others = [other for other in waiting if move(other, S.GIVEN_TO_OTHER, {S.WAITING})]
        lock_user_rows(drift.gifter_id, drift.requester_id, *(o.requester_id for o in others))
        for other in others:
            change_beans(other.requester_id, 1, BeanReason.REFUND_GIVEN_TO_OTHER, drift_id=other.id)
            notify(other.requester_id, "given_to_other", drift=other, actor=user.nickname)
        notify(drift.requester_id, "accepted", drift=drift, actor=user.nickname)
    return drift


def _refund(drift: Drift, reason: str) -> None:
    change_beans(drift.requester_id, 1, reason, drift_id=drift.id)


@retry_on_deadlock
def reject(user: User, did: int) -> Drift:
    """The gifter declines; the requester gets the bean back."""
    with db.auto_commit():
        drift = _transition(user, did, "reject")
        _refund(drift, BeanReason.REFUND_REJECT)
        notify(drift.requester_id, "rejected", drift=drift, actor=user.nickname)
    return drift


@retry_on_deadlock
def withdraw(user: User, did: int) -> Drift:
    """The requester withdraws (until the book is mailed); the bean comes back."""
    with db.auto_commit():
        drift = _transition(user, did, "withdraw")
        _refund(drift, BeanReason.REFUND_WITHDRAW)
        notify(drift.gifter_id, "withdrawn", drift=drift, actor=user.nickname)
    return drift


@retry_on_deadlock
def mailed(user: User, did: int, tracking: str = "") -> Drift:
    """The gifter has sent the book (with an optional tracking note)."""
    tracking = (tracking or "").strip()[:100]
    with db.auto_commit():
        drift = _transition(user, did, "mailed", tracking=tracking)
        notify(drift.requester_id, "mailed", drift=drift, actor=user.nickname, note=tracking)
    return drift


@retry_on_deadlock
def problem(user: User, did: int, note: str) -> Drift:
    """The requester reports that the book did not arrive or arrived damaged."""
    note = (note or "").strip()[:200]
    if not note:
        raise Refused(_("请说明遇到了什么问题"))
    with db.auto_commit():
        drift = _transition(user, did, "problem", problem=note)
        notify(drift.gifter_id, "problem", drift=drift, actor=user.nickname, note=note)
    return drift


@retry_on_deadlock
def received(user: User, did: int) -> Drift:
    """The requester has the book: the trade is done."""
    with db.auto_commit():
        drift = _transition(user, did, "received")
        complete(drift)
        notify(drift.gifter_id, "received", drift=drift, actor=user.nickname)
    return drift


@retry_on_deadlock
def refund(user: User, did: int) -> Drift:
    """The gifter settles a problem by giving the requester's bean back; no
    reward. The copy has left the gifter, so it is no longer offered."""
    with db.auto_commit():
        drift = _transition(user, did, "refund")
        settle_refund(drift)
        notify(drift.requester_id, "refunded", drift=drift, actor=user.nickname)
    return drift


def complete(drift: Drift) -> None:
    """What receipt settles, in the caller's unit of work (gift and users
    locked): the gifter's reward, both counters, the gift given, the wish
    fulfilled."""
    change_beans(drift.gifter_id, 1, BeanReason.RECEIVED_REWARD, drift_id=drift.id)
    _count_trade(drift.gifter_id, User.send_counter)
    _count_trade(drift.requester_id, User.receive_counter)
    _give(drift.gift_id)
    page_versions.touch_books([drift.isbn])  # the gift is given, the wish fulfilled
    db.session.execute(update(Wish).where(
        Wish.uid == drift.requester_id, Wish.isbn == drift.isbn, Wish.launched.is_(False),
        Wish.status == LIVE).values(launched=True).execution_options(synchronize_session=False))


def settle_refund(drift: Drift) -> None:
    _refund(drift, BeanReason.REFUND_PROBLEM)
    _give(drift.gift_id)
    page_versions.touch_books([drift.isbn])


def _give(gid: int) -> None:
    # A bulk statement: the soft-delete rule is restated by hand.
    db.session.execute(update(Gift).where(Gift.id == gid, Gift.status == LIVE)
                       .values(launched=True).execution_options(synchronize_session=False))


def _count_trade(uid: int, column) -> None:
    db.session.execute(update(User).where(User.id == uid).values({column: column + 1})
                       .execution_options(synchronize_session=False))


def deadline(drift: Drift, config) -> datetime | None:
    """When the drift's current state runs out, if it does."""
    from app.services.drift_deadlines import state_deadline

    return state_deadline(drift.pending_status, drift.moved_at, config)

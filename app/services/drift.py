"""The drift (鱼漂) workflow. Every transition is one unit of work built on
conditional updates (``... WHERE pending = Waiting``) checked by row count, so
concurrent clicks apply once.

Row locks are taken in one order everywhere: the gift, then drifts, then
users in ascending id (``lock_user_rows``, before any insert whose foreign-key
checks would take shared locks on them), then wishes and ledger rows. That
rules out the deadlocks we know of -- two users marking each other's drifts
mailed, a request racing a withdrawal -- but not every one the database may
find (gap or foreign-key locks), so each unit of work runs under
``retry_on_deadlock`` and a conflict that outlives the retries is answered
"please try again", never as an outage."""
from dataclasses import dataclass

from sqlalchemy import func, select, update

from app.libs.email import send_mail
from app.libs.enums import PendingStatus
from app.libs.site_url import site_url_for
from app.models.base import LIVE, db
from app.models.bean_ledger import BeanReason, change_beans
from app.models.book import Book
from app.models.drift import Drift
from app.models.gift import Gift, lock_gift_row
from app.models.unit_of_work import retry_on_deadlock
from app.models.user import User, lock_user_rows
from app.models.wish import Wish
from app.services.errors import Conflict, NotFound, Refused

WAITING = PendingStatus.WAITING


@dataclass
class DriftAllowance:
    """The numbers behind the request rule: beans ≥ 1 and, for every two books
    received, at least one given. Requests still waiting count as received --
    they may all be mailed -- or one could hold any number of them and receive
    them all without ever giving a book."""
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


def _drifts(column, uid: int, status: PendingStatus) -> int:
    return db.session.scalar(select(func.count()).select_from(Drift).where(
        column == uid, Drift.pending == status))


def drift_allowance(user: User) -> DriftAllowance:
    """The user's numbers. ``request_gift`` locks the user's row first, so two
    requests at once count each other's waiting drift."""
    db.session.refresh(user, ["beans"])
    return DriftAllowance(user.beans, _drifts(Drift.requester_id, user.id, PendingStatus.SUCCESS),
                          _drifts(Drift.requester_id, user.id, WAITING),
                          _drifts(Drift.gifter_id, user.id, PendingStatus.SUCCESS))


def open_gift(gid: int) -> Gift:
    """A gift anyone may ask for: live and not given yet, else NotFound."""
    gift = db.session.get(Gift, gid)
    if gift is None or gift.launched:
        raise NotFound(gid)
    return gift


def check_requester(user: User, gift: Gift) -> None:
    """Refused when the gift is the user's own."""
    if gift.uid == user.id:
        raise Refused("这本书是你自己的，不能向自己请求")


@retry_on_deadlock
def request_gift(user: User, gid: int, details: dict) -> Drift:
    """Ask for gift ``gid`` with mailing ``details``; costs one bean. The
    gifter is told by email once the request is committed."""
    with db.auto_commit():
        gift = open_gift(gid)
        check_requester(user, gift)
        # A bulk statement: the soft-delete rule is restated by hand.
        if not lock_gift_row(gid, Gift.launched.is_(False), Gift.status == LIVE):
            raise NotFound(gid)
        lock_user_rows(user.id, gift.uid)
        if not drift_allowance(user).ratio_ok:
            raise Refused("你请求的书太多了，每请求两本书，你需要先赠送出一本书")
        if db.session.scalar(select(Drift.id).where(
                Drift.gift_id == gid, Drift.requester_id == user.id, Drift.pending == WAITING)):
            raise Refused("你已经请求过这本书了，请等待对方处理")
        book = db.session.scalar(select(Book).where(Book.isbn == gift.isbn))
        drift = Drift(**details, isbn=gift.isbn, book_title=book.title,
                      book_author="、".join(book.author or [])[:255], book_img=book.image,
                      requester_id=user.id, requester_nickname=user.nickname,
                      gifter_id=gift.uid, gifter_nickname=gift.user.nickname, gift_id=gid)
        db.session.add(drift)
        db.session.flush()
        if not change_beans(user.id, -1, BeanReason.REQUEST, drift_id=drift.id):
            raise Refused("你的鱼豆不足，至少需要 1 个鱼豆才能请求书籍")
    gifter = gift.user
    send_mail(gifter.email, "有人想要一本书", "get_gift", gifter=gifter, drift=drift,
              link=site_url_for("web.pending"))
    return drift


def _drift_for(user: User, did: int, role: str) -> Drift:
    drift = db.session.get(Drift, did)
    party = drift and (drift.gifter_id if role == "gifter" else drift.requester_id)
    if drift is None or party != user.id:
        raise NotFound(did)
    return drift


def _move(drift: Drift, to: PendingStatus) -> bool:
    """Waiting → ``to`` if still waiting; False when someone was first."""
    result = db.session.execute(update(Drift).where(
        Drift.id == drift.id, Drift.pending == WAITING).values(pending=int(to))
        .execution_options(synchronize_session=False))
    db.session.expire(drift, ["pending"])
    return result.rowcount == 1


@retry_on_deadlock
def _close(user: User, did: int, role: str, to: PendingStatus, reason: str) -> Drift:
    with db.auto_commit():
        drift = _drift_for(user, did, role)
        if not _move(drift, to):
            raise Conflict("这个鱼漂已经处理过了，请刷新页面查看最新状态")
        change_beans(drift.requester_id, 1, reason, drift_id=drift.id)
    return drift


def reject(user: User, did: int) -> Drift:
    """The gifter declines; the requester gets the bean back."""
    return _close(user, did, "gifter", PendingStatus.REJECT, BeanReason.REFUND_REJECT)


def withdraw(user: User, did: int) -> Drift:
    """The requester withdraws the request; the bean comes back."""
    return _close(user, did, "requester", PendingStatus.WITHDRAWN, BeanReason.REFUND_WITHDRAW)


@retry_on_deadlock
def mailed(user: User, did: int) -> Drift:
    """The gifter has mailed the book: the trade completes, the gift and the
    requester's wish are fulfilled, and every other waiting request for the
    same gift is rejected with its refund."""
    with db.auto_commit():
        drift = _drift_for(user, did, "gifter")
        lock_gift_row(drift.gift_id)
        if not _move(drift, PendingStatus.SUCCESS):
            raise Conflict("这个鱼漂已经处理过了，请刷新页面查看最新状态")
        # Bulk statements: the soft-delete rule is restated by hand.
        given = db.session.execute(update(Gift).where(
            Gift.id == drift.gift_id, Gift.launched.is_(False), Gift.status == LIVE)
            .values(launched=True).execution_options(synchronize_session=False))
        if given.rowcount != 1:
            raise Conflict("这本书已经送出或已撤回")
        waiting = db.session.scalars(select(Drift).where(
            Drift.gift_id == drift.gift_id, Drift.pending == WAITING, Drift.id != drift.id)).all()
        others = [other for other in waiting if _move(other, PendingStatus.REJECT)]
        lock_user_rows(drift.gifter_id, drift.requester_id, *(o.requester_id for o in others))
        change_beans(user.id, 1, BeanReason.MAILED_REWARD, drift_id=drift.id)
        _count_trade(drift.gifter_id, User.send_counter)
        _count_trade(drift.requester_id, User.receive_counter)
        db.session.execute(update(Wish).where(
            Wish.uid == drift.requester_id, Wish.isbn == drift.isbn, Wish.launched.is_(False),
            Wish.status == LIVE).values(launched=True).execution_options(synchronize_session=False))
        for other in others:
            change_beans(other.requester_id, 1, BeanReason.REFUND_REJECT, drift_id=other.id)
    return drift


def _count_trade(uid: int, column) -> None:
    db.session.execute(update(User).where(User.id == uid).values({column: column + 1})
                       .execution_options(synchronize_session=False))

"""Units of work on the gift and wish lists (赠送清单, 心愿清单)."""
from decimal import Decimal

from flask import current_app
from limits import parse
from sqlalchemy import func, select

from app.extensions import limiter
from app.libs.email import send_batch, send_mail
from app.libs.enums import PendingStatus
from app.libs.site_url import site_url_for
from app.models.base import LIVE, db
from app.models.bean_ledger import BeanReason, change_beans
from app.models.drift import Drift
from app.models.gift import Gift, lock_gift_row
from app.models.unit_of_work import retry_on_deadlock
from app.models.user import User, lock_user_rows
from app.models.wish import Wish
from app.services.books import find_by_isbn
from app.services.errors import NotFound, Refused

DUPLICATE = "这本书已添加至你的赠送清单或已存在于你的心愿清单，请不要重复添加"


def _known_book(isbn: str) -> dict:
    book = find_by_isbn(isbn)
    if book is None:
        raise NotFound(isbn)
    return book


def _on_my_lists(uid: int, isbn: str) -> bool:
    """True when the ISBN is among my open (live, unlaunched) gifts or wishes."""
    for model in (Gift, Wish):
        if db.session.scalar(select(func.count()).select_from(model).where(
                model.uid == uid, model.isbn == isbn, model.launched.is_(False))):
            return True
    return False


def _add_to_list(model, user: User, isbn: str):
    lock_user_rows(user.id)
    if _on_my_lists(user.id, isbn):
        raise Refused(DUPLICATE)
    row = model(uid=user.id, isbn=isbn)
    db.session.add(row)
    db.session.flush()
    return row


@retry_on_deadlock
def add_gift(user: User, isbn: str) -> Gift:
    """List a gift (+BEANS_UPLOAD_ONE_BOOK beans) and tell the people who wish for it."""
    book = _known_book(isbn)
    with db.auto_commit():
        gift = _add_to_list(Gift, user, isbn)
        change_beans(user.id, current_app.config["BEANS_UPLOAD_ONE_BOOK"], BeanReason.LIST_GIFT,
                     gift_id=gift.id)
    notify_wishers(gift, book)
    return gift


@retry_on_deadlock
def add_wish(user: User, isbn: str) -> Wish:
    _known_book(isbn)
    with db.auto_commit():
        return _add_to_list(Wish, user, isbn)


@retry_on_deadlock
def withdraw_gift(user: User, gid: int) -> None:
    """Withdraw my own live, unlaunched gift while no drift for it waits, and
    take back the beans it earned. The gift is locked before the user, as in
    a request for it."""
    with db.auto_commit():
        # A bulk statement: the soft-delete rule is restated by hand.
        if not lock_gift_row(gid, Gift.uid == user.id, Gift.launched.is_(False), Gift.status == LIVE):
            raise NotFound(gid)
        lock_user_rows(user.id)
        gift = db.session.get(Gift, gid)
        waiting = db.session.scalar(select(Drift.id).where(
            Drift.gift_id == gid, Drift.pending == PendingStatus.WAITING).limit(1))
        if waiting:
            raise Refused("这个礼物正处于交易状态，请先前往鱼漂完成该交易")
        gift.delete()
        back = -Decimal(str(current_app.config["BEANS_UPLOAD_ONE_BOOK"]))
        if not change_beans(user.id, back, BeanReason.WITHDRAW_GIFT, gift_id=gid):
            raise Refused("你的鱼豆不足以撤回这本书（撤回会扣回加入赠送清单时获得的鱼豆）")


@retry_on_deadlock
def withdraw_wish(user: User, isbn: str) -> None:
    with db.auto_commit():
        wish = db.session.scalar(select(Wish).where(
            Wish.uid == user.id, Wish.isbn == isbn, Wish.launched.is_(False)))
        if wish is None:
            raise NotFound(isbn)
        wish.delete()


def notify_wishers(gift: Gift, book: dict) -> int:
    """Email everyone who wishes for the gift's book (first wishers first),
    unless they switched wish alerts off. Returns how many were told."""
    wishers = db.session.scalars(
        select(User).join(Wish, Wish.uid == User.id)
        .where(Wish.isbn == gift.isbn, Wish.launched.is_(False), Wish.uid != gift.uid,
               User.wish_alerts.is_(True))
        .order_by(Wish.create_time, Wish.id)).all()
    link = site_url_for("web.book_detail", isbn=gift.isbn)
    send_batch([(wisher.email, f"你想要的《{book['title']}》有人赠送了", "wish_available",
                 {"wisher": wisher, "book": book, "link": link}) for wisher in wishers])
    return len(wishers)


def satisfy_wish(gifter: User, wid: int) -> Wish:
    """Invite a wisher to request my gift of the book they want, at most once
    a minute for each (wish, gifter). Without such a gift the wish is not
    mine to act on: NotFound."""
    wish = db.session.get(Wish, wid)
    if wish is None or wish.launched or wish.uid == gifter.id:
        raise NotFound(wid)
    gift = db.session.scalar(select(Gift).where(
        Gift.uid == gifter.id, Gift.isbn == wish.isbn, Gift.launched.is_(False)))
    if gift is None:  # only someone who offers the book may invite
        raise NotFound(wid)
    if not limiter.limiter.hit(parse("1/minute"), "satisfy-wish", str(wid), str(gifter.id)):
        raise Refused(f"你已向 {wish.user.nickname} 发送过赠送邀请，请不要频繁发送")
    book = _known_book(wish.isbn)
    send_mail(wish.user.email, "有人想送你一本书", "satisfy_wish", wisher=wish.user, gifter=gifter,
              book=book, link=site_url_for("web.request_gift", gift_id=gift.id))
    return wish

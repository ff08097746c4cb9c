"""Units of work on the gift and wish lists (赠送清单, 心愿清单)."""
from decimal import Decimal

from flask import current_app
from limits import parse
from sqlalchemy import func, select

from app.extensions import limiter
from app.libs.enums import N_, OPEN_STATES, GiftCondition
from app.libs.request_domain import gettext as _
from app.models.base import LIVE, db
from app.models.bean_ledger import BeanReason, change_beans, take_back
from app.models.drift import Drift
from app.models.gift import Gift, lock_gift_row
from app.models.unit_of_work import retry_on_deadlock
from app.models.user import User, lock_user_rows
from app.models.wish import Wish
from app.services.books import find_by_isbn
from app.services.errors import NotFound, Refused
from app.services.notices import notify

DUPLICATE = N_("这本书已添加至你的赠送清单或已存在于你的心愿清单，请不要重复添加")  # translated when raised


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
        raise Refused(_(DUPLICATE))
    row = model(uid=user.id, isbn=isbn)
    db.session.add(row)
    db.session.flush()
    return row


@retry_on_deadlock
def add_gift(user: User, isbn: str, condition: GiftCondition = GiftCondition.UNSAID,
             condition_note: str = "") -> Gift:
    """List a gift (+BEANS_UPLOAD_ONE_BOOK beans), with the copy's condition,
    and tell the people who wish for it."""
    book = _known_book(isbn)
    with db.auto_commit():
        gift = _add_to_list(Gift, user, isbn)
        gift.condition, gift.condition_note = int(condition), condition_note[:200]
        change_beans(user.id, current_app.config["BEANS_UPLOAD_ONE_BOOK"], BeanReason.LIST_GIFT,
                     gift_id=gift.id)
        notify_wishers(gift, book, user)
    return gift


@retry_on_deadlock
def add_wish(user: User, isbn: str) -> Wish:
    _known_book(isbn)
    with db.auto_commit():
        return _add_to_list(Wish, user, isbn)


@retry_on_deadlock
def withdraw_gift(user: User, gid: int) -> None:
    """Withdraw my own live, unlaunched gift while no open drift holds it, and
    take back the beans it earned as far as the balance allows (the rest is
    owed, so listing and withdrawing never earns). The gift is locked before
    the user, as in a request for it."""
    with db.auto_commit():
        # A bulk statement: the soft-delete rule is restated by hand.
        if not lock_gift_row(gid, Gift.uid == user.id, Gift.launched.is_(False), Gift.status == LIVE):
            raise NotFound(gid)
        lock_user_rows(user.id)
        gift = db.session.get(Gift, gid)
        held = db.session.scalar(select(Drift.id).where(
            Drift.gift_id == gid, Drift.pending.in_([int(s) for s in OPEN_STATES])).limit(1))
        if held:
            raise Refused(_("这个礼物正处于交易状态，请先前往鱼漂完成该交易"))
        gift.delete()
        take_back(user.id, Decimal(str(current_app.config["BEANS_UPLOAD_ONE_BOOK"])),
                  BeanReason.WITHDRAW_GIFT, gift_id=gid)


@retry_on_deadlock
def withdraw_wish(user: User, isbn: str) -> None:
    with db.auto_commit():
        wish = db.session.scalar(select(Wish).where(
            Wish.uid == user.id, Wish.isbn == isbn, Wish.launched.is_(False)))
        if wish is None:
            raise NotFound(isbn)
        wish.delete()


def notify_wishers(gift: Gift, book: dict, gifter: User) -> int:
    """Tell everyone who wishes for the gift's book, in the listing's unit of
    work (their email follows their settings). Returns how many were told."""
    wisher_ids = list(db.session.scalars(
        select(Wish.uid).where(Wish.isbn == gift.isbn, Wish.launched.is_(False), Wish.uid != gift.uid)
        .order_by(Wish.create_time, Wish.id)))
    lock_user_rows(gifter.id, *wisher_ids)
    for uid in wisher_ids:
        notify(uid, "wish_available", gift_id=gift.id, isbn=gift.isbn, book_title=book["title"],
               actor=gifter.nickname)
    return len(wisher_ids)


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
        raise Refused(_("你已向 %(nickname)s 发送过赠送邀请，请不要频繁发送", nickname=wish.user.nickname))
    book = _known_book(wish.isbn)
    with db.auto_commit():
        lock_user_rows(gifter.id, wish.uid)
        notify(wish.uid, "invitation", gift_id=gift.id, isbn=wish.isbn, book_title=book["title"],
               actor=gifter.nickname)
    return wish

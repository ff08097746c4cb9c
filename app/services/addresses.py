"""Units of work on a user's saved mailing addresses (常用收件地址).

Rules: at most ADDRESSES_MAX live addresses each; while a user has any,
exactly one is the default (the first one saved becomes it, removing the
default hands it to the oldest one left, making one default unmarks the
others). Every change runs under the user's row lock, so two requests of
the same user cannot both pass the cap or leave two defaults. An address
that is not the user's (another's, deleted, unknown) is NotFound: the same
answer for all, so ids reveal nothing. The details are checked by the form
(app/forms/address.py, the drift request form's fields) before they get here.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update

from app.models.address import Address
from app.models.base import DELETED, LIVE, db
from app.models.user import User, lock_user_rows
from app.services.errors import NotFound, Refused

ADDRESSES_MAX = 10  # the default of the ADDRESSES_MAX setting


def address_limit() -> int:
    return int(current_app.config.get("ADDRESSES_MAX", ADDRESSES_MAX))


def addresses_of(user: User) -> list[Address]:
    """``user``'s live addresses, the default first, then oldest first."""
    return list(db.session.scalars(select(Address).where(Address.uid == user.id)
                                   .order_by(Address.is_default.desc(), Address.id)))


def default_of(user: User) -> Address | None:
    return db.session.scalar(select(Address).where(Address.uid == user.id, Address.is_default.is_(True)))


def own_address(user: User, aid: int) -> Address:
    """``user``'s live address ``aid``, else NotFound."""
    address = db.session.get(Address, aid)
    if address is None or address.uid != user.id:
        raise NotFound(aid)
    return address


def _set_default(uid: int, aid: int) -> None:
    """Make ``aid`` the only default among ``uid``'s live addresses."""
    db.session.execute(update(Address).where(Address.uid == uid, Address.status == LIVE)
                       .values(is_default=case((Address.id == aid, True), else_=False))
                       .execution_options(synchronize_session=False))


def _promote_oldest(uid: int) -> None:
    """After the default went: the oldest address left becomes it."""
    oldest = db.session.scalar(select(Address.id).where(Address.uid == uid).order_by(Address.id).limit(1))
    if oldest is not None:
        _set_default(uid, oldest)


def add_address(user: User, details: dict, make_default: bool = False) -> Address:
    """Save a new address; Refused beyond the cap (counted under the lock)."""
    limit = address_limit()
    with db.auto_commit():
        lock_user_rows(user.id)
        count = db.session.scalar(select(func.count()).select_from(Address).where(
            Address.uid == user.id, Address.status == LIVE))
        if count >= limit:
            raise Refused(_l("最多保存 %(limit)s 个地址，请先删除不再使用的地址", limit=limit))
        address = Address(uid=user.id, recipient_name=details["recipient_name"],
                          address=details["address"], mobile=details["mobile"], is_default=False)
        db.session.add(address)
        db.session.flush()
        if make_default or count == 0:
            _set_default(user.id, address.id)
    db.session.expire(address)
    return address


def edit_address(user: User, aid: int, details: dict, make_default: bool = False) -> None:
    """Change one of my addresses (and make it the default when asked; an
    edit never takes the default away: another address must be chosen)."""
    with db.auto_commit():
        lock_user_rows(user.id)
        address = own_address(user, aid)
        address.recipient_name = details["recipient_name"]
        address.address = details["address"]
        address.mobile = details["mobile"]
        if make_default:
            db.session.flush()
            _set_default(user.id, aid)
    db.session.expire(address)


def delete_address(user: User, aid: int) -> None:
    """Remove one of my addresses; its details are blanked, not only hidden."""
    with db.auto_commit():
        lock_user_rows(user.id)
        address = own_address(user, aid)
        was_default = address.is_default
        address.recipient_name = address.address = address.mobile = ""
        address.is_default = False
        address.delete()
        db.session.flush()
        if was_default:
            _promote_oldest(user.id)


def make_default(user: User, aid: int) -> None:
    with db.auto_commit():
        lock_user_rows(user.id)
        own_address(user, aid)
        _set_default(user.id, aid)
    db.session.expire_all()


def erase_all(uid: int) -> int:
    """Blank and remove every address of ``uid`` (inside the caller's unit
    of work: deleting an account). Returns how many there were."""
    result = db.session.execute(update(Address).where(Address.uid == uid, Address.status == LIVE)
                                .values(recipient_name="", address="", mobile="", is_default=False, status=DELETED)
                                .execution_options(synchronize_session=False))
    return result.rowcount

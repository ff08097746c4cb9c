"""Units of work of the settings page: a new nickname, a new email address.

A new address is taken only from a signed link mailed to it, so nobody can
move an account to an address they cannot read. The link's token names the
account, the new address and the address it had when the change was asked:
once the change is made (or the address changed in any other way) the
token no longer matches and is dead -- a link works once. It also expires
after EMAIL_CHANGE_TOKEN_MAX_AGE seconds. A changed address ends every
session of the account (the address is how a password is reset, so whoever
is logged in elsewhere must log in again); the view keeps the session that
confirmed it, as a password change does.

Messages are lazy, as in app/services/account.py.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.models.base import db
from app.models.user import User, normalize_email
from app.services import page_versions
from app.services.errors import Conflict, Refused

EMAIL_CHANGE_SALT = "fisher.change-email"
NICKNAME_TAKEN = _l("昵称已存在")
EMAIL_TAKEN = _l("电子邮件已被注册")
LINK_DEAD = _l("链接无效、已过期或已经用过")


def change_nickname(user: User, nickname: str) -> None:
    """Give the account a new nickname. Conflict when another account has it
    -- also when one took it a moment ago (the unique constraint decides)."""
    nickname = nickname.strip()
    if User.nickname_taken(nickname, except_id=user.id):
        raise Conflict(NICKNAME_TAKEN)
    try:
        with db.auto_commit():
            page_versions.touch_user(user.id)
            db.session.execute(update(User).where(User.id == user.id).values(nickname=nickname)
                               .execution_options(synchronize_session=False))
    except IntegrityError:
        raise Conflict(NICKNAME_TAKEN) from None
    finally:
        db.session.expire(user, ["nickname"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_CHANGE_SALT)


def link_hours() -> int:
    """How many hours a link confirming a new address stays valid (for the mail)."""
    return max(1, current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"] // 3600)


def email_change_token(user: User, new_email: str) -> str:
    """The token of the link mailed to ``new_email``. Refused when it is the
    account's address already; Conflict when another account has it."""
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise Refused(_l("这已经是你的电子邮件地址"))
    if User.email_taken(new_email):
        raise Conflict(EMAIL_TAKEN)
    return _serializer().dumps({"uid": user.id, "new": new_email, "old": user.email})


def email_change_request(token: str) -> tuple[User, str]:
    """The account and the new address a live token names; Refused otherwise
    (forged, expired, used, or the account's address changed since)."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"])
    except BadSignature:  # SignatureExpired is one too
        raise Refused(LINK_DEAD) from None
    if not (isinstance(data, dict) and isinstance(data.get("uid"), int)
            and isinstance(data.get("new"), str) and isinstance(data.get("old"), str)):
        raise Refused(LINK_DEAD)
    user = db.session.get(User, data["uid"])
    if user is None or user.email != data["old"]:
        raise Refused(LINK_DEAD)
    return user, data["new"]


def confirm_email_change(token: str) -> User:
    """Move the account the token names to its new address, once, and end
    its sessions. Refused for a dead link; Conflict when another account took
    the address meanwhile."""
    user, new_email = email_change_request(token)
    old_email = user.email
    if User.email_taken(new_email):
        raise Conflict(EMAIL_TAKEN)
    try:
        with db.auto_commit():
            changed = db.session.execute(
                update(User).where(User.id == user.id, User.email == old_email)
                .values({User.email: new_email, User.email_verified: True,  # the link proved it
                         User.session_generation: User.session_generation + 1})
                .execution_options(synchronize_session=False)).rowcount == 1
    except IntegrityError:  # registered or moved there a moment ago
        raise Conflict(EMAIL_TAKEN) from None
    finally:
        db.session.expire(user)
    if not changed:  # the same link opened twice at once: the other request won
        raise Refused(LINK_DEAD)
    return user

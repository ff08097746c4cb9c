"""Showing that an account's address is its owner's: a signed link mailed to it.

A new registration is unverified (no notice mail reaches it) until the link
is opened. The token names the account and the address it was mailed to, so
it dies when the address changes; opening it on a verified account changes
nothing. It expires after EMAIL_VERIFY_TOKEN_MAX_AGE seconds; a fresh one
can be asked for from the personal and settings pages.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update

from app.models.base import db
from app.models.user import User
from app.services.errors import Refused

VERIFY_SALT = "fisher.verify-email"
LINK_DEAD = _l("链接无效、已过期或已经用过")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)


def link_hours() -> int:
    return max(1, current_app.config["EMAIL_VERIFY_TOKEN_MAX_AGE"] // 3600)


def verification_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "email": user.email})


def token_account(token: str) -> User:
    """The account a live token was mailed to; Refused for a forged or expired
    token, or one for an address the account no longer has."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["EMAIL_VERIFY_TOKEN_MAX_AGE"])
    except BadSignature:
        raise Refused(LINK_DEAD) from None
    if not (isinstance(data, dict) and isinstance(data.get("uid"), int) and isinstance(data.get("email"), str)):
        raise Refused(LINK_DEAD)
    user = db.session.get(User, data["uid"])
    if user is None or user.email != data["email"]:
        raise Refused(LINK_DEAD)
    return user


def verify_email(token: str) -> User:
    """Mark the address the token was mailed to as verified (see token_account)."""
    user = token_account(token)
    if not user.email_verified:
        with db.auto_commit():
            db.session.execute(update(User).where(User.id == user.id, User.email == user.email)
                               .values(email_verified=True).execution_options(synchronize_session=False))
        db.session.expire(user, ["email_verified"])
    return user

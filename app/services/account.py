"""Units of work on an account's password and sessions.

Flask-Login keeps ``User.get_id()`` -- "<id>:<session generation>" -- in the
session and in the remember-me cookie, and the user loader accepts it only
while the generation is the account's current one. Every unit of work here
bumps the generation in one conditional UPDATE (with the new password, when
there is one), so every session and remember-me cookie issued before it ends
at once, on every instance; the caller logs its own session in again (with
the new id) or out.

Messages are lazy: a unit of work may run with no request (and so no
reader's language); the view turns them into text when it shows them.
"""
from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import update

from app.models.base import db
from app.models.user import User, _dummy_hash, hash_password
from app.services.errors import Conflict, Refused

ENDED_ELSEWHERE = _l("你的登录已在其他设备上被退出，请重新登录")


def _bump(user: User, *conditions, password: str | None = None) -> bool:
    """session_generation + 1 (and the new password's hash) where
    ``conditions`` still hold; False when they no longer do."""
    values = {User.session_generation: User.session_generation + 1}
    if password is not None:
        values[User._password] = hash_password(password)
    result = db.session.execute(
        update(User).where(User.id == user.id, *conditions).values(values)
        .execution_options(synchronize_session=False))
    db.session.expire(user)
    return result.rowcount == 1


def end_sessions(user: User) -> None:
    """Log the account out on every device (this one too)."""
    with db.auto_commit():
        _bump(user)


def change_password(user: User, old: str, new: str) -> None:
    """Set a new password and end every other session. Refused when ``old``
    is wrong; Conflict when this session was ended meanwhile (the generation
    it was loaded with is no longer current), and then nothing changes."""
    if not user.check_password(old):
        raise Refused(_l("原密码不正确"))
    seen = user.session_generation
    with db.auto_commit():
        if not _bump(user, User.session_generation == seen, password=new):
            raise Conflict(ENDED_ELSEWHERE)


def reset_password(user: User, new: str) -> bool:
    """Set a new password from a reset link and end every session. False
    when the password changed since the link was checked (the link was used
    a moment ago by a concurrent request): a reset link works once."""
    seen = user.password
    with db.auto_commit():
        return _bump(user, User._password == seen, password=new)


def rehash_if_outdated(user: User, raw: str) -> None:
    """After a successful login: a hash made by another method or with other
    parameters (pbkdf2 from an original 鱼书 database, an older scrypt cost)
    is replaced by one of PASSWORD_HASH_METHOD. Sessions are not ended -- the
    password is the same -- and a concurrent password change wins."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    stored = user.password or ""
    if not stored or stored.split("$", 1)[0] == _dummy_hash(method).split("$", 1)[0]:
        return
    with db.auto_commit():
        db.session.execute(update(User).where(User.id == user.id, User._password == stored)
                           .values({User._password: hash_password(raw)})
                           .execution_options(synchronize_session=False))
    db.session.expire(user, ["_password"])


def set_locale(user: User, locale: str) -> None:
    """Save the reader's language on the account (one of app.i18n.LANGUAGES)."""
    with db.auto_commit():
        db.session.execute(update(User).where(User.id == user.id).values(locale=locale))


def set_timezone(user: User, name: str) -> None:
    """Save the zone the reader's times are shown in: an IANA name that
    zoneinfo knows (``Asia/Shanghai``, ``America/New_York``), else Refused.
    An empty name goes back to the site's zone (DISPLAY_TIMEZONE)."""
    from app.libs.display_time import known_timezone

    name = (name or "").strip()
    if name and not known_timezone(name):
        raise Refused(_("未知的时区：%(name)s", name=name[:64]))
    with db.auto_commit():
        db.session.execute(update(User).where(User.id == user.id).values(timezone=name or None))
    db.session.expire(user, ["timezone"])

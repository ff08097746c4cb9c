"""Units of work on personal access tokens (令牌), and the check of one.

A token belongs to one account and works until revoked. It is not tied to
the session generation: logging out everywhere or changing the password
ends browser sessions (what a stolen cookie or a shared computer needs), but
a token is a separate credential the owner made on purpose, sees in the
list on /personal/tokens and revokes there one by one -- as GitHub's and
GitLab's personal tokens outlive a password change. A deleted account's
tokens stop working at once (its row is hidden like every deleted row).
"""
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from app.libs.enums import TokenScope
from app.models.api_token import NAME_MAX, PREFIX_SHOWN, TOKEN_PREFIX, ApiToken, token_digest
from app.models.base import LIVE, db, utcnow
from app.models.user import User, lock_user_rows
from app.services.errors import NotFound, Refused

TOKEN_MAX_LENGTH = 100  # far above a real token (47): longer headers are refused before hashing
LAST_USED_EVERY = timedelta(minutes=1)


def create_token(user: User, name: str, scope: TokenScope | str) -> tuple[ApiToken, str]:
    """Make a token: (the row, the secret). The secret exists only in the
    return value -- the caller shows it once; the row keeps its digest.
    Refused for an empty or long name and beyond API_TOKENS_MAX live tokens
    (counted under the user's row lock, so two requests cannot both pass)."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise Refused(_l("令牌名称须为 1 到 %(max)s 个字", max=NAME_MAX))
    scope = TokenScope(scope)
    limit = current_app.config["API_TOKENS_MAX"]
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.auto_commit():
        lock_user_rows(user.id)
        count = db.session.scalar(select(func.count()).select_from(ApiToken)
                                  .where(ApiToken.uid == user.id, ApiToken.status == LIVE))
        if count >= limit:
            raise Refused(_l("每个账号最多 %(limit)s 个令牌，请先吊销不再使用的令牌", limit=limit))
        token = ApiToken(uid=user.id, name=name, scope=scope.value,
                         token_hash=token_digest(secret), prefix=secret[:PREFIX_SHOWN])
        db.session.add(token)
    return token, secret


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of ``user``'s tokens; NotFound for an unknown, revoked or
    someone else's token (the same answer, so ids reveal nothing)."""
    with db.auto_commit():
        token = db.session.get(ApiToken, token_id)
        if token is None or token.uid != user.id:
            raise NotFound()
        token.delete()


def tokens_of(user: User) -> list[ApiToken]:
    """``user``'s live tokens, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.uid == user.id)
                                   .order_by(ApiToken.id.desc())))


def authenticate(secret: str) -> tuple[User, ApiToken] | None:
    """(the user, the token) a live token of a live account names, else None.

    The secret is never compared with anything: its digest is looked up by
    the unique index, so the time taken does not depend on how much of a
    guess was right (the digest comparison below only restates it in
    constant time). Revoked tokens and deleted accounts are hidden rows.
    The one write of this read path is ``_touch``."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) \
            or len(secret) > TOKEN_MAX_LENGTH:
        return None
    digest = token_digest(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    user = db.session.get(User, token.uid)
    if user is None or not user.is_active:
        return None
    _touch(token)
    return user, token


def _touch(token: ApiToken) -> None:
    """Record when the token was last used, at most once a minute: most
    requests see a recent time and write nothing; otherwise one conditional
    UPDATE (still older than a minute, still live), so concurrent requests
    write it once, and a commit of that statement alone."""
    now = utcnow()
    cutoff = now - LAST_USED_EVERY
    if token.last_used_time is not None and token.last_used_time > cutoff:
        return
    result = db.session.execute(
        update(ApiToken).where(ApiToken.id == token.id, ApiToken.status == LIVE,
                               or_(ApiToken.last_used_time.is_(None), ApiToken.last_used_time <= cutoff))
        .values(last_used_time=now).execution_options(synchronize_session=False))
    if result.rowcount:
        db.session.commit()
    else:
        db.session.rollback()

"""Personal access tokens (令牌): how an account authenticates to /api/v1.

A token is ``fsh_`` + 32 random bytes (``secrets.token_urlsafe``), shown to
its owner once. Only its SHA-256 hex digest is stored: the secret carries 256
bits of randomness, so there is nothing to brute-force and no salt or slow
hash (scrypt, as for passwords) is needed -- a fast hash lets every API
request find its token with one indexed lookup. ``prefix`` (the first 8
characters, ``fsh_`` and 4 more) only tells a user's tokens apart in lists.

Revoking is the soft delete of the base model: a revoked token's row stays
(``status`` DELETED) and every ORM read, the lookup by hash too, stops
seeing it.
"""
import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.libs.enums import TokenScope
from app.models.base import DELETED, SoftDeleteMixin, db

TOKEN_PREFIX = "fsh_"
PREFIX_SHOWN = 8
NAME_MAX = 50


def token_digest(secret: str) -> str:
    """The stored form of a token: its SHA-256 hex digest."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(SoftDeleteMixin, db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    scope: Mapped[str] = mapped_column(String(8))  # a TokenScope value
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(PREFIX_SHOWN))
    last_used_time: Mapped[datetime | None] = mapped_column(nullable=True)

    user = relationship("User")

    @property
    def scope_enum(self) -> TokenScope:
        return TokenScope(self.scope)

    @property
    def revoked(self) -> bool:
        return self.status == DELETED

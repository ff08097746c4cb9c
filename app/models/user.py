"""Accounts, the user loader Flask-Login calls, and the user-row locks."""
import hashlib
import secrets
import unicodedata
import re
from decimal import Decimal
from functools import lru_cache

from flask import current_app
from flask_login import UserMixin
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Boolean, Integer, Numeric, String, bindparam, func, select, true, update
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import login_manager
from app.libs.request_domain import gettext
from app.models.base import LIVE, SoftDeleteMixin, db

RESET_SALT = "fisher.reset-password"
SESSION_ID = re.compile(r"([1-9][0-9]{0,17}):([0-9]{1,9})")  # "<user id>:<session generation>"


@lru_cache(maxsize=None)
def _user_by_id():
    """The signed-in reader's row, asked on every request (built once)."""
    # The soft-delete rule stated here, not added by the listener on every
    # execution (about 50 us of the 330 us this read costs through the ORM).
    return (select(User).where(User.id == bindparam("id"), User.status == LIVE)
            .execution_options(include_deleted=True))


# Emails are compared byte for byte: MySQL's default *_ci collations would let
# "vïctim@…" find the row "victim@…" that the limiter and the forms never saw.
EMAIL_TYPE = String(64).with_variant(mysql.VARCHAR(64, collation="utf8mb4_bin"), "mysql", "mariadb")


def normalize_email(email: str) -> str:
    """The canonical form stored and looked up: NFKC (full-width letters become
    ASCII), case-folded, without surrounding space. It can be longer than the
    input ("ﬀ" becomes "ff"), so forms check the length of this value."""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method)


def password_matches(user: "User | None", raw: str) -> bool:
    """``user.check_password(raw)``, but with no user a dummy hash of the
    configured method is checked instead, so an unknown address takes as long
    to refuse as a wrong password and login time does not reveal accounts."""
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), raw)
        return False
    return user.check_password(raw)


def hash_password(raw: str) -> str:
    return generate_password_hash(raw, current_app.config["PASSWORD_HASH_METHOD"])


# The password of a deleted (anonymised) account: not "<method>$<salt>$<hash>",
# so no check accepts it (services/account_delete.py).
UNUSABLE_PASSWORD = "!account-deleted"


class User(UserMixin, SoftDeleteMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str] = mapped_column(String(24), unique=True)
    email: Mapped[str] = mapped_column(EMAIL_TYPE, unique=True)
    _password: Mapped[str] = mapped_column("password", String(255))
    beans: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal("0"),
                                           server_default="0")
    send_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    receive_counter: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Beans a withdrawn gift should have taken back but the balance could not
    # give; the next credit pays it first (bean_ledger.change_beans).
    bean_debt: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal("0"),
                                               server_default="0")
    # Notice kinds (app/services/notices.py MAIL_KINDS) whose email is off, comma-separated.
    mail_off: Mapped[str] = mapped_column(String(128), default="", server_default="")
    # Bumped to end every session and remember-me cookie of the account.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The reader's language (zh, en) and IANA time zone; None: as the request says / DISPLAY_TIMEZONE.
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Whether the address was shown to be the owner's (a link mailed to it was opened).
    # Registration stores False; accounts made any other way (and every account made
    # before migration 0012) count as verified. Notice mail goes to verified addresses only.
    email_verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    gifts = relationship("Gift", back_populates="user", order_by="Gift.id")
    wishes = relationship("Wish", back_populates="user", order_by="Wish.id")

    @property
    def password(self) -> str:
        return self._password

    @password.setter
    def password(self, raw: str) -> None:
        self._password = hash_password(raw)

    @property
    def account_deleted(self) -> bool:
        return self._password == UNUSABLE_PASSWORD

    @property
    def display_nickname(self) -> str:
        """The nickname as pages show it: a deleted account's stored
        placeholder (unique, Chinese) is shown in the reader's language."""
        if self.account_deleted:
            return gettext("已注销用户 #%(id)s", id=self.id)
        return self.nickname

    def check_password(self, raw: str) -> bool:
        if not self._password:  # never set: refuse, after the same work as a real check
            return password_matches(None, raw)
        return check_password_hash(self._password, raw)

    # -- sessions: Flask-Login keeps get_id() in the session and the remember-me
    # cookie; bumping session_generation (services/account.py) ends them all.
    def wants_mail(self, group: str) -> bool:
        return group not in self.mail_off.split(",")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    @staticmethod
    def from_session_id(value: str) -> "User | None":
        """The user a session or remember-me id names while its generation is
        current, else None (also for the plain "<id>" of older sessions)."""
        match = SESSION_ID.fullmatch(value or "")
        if match is None:
            return None
        user = db.session.scalar(_user_by_id(), {"id": int(match[1])})
        if user is None or user.session_generation != int(match[2]):
            return None
        return user

    # -- password reset tokens: expire, and die when the password changes --
    def _password_fingerprint(self) -> str:
        return hashlib.sha256(self._password.encode()).hexdigest()[:16]

    def generate_reset_token(self) -> str:
        serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)
        return serializer.dumps({"uid": self.id, "pw": self._password_fingerprint()})

    @staticmethod
    def from_reset_token(token: str) -> "User | None":
        """The user a valid, unexpired, unused token belongs to, else None."""
        serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)
        try:
            data = serializer.loads(token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"])
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict):
            return None
        user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
        if user is None or data.get("pw") != user._password_fingerprint():
            return None
        return user

    @staticmethod
    def by_email(email: str) -> "User | None":
        return db.session.scalar(select(User).where(User.email == normalize_email(email)))

    @staticmethod
    def email_taken(email: str) -> bool:
        return bool(db.session.scalar(select(func.count()).select_from(User).where(
            User.email == normalize_email(email)).execution_options(include_deleted=True)))

    @staticmethod
    def nickname_taken(nickname: str, except_id: int | None = None) -> bool:
        """Whether another account (``except_id``: not this one) has the nickname."""
        query = select(func.count()).select_from(User).where(User.nickname == nickname.strip())
        if except_id is not None:
            query = query.where(User.id != except_id)
        return bool(db.session.scalar(query.execution_options(include_deleted=True)))


# Sessions and remember-me cookies carry "<id>:<generation>"; a revoked
# generation or any other shape is no login.
login_manager.user_loader(User.from_session_id)


def lock_user_rows(*uids: int) -> None:
    """Write-lock users' rows, one at a time in ascending id order -- the one
    order every unit of work follows, so two of them never hold one user each
    while waiting for the other's. Checks made after it see every committed
    change, and units of work for the same user run one after the other (a row
    lock on MySQL; on SQLite the first write takes the database's write lock)."""
    for uid in sorted(set(uids)):
        db.session.execute(update(User).where(User.id == uid).values(status=User.status)
                           .execution_options(synchronize_session=False))

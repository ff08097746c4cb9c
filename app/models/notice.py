"""In-site notices (通知): one row tells one user that something happened,
written in the same unit of work as the change it reports. The row also
records its email: ``mail_state`` says whether one is due, went out or was
given up on, and the queue's sweep re-sends any left due (``app/jobs``)."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import SoftDeleteMixin, db


class MailState:
    NONE = 0  # no email for this notice (the user switched the kind off)
    DUE = 1  # to be sent
    SENT = 2
    FAILED = 3  # given up after the retries


class Notice(SoftDeleteMixin, db.Model):
    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_uid_read", "uid", "read"),
                      Index("ix_notice_mail_state", "mail_state", "create_time"))

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # what it is about; a snapshot, like a drift's
    drift_id: Mapped[int | None] = mapped_column(ForeignKey("drift.id"), nullable=True, index=True)
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("gift.id"), nullable=True)
    isbn: Mapped[str] = mapped_column(String(13), default="")
    book_title: Mapped[str] = mapped_column(String(255), default="")
    actor: Mapped[str] = mapped_column(String(24), default="")  # the other party's nickname
    note: Mapped[str] = mapped_column(String(200), default="")
    read: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # its email
    mail_state: Mapped[int] = mapped_column(SmallInteger, default=MailState.NONE, server_default="0")
    mail_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mail_claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    mail_next_at: Mapped[datetime | None] = mapped_column(nullable=True)
    mailed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    mail_error: Mapped[str] = mapped_column(String(200), default="", server_default="")

"""A request for one gift (鱼漂). It keeps a snapshot of the book and both
parties, so the record never changes when a user or book record does.

``moved_at`` is when the drift entered its current state: each state's
deadline counts from it. ``reminded`` holds one bit per reminder already
written (``Reminder``), so a sweep run twice, or by two workers, reminds once.
The mailing details are erased (``address_erased``) some days after closing."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.libs.enums import PendingStatus
from app.models.base import SoftDeleteMixin, db, utcnow


class Reminder:
    """Bits of ``Drift.reminded``."""
    RESPOND = 1  # the gifter: a day before the answer is due
    MAIL = 2  # the gifter: a day before the book must be mailed
    RECEIVE_FIRST = 4  # the requester: "收到了吗？" the first time
    RECEIVE_SECOND = 8  # and the second time


class Drift(SoftDeleteMixin, db.Model):
    __tablename__ = "drift"
    __table_args__ = (Index("ix_drift_pending_moved_at", "pending", "moved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # mailing details
    recipient_name: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(String(200), default="")
    mobile: Mapped[str] = mapped_column(String(20))
    address_erased: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # book snapshot
    isbn: Mapped[str] = mapped_column(String(13))
    book_title: Mapped[str] = mapped_column(String(255))
    book_author: Mapped[str] = mapped_column(String(255), default="")
    book_img: Mapped[str] = mapped_column(String(512), default="")
    # parties
    requester_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    requester_nickname: Mapped[str] = mapped_column(String(24))
    gifter_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    gifter_nickname: Mapped[str] = mapped_column(String(24))
    gift_id: Mapped[int] = mapped_column(ForeignKey("gift.id"), index=True)
    # the lifecycle
    pending: Mapped[int] = mapped_column(SmallInteger, default=PendingStatus.WAITING,
                                         server_default=str(int(PendingStatus.WAITING)))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reminded: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    tracking: Mapped[str] = mapped_column(String(100), default="", server_default="")
    problem: Mapped[str] = mapped_column(String(200), default="", server_default="")

    @property
    def pending_status(self) -> PendingStatus:
        return PendingStatus(self.pending)

"""A request for one gift (鱼漂). It keeps a snapshot of the book and both
parties, so the record never changes when a user or book record does."""
from sqlalchemy import ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.libs.enums import PendingStatus
from app.models.base import SoftDeleteMixin, db


class Drift(SoftDeleteMixin, db.Model):
    __tablename__ = "drift"

    id: Mapped[int] = mapped_column(primary_key=True)
    # mailing details
    recipient_name: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(String(200), default="")
    mobile: Mapped[str] = mapped_column(String(20))
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
    pending: Mapped[int] = mapped_column(SmallInteger, default=PendingStatus.WAITING,
                                         server_default=str(int(PendingStatus.WAITING)))

    @property
    def pending_status(self) -> PendingStatus:
        return PendingStatus(self.pending)

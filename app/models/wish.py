"""Books a user wants (心愿清单)."""
from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import SoftDeleteMixin, db


class Wish(SoftDeleteMixin, db.Model):
    __tablename__ = "wish"
    __table_args__ = (Index("ix_wish_isbn_launched", "isbn", "launched"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    isbn: Mapped[str] = mapped_column(String(13))
    launched: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    user = relationship("User", back_populates="wishes")
    book = relationship("Book", primaryjoin="foreign(Wish.isbn) == Book.isbn", viewonly=True)

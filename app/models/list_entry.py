"""What a gift and a wish have in common: one user, one book, and whether the
entry is done (the gift given away, the wish fulfilled)."""
from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.models.base import SoftDeleteMixin


class ListEntry(SoftDeleteMixin):
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    isbn: Mapped[str] = mapped_column(String(13))
    launched: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    @declared_attr.directive
    def __table_args__(cls):
        return (Index(f"ix_{cls.__tablename__}_isbn_launched", "isbn", "launched"),)

    @declared_attr
    def book(cls):
        return relationship("Book", primaryjoin=f"foreign({cls.__name__}.isbn) == Book.isbn",
                            viewonly=True)

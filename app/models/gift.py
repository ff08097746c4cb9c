"""Books a user offers (赠送清单); ``launched`` means given away."""
from sqlalchemy import SmallInteger, String, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import db
from app.models.list_entry import ListEntry


class Gift(ListEntry, db.Model):
    __tablename__ = "gift"

    # The copy's condition (a GiftCondition value, 0: not given) and the gifter's note on it.
    condition: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    condition_note: Mapped[str] = mapped_column(String(200), default="", server_default="")

    user = relationship("User", back_populates="gifts")


def lock_gift_row(gid: int, *conditions) -> bool:
    """Write-lock gift ``gid``'s row if it meets ``conditions``; True when it
    does. A unit of work locks the gift before any drift or user row."""
    result = db.session.execute(update(Gift).where(Gift.id == gid, *conditions)
                                .values(launched=Gift.launched)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1

"""Books a user offers (赠送清单); ``launched`` means given away."""
from sqlalchemy.orm import relationship

from app.models.base import db
from app.models.list_entry import ListEntry


class Gift(ListEntry, db.Model):
    __tablename__ = "gift"

    user = relationship("User", back_populates="gifts")

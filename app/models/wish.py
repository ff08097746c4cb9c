"""Books a user wants (心愿清单); ``launched`` means fulfilled."""
from sqlalchemy.orm import relationship

from app.models.base import db
from app.models.list_entry import ListEntry


class Wish(ListEntry, db.Model):
    __tablename__ = "wish"

    user = relationship("User", back_populates="wishes")

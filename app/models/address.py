"""Saved mailing addresses (常用收件地址): what a requester fills the drift
request form with. A removed address is a soft-deleted row, as everywhere;
erasing an account (app/services/account_delete.py) blanks the details too.

``is_default`` marks the one the request form starts with; the services keep
exactly one default while the user has any address."""
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import SoftDeleteMixin, db


class Address(SoftDeleteMixin, db.Model):
    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(100))
    mobile: Mapped[str] = mapped_column(String(20))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    def details(self) -> dict:
        """The fields of the drift request form this address fills."""
        return {"recipient_name": self.recipient_name, "address": self.address, "mobile": self.mobile}

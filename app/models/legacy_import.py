"""Which rows of an original 鱼书 database were brought over, and as what.

One row per imported legacy row: (legacy table, legacy id) -> the new id in
fisher's table of that name. It makes ``flask legacy import`` idempotent and
lets later tables map their foreign keys (gift.uid, drift.gift_id, ...)."""
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import db


class LegacyImport(db.Model):
    __tablename__ = "legacy_import"

    table_name: Mapped[str] = mapped_column(String(16), primary_key=True)
    legacy_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    new_id: Mapped[int] = mapped_column(Integer)


def imported_ids(table: str) -> dict[int, int]:
    """legacy id -> new id of every row of ``table`` imported so far."""
    rows = db.session.execute(select(LegacyImport.legacy_id, LegacyImport.new_id)
                              .where(LegacyImport.table_name == table))
    return dict(rows.all())


def remember(table: str, legacy_id: int, new_id: int) -> None:
    db.session.add(LegacyImport(table_name=table, legacy_id=legacy_id, new_id=new_id))

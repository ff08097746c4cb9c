"""One original drift row as the values of fisher's Drift, or why it cannot be."""
from datetime import datetime

from app.libs.enums import PendingStatus
from app.models.drift import Drift
from app.services import legacy_source as src

TEXTS = ("recipient_name", "address", "message", "mobile", "book_title", "book_author", "book_img",
         "requester_nickname", "gifter_nickname")


def _fits(name: str, value) -> str:
    """The text cut to fisher's column (a snapshot: a shorter copy beats none)."""
    return str(value or "").strip()[:Drift.__table__.c[name].type.length]


def drift_values(row: dict, users: dict, gifts: dict, now: datetime) -> dict | str:
    """Fisher's Drift values for ``row``, mapping user and gift ids through
    the imported ids; a string says why the row cannot come over.

    A waiting drift stays open and its deadline counts from the import (it
    would otherwise expire at the first sweep, before the gifter could
    answer); a closed one moved and closed when it was made, the only time
    the original schema kept."""
    pending = src.PENDING.get(row.get("pending"))
    if pending is None:
        return f"unknown pending state {row.get('pending')!r}"
    for key, mapping in (("requester_id", users), ("gifter_id", users), ("gift_id", gifts)):
        if row.get(key) not in mapping:
            return f"its {key[:-3]} {row.get(key)} was not brought over"
    isbn = src.isbn_of(row)
    if isbn is None:
        return f"invalid ISBN {row.get('isbn')!r}"
    made = src.utc_time(row.get("create_time"))
    is_open = pending is PendingStatus.WAITING
    return {**{name: _fits(name, row.get(name)) for name in TEXTS},
            "isbn": isbn, "pending": int(pending),
            "requester_id": users[row["requester_id"]], "gifter_id": users[row["gifter_id"]],
            "gift_id": gifts[row["gift_id"]], "create_time": made, "status": src.status_of(row),
            "moved_at": now if is_open else made, "closed_at": None if is_open else made}

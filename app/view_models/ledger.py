"""Shape bean ledger rows for the personal page: what, which book, who."""
from dataclasses import dataclass
from datetime import datetime

from app.libs.beans import beans_text
from app.libs.request_domain import gettext as _
from app.models.bean_ledger import BeanReason


@dataclass
class LedgerRow:
    time: datetime  # naive UTC; the page shows it |datetime
    label: str
    book_title: str  # "" when the row names no book
    person_role: str  # "赠书人" or "请求人": who the other person was to me
    person: str  # the other person's nickname, "" for a row about my own list
    delta: str  # "+1 个鱼豆", "-0.5 个鱼豆"
    gain: bool


def ledger_rows(*, rows, viewer_id: int) -> list[LedgerRow]:
    """(BeanLedger, Drift or None, gift's book title or None) rows, as the
    viewer reads them."""
    shaped = []
    for entry, drift, gift_title in rows:
        role, person = "", ""
        if drift is not None:
            if drift.requester_id == viewer_id:
                role, person = _("赠书人"), drift.gifter_nickname
            else:
                role, person = _("请求人"), drift.requester_nickname
        shaped.append(LedgerRow(
            time=entry.create_time,
            label=_(BeanReason.LABELS[entry.reason]) if entry.reason in BeanReason.LABELS else entry.reason,
            book_title=(drift.book_title if drift is not None else gift_title) or "",
            person_role=role, person=person,
            delta=beans_text(entry.delta, signed=True), gain=entry.delta > 0))
    return shaped

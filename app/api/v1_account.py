"""/api/v1 the token's own account: its bean ledger and its notices.

Both lists are keyset pages by id, newest first. The notices are read
through ``notices.my_notices_query``, the select the site's notice list
uses, and marked read by ``notices.mark_read``, the site's own rule. The
ledger's select is the model's one condition (my rows; the soft-delete
listener hides deleted ones, as on the personal page).
"""
from flask import g, jsonify
from sqlalchemy import select

from app.api.paging import keyset_page, page_response
from app.api.schemas.account import LedgerPage, Marked, MarkRead, NoticePage, NoticeQuery
from app.api.schemas.common import PageQuery, utc_iso
from app.api.spec import operation
from app.api.v1 import api_v1
from app.libs.enums import TokenScope
from app.models.bean_ledger import BeanLedger, BeanReason
from app.models.notice import Notice
from app.services import notices


def ledger_json(entry: BeanLedger) -> dict:
    return {"id": entry.id, "amount": float(entry.delta), "reason": entry.reason,
            "label": BeanReason.LABELS.get(entry.reason, ""), "drift_id": entry.drift_id,
            "gift_id": entry.gift_id, "time": utc_iso(entry.create_time)}


def notice_json(notice: Notice) -> dict:
    return {"id": notice.id, "kind": notice.kind, "text": notices.notice_text(notice),
            "read": bool(notice.read), "drift_id": notice.drift_id, "gift_id": notice.gift_id,
            "time": utc_iso(notice.create_time)}


@api_v1.get("/me/ledger")
@operation("listMyLedger", query=PageQuery, ok=LedgerPage, paginated=True, tags=("account",))
def my_ledger(query: PageQuery):
    """My bean ledger, newest first, and my balance now (the sum of every row)."""
    user = g.api_user
    rows, cursor = keyset_page(select(BeanLedger).where(BeanLedger.uid == user.id), BeanLedger.id, query)
    return page_response([ledger_json(entry) for entry in rows], cursor,
                         balance=float(user.beans), debt=float(user.bean_debt))


@api_v1.get("/me/notices")
@operation("listMyNotices", query=NoticeQuery, ok=NoticePage, paginated=True, tags=("account",))
def my_notices(query: NoticeQuery):
    """My notices, newest first (``unread`` filters them), and how many are unread."""
    uid = g.api_user.id
    rows, cursor = keyset_page(notices.my_notices_query(uid, query.unread), Notice.id, query)
    return page_response([notice_json(notice) for notice in rows], cursor,
                         unread=notices.unread_count(uid))


@api_v1.post("/me/notices/read")
@operation("markMyNoticesRead", scope=TokenScope.WRITE, json=MarkRead, ok=Marked, tags=("account",))
def mark_notices_read(json: MarkRead):
    """Mark the notices of ``ids`` read (absent or empty: all of mine). Ids
    that are not my notices, or already read, mark nothing; never an error."""
    uid = g.api_user.id
    marked = notices.mark_read(uid, ids=(json.ids if json else None) or None)
    return jsonify({"marked": marked, "unread": notices.unread_count(uid)})

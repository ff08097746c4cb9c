"""Cursor pagination of /api/v1 lists.

A cursor is opaque to clients: URL-safe base64 of a small JSON object, the
position after the last item sent -- the last id for lists in id order
(keyset paging: an item added meanwhile never shifts a page), an offset for
ranked results such as a keyword search. A cursor that does not decode is
a 400 problem, never a 5xx. The next page is in the body (``next_cursor``)
and in an RFC 8288 ``Link`` header relative to the request's path.
"""
import base64
import binascii
import json

from flask import jsonify, request, url_for
from app.models.base import db


class BadCursor(ValueError):
    """The cursor was not made by this API (or not for this list)."""


def encode_cursor(position: dict) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, field: str) -> int | None:
    """The non-negative integer ``field`` of ``cursor``; None without one."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        value = position[field]
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error) as error:
        raise BadCursor(cursor) from error
    if type(value) is not int or value < 0 or value > 2**53:
        raise BadCursor(cursor)
    return value


def keyset_page(statement, id_column, query) -> tuple[list, str | None]:
    """Rows of ``statement`` in descending ``id_column`` after the cursor:
    (up to ``query.limit`` rows, the next cursor or None)."""
    before = decode_cursor(query.cursor, "before")
    if before is not None:
        statement = statement.where(id_column < before)
    rows = list(db.session.scalars(statement.order_by(id_column.desc()).limit(query.limit + 1)))
    if len(rows) <= query.limit:
        return rows, None
    rows = rows[:query.limit]
    return rows, encode_cursor({"before": rows[-1].id})


def offset_of(query) -> int:
    """Where a ranked list's page starts (0 without a cursor)."""
    return decode_cursor(query.cursor, "offset") or 0


def next_offset(query, offset: int, total: int) -> str | None:
    end = offset + query.limit
    return encode_cursor({"offset": end}) if end < total else None


def page_response(items: list, next_cursor: str | None, **extra):
    """``{"items", "next_cursor", **extra}`` with the Link header."""
    response = jsonify({"items": items, "next_cursor": next_cursor, **extra})
    if next_cursor is not None:
        args = request.args.to_dict()
        args["cursor"] = next_cursor
        link = url_for(request.endpoint, **(request.view_args or {}), **args)
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


__all__ = ["BadCursor", "decode_cursor", "encode_cursor", "keyset_page", "offset_of", "next_offset",
           "page_response"]

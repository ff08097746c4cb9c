"""Shapes every part of /api/v1 shares: the problem body, the page query,
and how a time is written."""
from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    """One reason a request was refused: where (``query.limit``) and why."""
    loc: str
    msg: str


class Problem(BaseModel):
    """An RFC 9457 problem: ``type`` is stable and names the kind of error."""
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class PageQuery(BaseModel):
    """A page of a list: at most ``limit`` items after ``cursor`` (the
    ``next_cursor`` of the page before, opaque to clients)."""
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(20, ge=1, le=100, description="items on the page, 1..100")
    cursor: str | None = Field(None, min_length=1, max_length=200,
                               description="next_cursor of the previous page")


class Page(BaseModel):
    """The wrapper of every list: its items and the cursor of the next page
    (null on the last), also given as ``Link: <…>; rel="next"``."""
    next_cursor: str | None


class Me(BaseModel):
    """The token's account, and what the token may do."""
    id: int
    nickname: str
    beans: float
    scope: str


def utc_iso(moment: datetime | None) -> str | None:
    """A stored naive UTC time as ISO 8601 with its zone, 2026-01-02T03:04:05Z
    (None stays None)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")

"""The token's own account as /api/v1 gives it: the bean ledger and notices."""
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.common import Page, PageQuery

MAX_IDS = 100  # notices marked by one request; a client with more sends several
NoticeId = Annotated[int, Field(strict=True, ge=1, le=2**53)]


class LedgerEntry(BaseModel):
    """One change of my beans, as the personal page lists it."""
    id: int
    amount: float = Field(description="beans gained (positive) or spent (negative)")
    reason: str = Field(description="why, a stable name such as list_gift, request, "
                                    "refund_reject, received_reward, repay_debt")
    label: str = Field(description="the reason as the site words it (may be empty)")
    drift_id: int | None = Field(description="the drift (交易) it was about, if any")
    gift_id: int | None = Field(description="the gift it was about, if any")
    time: datetime = Field(description="when, ISO 8601 in UTC")


class LedgerPage(Page):
    items: list[LedgerEntry] = Field(description="newest first")
    balance: float = Field(description="my beans now: the sum of every ledger row")
    debt: float = Field(description="beans owed from withdrawn gifts, repaid from the next gains")


class Notice(BaseModel):
    """One in-site notice (通知), worded as the site's notice list shows it."""
    id: int
    kind: str = Field(description="a stable name such as request, accepted, mailed, received")
    text: str = Field(description="the notice as the site shows it")
    read: bool
    drift_id: int | None = Field(description="the drift it is about, if any")
    gift_id: int | None = Field(description="the gift it is about, if any")
    time: datetime = Field(description="when, ISO 8601 in UTC")


class NoticeQuery(PageQuery):
    """A page of my notices; ``unread=true`` only unread ones, ``false`` only read ones."""
    unread: bool | None = Field(None, description="true: only unread; false: only read; absent: all")


class NoticePage(Page):
    items: list[Notice] = Field(description="newest first")
    unread: int = Field(ge=0, description="how many of my notices are unread")


class MarkRead(BaseModel):
    """Which of my notices to mark read: ``ids`` (absent or empty: all).
    Unknown keys are refused, so a misspelt key never marks everything."""
    model_config = ConfigDict(extra="forbid")
    ids: list[NoticeId] | None = Field(None, max_length=MAX_IDS,
                                       description=f"notice ids, at most {MAX_IDS}")


class Marked(BaseModel):
    marked: int = Field(ge=0, description="notices this request turned from unread to read")
    unread: int = Field(ge=0, description="my notices still unread")

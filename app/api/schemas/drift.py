"""Drifts (鱼漂) as /api/v1 gives and takes them.

The request's limits are the site's request form's (``app/forms/drift``),
restated here as pydantic constraints because the API validates with
pydantic; ``tests/test_api_drifts.py`` compares the two so they cannot drift
apart. A state's name is the enum member's name in lower case (``waiting``,
``given_to_other``) -- the name the pending page uses for its CSS class.
"""
from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.api.schemas.book import Book
from app.api.schemas.common import Page, PageQuery
from app.forms.drift import PROBLEMS
from app.libs.enums import PendingStatus
from app.services.drift import GIFTER, REQUESTER, TRANSITIONS

DriftState = Enum("DriftState", {status.name: status.name.lower() for status in PendingStatus}, type=str)
DriftState.__doc__ = "A drift's state: the PendingStatus member's name in lower case."
Role = Literal[GIFTER, REQUESTER]
Action = Literal[tuple(TRANSITIONS)]
ProblemKind = Literal[tuple(PROBLEMS)]


def state_of(status: PendingStatus) -> DriftState:
    """The API's name of a stored state (the one mapping, both ways)."""
    return DriftState[status.name]


def status_of(state: DriftState) -> PendingStatus:
    return PendingStatus[state.name]


def _text(min_length: int = 0, max_length: int | None = None, pattern: str | None = None):
    """A string judged after trimming, as the form's ``_strip`` filter does."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length, pattern=pattern)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DriftRequest(_Body):
    """Ask for gift ``gift_id``, to be mailed to this recipient (costs one bean)."""
    gift_id: int = Field(ge=1, le=2**53, description="the gift (a copy on offer) asked for")
    recipient_name: _text(2, 20) = Field(description="2..20 characters")
    address: _text(10, 70) = Field(description="the mailing address, 10..70 characters")
    mobile: _text(pattern=r"^1[0-9]{10}$") = Field(description="a mainland mobile number, 11 digits")
    message: _text(0, 200) = Field("", description="a note to the gifter, at most 200 characters")


class MailedBody(_Body):
    """The gifter has sent the book; an optional tracking number or note."""
    tracking: _text(0, 100) = ""


class ProblemBody(_Body):
    """The requester's report: what went wrong, and optionally more words."""
    kind: ProblemKind
    note: _text(0, 180) = ""


class Mailing(BaseModel):
    """Where the book goes: shown to the requester, and to the gifter from
    acceptance until the drift closes; null once erased."""
    recipient_name: str
    address: str
    mobile: str


class Drift(BaseModel):
    """One drift as one of its parties sees it."""
    id: int
    state: DriftState
    role: Role = Field(description="the caller's side of the drift")
    book: Book
    other_party: str = Field(description="the other party's nickname")
    created: datetime
    deadline: datetime | None = Field(description="when the current state runs out (UTC), if it does")
    actions: list[Action] = Field(description="what the caller may do now")
    message: str = Field(description="the requester's note to the gifter")
    tracking: str
    problem: str
    mailing: Mailing | None


class DriftPage(Page):
    items: list[Drift]


class DriftListQuery(PageQuery):
    """My drifts, newest first; optionally only those where I am ``role``,
    or in ``state``."""
    role: Role | None = None
    state: DriftState | None = None

"""View models, without an app: who sees a drift's mailing address, and search page numbers."""
from datetime import datetime
from types import SimpleNamespace

import pytest

from app.libs.enums import PendingStatus
from app.services.drift import TRANSITIONS
from app.view_models.drift import DriftViewModel
from tests.helpers import SANTI

REQUESTER, GIFTER, STRANGER = 1, 2, 3
ADDRESS = "北京市海淀区中关村大街 27 号"
SEEN = {  # (status, viewer) -> the viewer sees the address
    **{(status, REQUESTER): True for status in PendingStatus},
    # the gifter: from acceptance until the drift closes, never before, never after
    **{(status, GIFTER): status in (PendingStatus.ACCEPTED, PendingStatus.MAILED, PendingStatus.PROBLEM)
       for status in PendingStatus},
    **{(status, STRANGER): False for status in PendingStatus},
}


def drift(status: PendingStatus):
    return SimpleNamespace(
        id=7, requester_id=REQUESTER, gifter_id=GIFTER, pending_status=status, isbn=SANTI,
        book_title="三体", book_author="刘慈欣", book_img="", requester_nickname="鲍勃",
        gifter_nickname="爱丽丝", create_time=datetime(2026, 1, 2), message="谢谢",
        recipient_name="王小明", address=ADDRESS, mobile="13800138000", moved_at=datetime(2026, 1, 2),
        address_erased=False, tracking="", problem="")


CONFIG = {"DRIFT_RESPONSE_DAYS": 3, "DRIFT_MAIL_DAYS": 5, "DRIFT_RECEIVE_DAYS": 21}


@pytest.mark.parametrize("status, viewer", sorted(SEEN))
def test_address_shown_only_to_whom_it_concerns(status, viewer):
    """The requester always sees their address; the gifter only from acceptance until the
    drift closes (never while it waits, never once closed); anyone else never."""
    model = DriftViewModel(drift(status), viewer, CONFIG)
    assert model.show_address is SEEN[status, viewer]
    shown = [getattr(model, name, None) for name in ("recipient_name", "address", "mobile")]
    assert shown == (["王小明", ADDRESS, "13800138000"] if SEEN[status, viewer] else [None] * 3)


@pytest.mark.parametrize("status", list(PendingStatus))
def test_a_stranger_gets_no_actions(status):
    """A viewer who is neither party gets no action, no role and no label, in every state."""
    model = DriftViewModel(drift(status), STRANGER, CONFIG)
    assert model.actions == set() and model.role is None and model.status_label == ""
    assert not any(model.can(action) for action in TRANSITIONS)


# What each party may do in each state, written out by hand (the lifecycle).
OFFERED = {
    (PendingStatus.WAITING, "gifter"): {"accept", "reject"},
    (PendingStatus.WAITING, "requester"): {"withdraw"},
    (PendingStatus.ACCEPTED, "gifter"): {"mailed"},
    (PendingStatus.ACCEPTED, "requester"): {"withdraw"},
    (PendingStatus.MAILED, "requester"): {"received", "problem"},
    (PendingStatus.PROBLEM, "gifter"): {"refund"},
    (PendingStatus.PROBLEM, "requester"): {"received"},
}


@pytest.mark.parametrize("status", list(PendingStatus))
@pytest.mark.parametrize("viewer, role", [(REQUESTER, "requester"), (GIFTER, "gifter")])
def test_each_party_is_offered_exactly_its_next_steps(status, viewer, role):
    """A party's buttons are its role's next steps in this state (nothing once closed),
    and TRANSITIONS agrees with the lifecycle written out by hand."""
    model = DriftViewModel(drift(status), viewer, CONFIG)
    assert model.actions == OFFERED.get((status, role), set())
    assert model.actions == {action for action, (who, states, _) in TRANSITIONS.items()
                             if who == role and status in states}
    assert model.status_label == status.label(role)


def _results(page: int, total: int, per_page: int = 15, max_page: int = 99, shown: int = 1):
    from app.view_models.book import BookCollection

    books = [{"isbn": f"97871110000{n:02d}", "title": f"书 {n}"} for n in range(shown)]
    return BookCollection(keyword="书", page=page, per_page=per_page, total=total, books=books,
                          max_page=max_page)


@pytest.mark.parametrize("page, total, expected", [
    (1, 15, [1]),
    (1, 16, [1, 2]),
    (1, 300, [1, 2, 3, None, 20]),
    (6, 300, [1, None, 4, 5, 6, 7, 8, None, 20]),
    (4, 300, [1, 2, 3, 4, 5, 6, None, 20]),
    (20, 300, [1, None, 18, 19, 20]),
])
def test_page_numbers_show_the_ends_and_a_window_with_gaps(page, total, expected):
    """Page numbers list the first, the last and two either side of the current page, None for a gap."""
    assert _results(page, total).page_numbers() == expected


def test_pages_are_capped_at_max_page_and_empty_results_have_none():
    """A huge total is capped at MAX_PAGE pages; no books means no pages and no next link."""
    assert _results(1, 10_000, max_page=99).pages == 99
    empty = _results(1, 0, shown=0)
    assert (empty.pages, empty.page_numbers(), empty.has_next, empty.has_prev) == (0, [], False, False)


def test_a_page_past_the_last_one_says_so():
    """Books exist but this page shows none: past_last_page, with a previous link and no next."""
    past = _results(5, 31, shown=0)
    assert past.past_last_page and past.pages == 3 and past.has_prev and not past.has_next
    assert not _results(1, 31).past_last_page

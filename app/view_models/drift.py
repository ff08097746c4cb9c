"""Shape drifts for the pending page, from the viewer's side."""
from app.libs.enums import N_, PROMISED_STATES, PendingStatus
from app.libs.request_domain import gettext as _
from app.view_models.book import BookViewModel

S = PendingStatus
# What the viewer should do next, by (state, role); absent: nothing. Message
# ids, translated when the page is built.
_NEXT_STEP = {
    (S.WAITING, "gifter"): N_("同意或拒绝这个请求"),
    (S.WAITING, "requester"): N_("等待对方回应"),
    (S.ACCEPTED, "gifter"): N_("把书寄出后点“已寄出”"),
    (S.ACCEPTED, "requester"): N_("等待对方寄出"),
    (S.MAILED, "requester"): N_("收到后点“确认收到”，没收到或有损坏请报告问题"),
    (S.MAILED, "gifter"): N_("等待对方确认收到，到期会自动确认"),
    (S.PROBLEM, "gifter"): N_("和对方沟通，或退还对方的鱼豆"),
    (S.PROBLEM, "requester"): N_("收到后仍可确认收到"),
}


def address_visible(status: PendingStatus, role: str | None) -> bool:
    """The requester always sees their own address; the gifter only from
    acceptance until the drift closes (``PROMISED_STATES``); anyone else never."""
    return role == "requester" or (role == "gifter" and status in PROMISED_STATES)


def _role(drift, viewer_id: int) -> str | None:
    if drift.requester_id == viewer_id:
        return "requester"
    return "gifter" if drift.gifter_id == viewer_id else None


class DriftViewModel:
    def __init__(self, drift, viewer_id: int, config):
        from app.services.drift import TRANSITIONS, deadline

        self.id = drift.id
        self.role = _role(drift, viewer_id)
        status = drift.pending_status
        self.status_label = status.shown_label(self.role) if self.role else ""
        self.status_key = status.name.lower()
        self.book = BookViewModel({"isbn": drift.isbn, "title": drift.book_title,
                                   "author": [drift.book_author] if drift.book_author else [],
                                   "image": drift.book_img})
        self.other_party = drift.gifter_nickname if self.role == "requester" else drift.requester_nickname
        self.date = drift.create_time  # naive UTC; the page shows it |date
        self.message = drift.message
        self.tracking = drift.tracking
        self.problem = drift.problem
        step = _NEXT_STEP.get((status, self.role), "")
        self.next_step = _(step) if step else ""
        self.deadline = deadline(drift, config)  # naive UTC or None: |datetime and |time_left
        self.actions = {action for action, (role, states, _) in TRANSITIONS.items()
                        if role == self.role and status in states}
        self.my_turn = bool(self.actions - {"withdraw"})  # the deadline is on me
        self.show_address = address_visible(status, self.role) and not drift.address_erased
        if self.show_address:
            self.recipient_name, self.address, self.mobile = (
                drift.recipient_name, drift.address, drift.mobile)

    def can(self, action: str) -> bool:
        return action in self.actions

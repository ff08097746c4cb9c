"""Shape drifts for the pending page, from the viewer's side."""
from app.libs.enums import PendingStatus
from app.view_models.book import BookViewModel


# Statuses in which the gifter sees the mailing address: while they must mail
# the book and after they did. A rejected or withdrawn request's address is no
# business of theirs any more.
_GIFTER_SEES_ADDRESS = frozenset({PendingStatus.WAITING, PendingStatus.SUCCESS})


def address_visible(status: PendingStatus, role: str | None) -> bool:
    """The requester always sees their own address; the gifter only in
    ``_GIFTER_SEES_ADDRESS``; anyone else never."""
    return role == "requester" or (role == "gifter" and status in _GIFTER_SEES_ADDRESS)


def _role(drift, viewer_id: int) -> str | None:
    if drift.requester_id == viewer_id:
        return "requester"
    return "gifter" if drift.gifter_id == viewer_id else None


class DriftViewModel:
    def __init__(self, drift, viewer_id: int):
        self.id = drift.id
        self.role = _role(drift, viewer_id)
        status = drift.pending_status
        self.waiting = status is PendingStatus.WAITING
        self.status_label = status.label(self.role) if self.role else ""
        self.status_key = status.name.lower()
        self.book = BookViewModel({"isbn": drift.isbn, "title": drift.book_title,
                                   "author": [drift.book_author] if drift.book_author else [],
                                   "image": drift.book_img})
        self.other_party = drift.gifter_nickname if self.role == "requester" else drift.requester_nickname
        self.date = drift.create_time.strftime("%Y-%m-%d")
        self.message = drift.message
        self.show_address = address_visible(status, self.role)
        if self.show_address:
            self.recipient_name, self.address, self.mobile = (
                drift.recipient_name, drift.address, drift.mobile)

    @property
    def can_mail(self) -> bool:
        return self.waiting and self.role == "gifter"

    @property
    def can_reject(self) -> bool:
        return self.waiting and self.role == "gifter"

    @property
    def can_withdraw(self) -> bool:
        return self.waiting and self.role == "requester"

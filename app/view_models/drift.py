"""Shape drifts for the pending page, from the viewer's side."""
from app.libs.enums import PendingStatus
from app.view_models.book import BookViewModel


class DriftViewModel:
    def __init__(self, drift, viewer_id: int):
        self.id = drift.id
        self.role = "requester" if drift.requester_id == viewer_id else "gifter"
        status = drift.pending_status
        self.waiting = status is PendingStatus.WAITING
        self.status_label = status.label(self.role)
        self.status_key = status.name.lower()
        self.book = BookViewModel({"isbn": drift.isbn, "title": drift.book_title,
                                   "author": [drift.book_author] if drift.book_author else [],
                                   "image": drift.book_img})
        self.other_party = drift.gifter_nickname if self.role == "requester" else drift.requester_nickname
        self.date = drift.create_time.strftime("%Y-%m-%d")
        self.message = drift.message
        # The requester always sees their own address; the gifter only while
        # they must mail it or have just mailed it.
        self.show_address = self.role == "requester" or status in (PendingStatus.WAITING,
                                                                    PendingStatus.SUCCESS)
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
    def can_redraw(self) -> bool:
        return self.waiting and self.role == "requester"

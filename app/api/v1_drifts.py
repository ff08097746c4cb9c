"""/api/v1 drifts (鱼漂): requesting a gift, my drifts, and moving one along.

Every rule is the services' (``app/services/drift``): each call below is one
of its units of work, which commits itself, and its NotFound / Refused /
Conflict become 404 / 400 / 409 problems in ``app/api/v1``. A drift is shown
through the pending page's ``DriftViewModel``, so the API tells a party the
same role, actions and mailing details the site shows them.
"""
from flask import current_app, g, jsonify
from sqlalchemy import or_, select

from app.api.paging import keyset_page, page_response
from app.api.schemas import drift as shapes
from app.api.schemas.common import utc_iso
from app.api.spec import operation
from app.api.v1 import api_v1
from app.api.v1_books import books_json
from app.forms.drift import ProblemForm
from app.libs.enums import TokenScope
from app.models.base import db
from app.models.book import Book
from app.models.drift import Drift
from app.services import drift as drifts
from app.services.errors import NotFound
from app.view_models.drift import DriftViewModel

TAGS = ("drifts",)
# The site's bounded id converter: a larger number matches no route (a 404, even without a token).
DID = "<id:did>"


def _book_records(rows: list[Drift]) -> dict[str, dict]:
    """The catalog's records of the drifts' books; the drift's own snapshot
    for a book the catalog no longer has."""
    isbns = {row.isbn for row in rows}
    stored = {book.isbn: book.to_dict() for book in db.session.scalars(select(Book).where(Book.isbn.in_(isbns)))}
    return {row.isbn: stored.get(row.isbn) or {
        "isbn": row.isbn, "title": row.book_title, "image": row.book_img,
        "author": [row.book_author] if row.book_author else []} for row in rows}


def drifts_json(rows: list[Drift], viewer_id: int) -> list[dict]:
    """Drifts as the Drift model, from ``viewer_id``'s side (a party)."""
    records = _book_records(rows)
    books = dict(zip(records, books_json(list(records.values()))))
    answers = []
    for row in rows:
        view = DriftViewModel(row, viewer_id, current_app.config)
        answers.append({
            "id": row.id, "state": view.status_key, "role": view.role, "book": books[row.isbn],
            "other_party": view.other_party, "created": utc_iso(row.create_time),
            "deadline": utc_iso(drifts.deadline(row, current_app.config)),
            "actions": sorted(view.actions), "message": row.message or "",
            "tracking": row.tracking or "", "problem": row.problem or "",
            "mailing": {"recipient_name": view.recipient_name, "address": view.address,
                        "mobile": view.mobile} if view.show_address else None})
    return answers


def drift_answer(drift: Drift, status: int = 200):
    db.session.expire(drift)  # a transition's bulk update left it stale
    response = jsonify(drifts_json([drift], g.api_user.id)[0])
    response.status_code = status
    return response


@api_v1.post("/drifts")
@operation("requestGift", scope=TokenScope.WRITE, json=shapes.DriftRequest, ok=shapes.Drift, status=201,
           errors=(404, 409), tags=TAGS)
def request_gift(json: shapes.DriftRequest):
    """Ask for a gift with a mailing address: costs one bean, held until the
    drift closes (given back if it does not end in receipt). Refused (400)
    without a bean, past the two-books-per-gift rule, for one's own gift, a
    copy promised to someone else or a second open request for it."""
    details = json.model_dump(exclude={"gift_id"})
    drift = drifts.request_gift(g.api_user, json.gift_id, details)
    return drift_answer(drift, 201)


@api_v1.get("/me/drifts")
@operation("listMyDrifts", query=shapes.DriftListQuery, ok=shapes.DriftPage, paginated=True, tags=TAGS)
def list_my_drifts(query: shapes.DriftListQuery):
    """Drifts where I am the gifter or the requester, newest first."""
    uid = g.api_user.id
    parties = {drifts.GIFTER: Drift.gifter_id == uid, drifts.REQUESTER: Drift.requester_id == uid}
    statement = select(Drift).where(parties[query.role] if query.role else or_(*parties.values()))
    if query.state is not None:
        statement = statement.where(Drift.pending == int(shapes.status_of(query.state)))
    rows, cursor = keyset_page(statement, Drift.id, query)
    return page_response(drifts_json(rows, uid), cursor)


def my_drift(did: int) -> Drift:
    """Drift ``did`` if I am one of its parties, else NotFound (as the site:
    a stranger learns nothing)."""
    drift = db.session.get(Drift, did)
    if drift is None or g.api_user.id not in (drift.gifter_id, drift.requester_id):
        raise NotFound(did)
    return drift


@api_v1.get(f"/drifts/{DID}")
@operation("getDrift", ok=shapes.Drift, errors=(404,), tags=TAGS)
def get_drift(did: int):
    """One of my drifts: its state, my role, what I may do now, and the
    mailing details where the site shows them to me."""
    return drift_answer(my_drift(did))


def _problem_note(body: shapes.ProblemBody) -> str:
    """The note the site's problem form writes for the same kind and words."""
    return ProblemForm(formdata=None, data={"kind": body.kind, "note": body.note}).text()


# action: (the body's model or None, the service's extra arguments from the body)
_BODIES = {
    "mailed": (shapes.MailedBody, lambda body: [body.tracking if body else ""]),
    "problem": (shapes.ProblemBody, lambda body: [_problem_note(body)]),
}
_SUMMARIES = {
    "accept": "The gifter accepts: the copy is promised to this requester, other waiting requests are "
              "given to someone else (refunded).",
    "reject": "The gifter declines; the requester's bean comes back.",
    "withdraw": "The requester withdraws (until the book is mailed); the bean comes back.",
    "mailed": "The gifter has mailed the book, with an optional tracking note.",
    "problem": "The requester reports the book did not arrive or arrived damaged.",
    "received": "The requester has the book: the trade is done and the gifter earns one bean.",
    "refund": "The gifter settles a problem by giving the requester's bean back (no reward).",
}


def _action_view(action: str):
    """The POST /drifts/{did}/<action> view: only the drift's party in the
    action's role (others 404); a drift that has moved on is a 409."""
    body_model, arguments = _BODIES.get(action, (None, None))
    service = getattr(drifts, action)

    def view(did: int, json=None):
        extra = arguments(json) if arguments else []
        return drift_answer(service(g.api_user, did, *extra))

    view.__name__ = f"{action}_drift"
    view.__doc__ = _SUMMARIES[action]
    if body_model is not None:
        view.__annotations__ = {"json": body_model}
    return operation(f"{action}Drift", scope=TokenScope.WRITE, json=body_model, ok=shapes.Drift,
                     errors=(404, 409), tags=TAGS)(view)


for _action in drifts.TRANSITIONS:  # /drifts/{did}/accept, /reject, ...
    api_v1.add_url_rule(f"/drifts/{DID}/{_action}", f"{_action}_drift", _action_view(_action),
                        methods=["POST"])

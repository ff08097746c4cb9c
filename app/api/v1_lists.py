"""/api/v1 gift and wish lists: the copies on offer, my gifts, my wishes.

Writes go through ``app/services/lists`` (its unit of work, its beans, its
refusals); reads use the site's own conditions (``app/models/offers``).

``GET /gifts`` pages by a keyset over (create_time, id), the order of the
/gifts page, instead of ``offers.gifts_on_offer``'s page numbers: copies
are listed all the time, and with offsets each new one would push an item
of page 1 onto page 2 again. The filter is built from the same pieces as
``gifts_on_offer`` (``on_offer``, ``wished_for``, ``book_match``), and a test
holds both lists to the same items in the same order.
"""
from datetime import datetime

from flask import g, jsonify
from sqlalchemy import func, or_, select

from app.api.paging import decode_cursor, encode_cursor, keyset_page, page_response
from app.api.schemas.common import PageQuery, utc_iso
from app.api.schemas.lists import (
    CONDITION_NAMES, MyGift, MyGiftPage, MyWish, MyWishPage, NewGift, NewWish, OfferPage, OfferQuery)
from app.api.spec import operation
from app.api.v1 import api_v1
from app.api.v1_books import bad_isbn, books_json, unknown_book
from app.libs.enums import GiftCondition, PendingStatus, TokenScope
from app.libs.helper import normalize_isbn
from app.models import page_queries
from app.models.base import db
from app.models.book import Book
from app.models.book_search import book_match
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.offers import on_offer, wished_for
from app.models.user import User
from app.models.wish import Wish
from app.services import lists
from app.services.errors import NotFound

EPOCH = datetime(1970, 1, 1)


def condition_json(gift: Gift) -> dict:
    condition = GiftCondition(gift.condition or 0)
    name = None if condition is GiftCondition.UNSAID else condition.name.lower()
    return {"condition": name, "condition_label": condition.label, "note": gift.condition_note or ""}


def books_by_isbn(isbns: list[str]) -> dict[str, dict]:
    """The Book bodies of these ISBNs, in one query (and one offer count)."""
    records = [book.to_dict() for book in db.session.scalars(select(Book).where(Book.isbn.in_(set(isbns))))]
    return {body["isbn"]: body for body in books_json(records)}


# -- the copies on offer ---------------------------------------------------

def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // datetime.resolution


def _offer_page(query: OfferQuery) -> tuple[int, list[tuple], str | None]:
    """(total, up to ``query.limit`` (Gift, User) rows after the cursor, next cursor)."""
    where = [on_offer()]
    if query.wanted:
        where.append(wished_for())
    if query.q:
        where.append(Gift.isbn.in_(select(Book.isbn).where(book_match(query.q))))
    total = db.session.scalar(select(func.count()).select_from(Gift).where(*where))
    if query.cursor is not None:
        before_id = decode_cursor(query.cursor, "before")
        before_time = EPOCH + decode_cursor(query.cursor, "time") * datetime.resolution
        where.append(or_(Gift.create_time < before_time,
                         db.and_(Gift.create_time == before_time, Gift.id < before_id)))
    rows = db.session.execute(
        select(Gift, User).join(User, User.id == Gift.uid).join(Book, Book.isbn == Gift.isbn)
        .where(*where).order_by(Gift.create_time.desc(), Gift.id.desc()).limit(query.limit + 1)).all()
    if len(rows) <= query.limit:
        return total, rows, None
    last = rows[query.limit - 1][0]
    return total, rows[:query.limit], encode_cursor({"time": _micros(last.create_time), "before": last.id})


@api_v1.get("/gifts")
@operation("listOffers", query=OfferQuery, ok=OfferPage, paginated=True, tags=("gifts",))
def list_offers(query: OfferQuery):
    """The copies on offer now, newest first, as /gifts lists them; ``q``
    keeps the books matching a keyword, ``wanted`` those someone wishes for."""
    total, rows, cursor = _offer_page(query)
    books = books_by_isbn([gift.isbn for gift, _ in rows])
    items = [{"id": gift.id, "book": books[gift.isbn], **condition_json(gift),
              "gifter": {"id": user.id, "nickname": user.nickname}, "create_time": utc_iso(gift.create_time)}
             for gift, user in rows]
    return page_response(items, cursor, total=total)


# -- my gifts ----------------------------------------------------------------

def my_gifts_json(gifts: list[Gift]) -> list[dict]:
    """My gifts with their state, waiting requests and wishers (a fixed
    number of queries for the page)."""
    ids = [gift.id for gift in gifts]
    offered = set(db.session.scalars(select(Gift.id).where(Gift.id.in_(ids), on_offer()))) if ids else set()
    waiting = dict(db.session.execute(
        select(Drift.gift_id, func.count()).where(Drift.gift_id.in_(ids),
                                                  Drift.pending == int(PendingStatus.WAITING))
        .group_by(Drift.gift_id)).all()) if ids else {}
    wishers = page_queries.open_counts(Wish, [gift.isbn for gift in gifts])
    books = books_by_isbn([gift.isbn for gift in gifts])

    def state(gift):
        return "given" if gift.launched else "on_offer" if gift.id in offered else "promised"
    return [{"id": gift.id, "book": books[gift.isbn], **condition_json(gift), "state": state(gift),
             "waiting_requests": waiting.get(gift.id, 0), "wishers": wishers.get(gift.isbn, 0),
             "create_time": utc_iso(gift.create_time)} for gift in gifts]


@api_v1.get("/me/gifts")
@operation("listMyGifts", query=PageQuery, ok=MyGiftPage, paginated=True, tags=("gifts",))
def list_my_gifts(query: PageQuery):
    """My gifts (withdrawn ones left out), newest first, given ones too."""
    statement = select(Gift).join(Book, Book.isbn == Gift.isbn).where(Gift.uid == g.api_user.id)
    gifts, cursor = keyset_page(statement, Gift.id, query)
    return page_response(my_gifts_json(gifts), cursor)


@api_v1.post("/me/gifts")
@operation("addGift", scope=TokenScope.WRITE, json=NewGift, ok=MyGift, status=201, errors=(404, 503),
           tags=("gifts",))
def add_gift(json: NewGift):
    """Give away a copy of a book (earns beans as on the site, and tells the
    people who wish for it). 400 refused when the book is already on my gift
    or wish list."""
    isbn = normalize_isbn(json.isbn)
    if isbn is None:
        return bad_isbn(json.isbn)
    condition = CONDITION_NAMES[json.condition] if json.condition else GiftCondition.UNSAID
    try:
        gift = lists.add_gift(g.api_user, isbn, condition=condition, condition_note=json.note)
    except NotFound:
        return unknown_book(isbn)
    return jsonify(my_gifts_json([gift])[0]), 201


@api_v1.delete("/me/gifts/<id:gid>")
@operation("withdrawGift", scope=TokenScope.WRITE, ok=None, status=204, errors=(404,), tags=("gifts",))
def withdraw_gift(gid: int):
    """Withdraw one of my gifts (the beans it earned are taken back); 400
    refused while a request for it is open."""
    lists.withdraw_gift(g.api_user, gid)
    return "", 204


# -- my wishes ---------------------------------------------------------------

def my_wishes_json(wishes: list[Wish]) -> list[dict]:
    books = books_by_isbn([wish.isbn for wish in wishes])
    return [{"id": wish.id, "book": books[wish.isbn], "state": "fulfilled" if wish.launched else "open",
             "create_time": utc_iso(wish.create_time)} for wish in wishes]


@api_v1.get("/me/wishes")
@operation("listMyWishes", query=PageQuery, ok=MyWishPage, paginated=True, tags=("wishes",))
def list_my_wishes(query: PageQuery):
    """My wishes (withdrawn ones left out), newest first, fulfilled ones too."""
    statement = select(Wish).join(Book, Book.isbn == Wish.isbn).where(Wish.uid == g.api_user.id)
    wishes, cursor = keyset_page(statement, Wish.id, query)
    return page_response(my_wishes_json(wishes), cursor)


@api_v1.post("/me/wishes")
@operation("addWish", scope=TokenScope.WRITE, json=NewWish, ok=MyWish, status=201, errors=(404, 503),
           tags=("wishes",))
def add_wish(json: NewWish):
    """Wish for a book; 400 refused when it is already on my gift or wish list."""
    isbn = normalize_isbn(json.isbn)
    if isbn is None:
        return bad_isbn(json.isbn)
    try:
        wish = lists.add_wish(g.api_user, isbn)
    except NotFound:
        return unknown_book(isbn)
    return jsonify(my_wishes_json([wish])[0]), 201


@api_v1.delete("/me/wishes/<isbn>")
@operation("withdrawWish", scope=TokenScope.WRITE, ok=None, status=204, errors=(404,), tags=("wishes",))
def withdraw_wish(isbn: str):
    """Withdraw my open wish for the book with this ISBN."""
    number = normalize_isbn(isbn)
    if number is None:
        return bad_isbn(isbn)
    lists.withdraw_wish(g.api_user, number)
    return "", 204

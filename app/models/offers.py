"""What is on offer now: copies listed as gifts that nobody has been promised.

A copy is on offer while its gift is live, not yet given (``launched``) and
no request for it has been accepted. ``/gifts`` lists every such copy, newest
first; search results count them per book (可赠送) and can keep only the
books that have one.
"""
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, exists, func, select

from app.libs.enums import PROMISED_STATES
from app.models.base import db
from app.models.book import Book
from app.models.book_search import book_match, book_rank
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User
from app.models.wish import Wish


def on_offer():
    """The condition of a gift that is on offer now."""
    promised = exists().where(Drift.gift_id == Gift.id,
                              Drift.pending.in_([int(s) for s in PROMISED_STATES]))
    return db.and_(Gift.launched.is_(False), ~promised)


def wished_for():
    """The condition of a gift whose book someone other than its gifter wants."""
    return exists().where(Wish.isbn == Gift.isbn, Wish.launched.is_(False), Wish.uid != Gift.uid)


@cache
def _offer_counts():
    return (select(Gift.isbn, func.count())
            .where(Gift.isbn.in_(bindparam("isbns", expanding=True)), on_offer()).group_by(Gift.isbn))


def offer_counts(isbns: list[str]) -> dict[str, int]:
    """How many copies of each ISBN are on offer now (the statement built
    once: every search page asks)."""
    if not isbns:
        return {}
    return dict(db.session.execute(_offer_counts(), {"isbns": list(isbns)}).all())


@dataclass
class OfferPage:
    total: int
    rows: list[tuple]  # (Gift, Book, User, number of people wanting the book)


def gifts_on_offer(page: int, per_page: int, keyword: str = "", wanted: bool = False) -> OfferPage:
    """One page of the copies on offer, newest first, optionally only those
    someone wants and only books matching ``keyword``."""
    where = [on_offer()]
    if wanted:
        where.append(wished_for())
    if keyword:
        where.append(Gift.isbn.in_(select(Book.isbn).where(book_match(keyword))))
    total = db.session.scalar(select(func.count()).select_from(Gift).where(*where))
    if not total:
        return OfferPage(0, [])
    wishers = (select(func.count()).where(Wish.isbn == Gift.isbn, Wish.launched.is_(False),
                                          Wish.uid != Gift.uid).correlate(Gift).scalar_subquery())
    rows = db.session.execute(
        select(Gift, Book, User, wishers).join(Book, Book.isbn == Gift.isbn).join(User, User.id == Gift.uid)
        .where(*where).order_by(Gift.create_time.desc(), Gift.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return OfferPage(total, [tuple(row) for row in rows])


def offered_books(keyword: str, page: int, per_page: int) -> tuple[int, list[Book]]:
    """The books matching ``keyword`` that someone gives away now (total, one
    page), in the keyword search's order."""
    offered = exists().where(Gift.isbn == Book.isbn, on_offer())
    matches = select(Book).where(book_match(keyword), offered)
    total = db.session.scalar(select(func.count()).select_from(matches.subquery()))
    if not total:
        return 0, []
    books = db.session.scalars(matches.order_by(*book_rank(keyword))
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return total, list(books)

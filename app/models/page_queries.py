"""The read queries behind the pages: gifts, wishes, drifts and the bean
ledger (a fixed number of statements whatever the number of rows).

The statements every page view runs are built once (``@cache``) with bound
parameters: building one cost more than SQLAlchemy's compiled-statement cache
saved, on each request."""
from functools import cache

from sqlalchemy import bindparam, exists, func, or_, select

from app.libs.enums import OPEN_STATES, PROMISED_STATES
from app.models.base import LIVE, db
from app.models.bean_ledger import BeanLedger
from app.models.book import Book, card_columns
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User


@cache
def _open_counts(model):
    return (select(model.isbn, func.count())
            .where(model.isbn.in_(bindparam("isbns", expanding=True)), model.launched.is_(False))
            .group_by(model.isbn))


def open_counts(model, isbns: list[str]) -> dict[str, int]:
    """How many live, unlaunched rows of ``model`` each ISBN has."""
    if not isbns:
        return {}
    return dict(db.session.execute(_open_counts(model), {"isbns": list(isbns)}).all())


@cache
def _my_open(model):
    return (select(model, *card_columns()).join(Book, Book.isbn == model.isbn)
            .where(model.uid == bindparam("uid"), model.launched.is_(False))
            .order_by(model.create_time.desc(), model.id.desc()))


def my_open(model, uid: int) -> list[tuple]:
    """My live, unlaunched gifts or wishes, newest first, each with its
    book's card columns: (gift or wish, mapping of the card columns)."""
    return [(row[0], dict(row._mapping)) for row in db.session.execute(_my_open(model), {"uid": uid})]


@cache
def _waiting_gift_ids():
    return select(Drift.gift_id).where(Drift.gift_id.in_(bindparam("ids", expanding=True)),
                                       Drift.pending.in_([int(s) for s in OPEN_STATES]))


def waiting_gift_ids(gift_ids: list[int]) -> set[int]:
    """Which of these gifts an open drift holds (it cannot be withdrawn now)."""
    if not gift_ids:
        return set()
    return set(db.session.scalars(_waiting_gift_ids(), {"ids": list(gift_ids)}))


def _not_promised():
    """A gift whose gifter has not accepted a request for it: still on offer."""
    return ~exists().where(Drift.gift_id == Gift.id,
                           Drift.pending.in_([int(s) for s in PROMISED_STATES]))


@cache
def _open_with_users(model):
    on_offer = [_not_promised()] if model is Gift else []
    return (select(model, User).join(User, User.id == model.uid)
            .where(model.isbn == bindparam("isbn"), model.launched.is_(False), *on_offer)
            .order_by(model.create_time, model.id))


def open_with_users(model, isbn: str) -> list[tuple]:
    """Live, unlaunched gifts (still on offer) or wishes of one ISBN with
    their owners, oldest first."""
    return db.session.execute(_open_with_users(model), {"isbn": isbn}).all()


@cache
def _newest_gifts_on_offer():
    return (select(Gift.id, Gift.isbn).where(Gift.launched.is_(False), _not_promised())
            .order_by(Gift.create_time.desc(), Gift.id.desc()))


@cache
def _recent_cards():
    return (select(*card_columns(), Gift.uid, User.nickname)
            .select_from(Gift).join(Book, Book.isbn == Gift.isbn).join(User, User.id == Gift.uid)
            .where(Gift.id.in_(bindparam("ids", expanding=True)))
            .order_by(Gift.create_time.desc(), Gift.id.desc()))


def recent_gifts(limit: int, batch: int | None = None) -> list:
    """The newest live, unlaunched gift still on offer of each ISBN, newest
    first, as rows of the book's card columns, the gift's ``uid`` and the
    gifter's ``nickname``. Walks gifts newest first on the create_time index and
    stops at ``limit`` distinct ISBNs, instead of grouping every gift (the
    cost stays flat as the gift table grows; no GROUP BY, so MySQL's
    ONLY_FULL_GROUP_BY has nothing to object to)."""
    newest_first = _newest_gifts_on_offer()
    batch = batch or max(2 * limit, 20)  # most ISBNs' newest gift is the only one walked past
    chosen, seen, offset = [], set(), 0
    while len(chosen) < limit:
        rows = db.session.execute(newest_first.limit(batch).offset(offset)).all()
        for gift_id, isbn in rows:
            if isbn not in seen and len(chosen) < limit:
                seen.add(isbn)
                chosen.append(gift_id)
        if len(rows) < batch:
            break
        offset += batch
    if not chosen:
        return []
    # Plain rows of what the cards show: building 90 objects was a third of the page.
    return db.session.execute(_recent_cards(), {"ids": chosen}).all()


def my_drifts(uid: int) -> list[Drift]:
    """Drifts where I am requester or gifter, newest first."""
    return db.session.scalars(select(Drift).where(or_(
        Drift.requester_id == uid, Drift.gifter_id == uid))
        .order_by(Drift.create_time.desc(), Drift.id.desc())).all()


def ledger_rows(uid: int, limit: int = 100) -> list[tuple]:
    """My newest ledger rows with what they were about: (entry, the drift or
    None, the gift's book title or None). Withdrawn gifts still name their
    book, so the soft-delete rule is lifted here and restated for the ledger."""
    return db.session.execute(
        select(BeanLedger, Drift, Book.title)
        .outerjoin(Drift, Drift.id == BeanLedger.drift_id)
        .outerjoin(Gift, Gift.id == BeanLedger.gift_id)
        .outerjoin(Book, Book.isbn == Gift.isbn)
        .where(BeanLedger.uid == uid, BeanLedger.status == LIVE)
        .order_by(BeanLedger.id.desc()).limit(limit)
        .execution_options(include_deleted=True)).all()

"""The read queries behind the pages: gifts, wishes, drifts and the bean
ledger (a fixed number of statements whatever the number of rows).

The statements every page view runs are built once (``@cache``) with bound
parameters: building one cost more than SQLAlchemy's compiled-statement cache
saved, on each request. Those that only show columns are Core statements on
the tables (``live_columns``), which return plain rows and skip the ORM's
work per statement -- about two thirds of a small read's cost; being no ORM
reads, they state the soft-delete rule themselves (``status == LIVE``)."""
from functools import cache

from sqlalchemy import bindparam, exists, func, or_, select

from app.libs.enums import OPEN_STATES, PROMISED_STATES
from app.models.base import LIVE, db
from app.models.bean_ledger import BeanLedger
from app.models.book import CARD_FIELDS, Book
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User


def live_columns(model):
    """The columns of ``model``'s table, for Core reads; with them, every
    statement states ``status == LIVE`` for each table it reads."""
    return model.__table__.c


@cache
def _open_counts(model):
    m = live_columns(model)
    return (select(m.isbn, func.count())
            .where(m.isbn.in_(bindparam("isbns", expanding=True)), m.launched.is_(False), m.status == LIVE)
            .group_by(m.isbn))


def open_counts(model, isbns: list[str]) -> dict[str, int]:
    """How many live, unlaunched rows of ``model`` each ISBN has."""
    if not isbns:
        return {}
    return dict(db.session.execute(_open_counts(model), {"isbns": list(isbns)}).all())


def _entry_columns(m) -> list:
    """What the pages show of a gift (with its condition) or a wish."""
    return [m.id, m.uid, m.isbn, m.create_time, *((m.condition, m.condition_note) if "condition" in m else ())]


@cache
def _my_open(model):
    m, b = live_columns(model), live_columns(Book)
    cards = [b[name] for name in CARD_FIELDS if name != "isbn"]
    return (select(*_entry_columns(m), *cards).join_from(model.__table__, Book.__table__, b.isbn == m.isbn)
            .where(m.uid == bindparam("uid"), m.launched.is_(False), m.status == LIVE, b.status == LIVE)
            .order_by(m.create_time.desc(), m.id.desc()))


def my_open(model, uid: int) -> list[tuple]:
    """My live, unlaunched gifts or wishes, newest first, each with its
    book's card columns: (row of the gift or wish, mapping of the card columns)."""
    return [(row, {name: row._mapping[name] for name in CARD_FIELDS})
            for row in db.session.execute(_my_open(model), {"uid": uid})]


@cache
def _waiting_gift_ids():
    d = live_columns(Drift)
    return select(d.gift_id).where(d.gift_id.in_(bindparam("ids", expanding=True)),
                                   d.pending.in_([int(s) for s in OPEN_STATES]), d.status == LIVE)


def waiting_gift_ids(gift_ids: list[int]) -> set[int]:
    """Which of these gifts an open drift holds (it cannot be withdrawn now)."""
    if not gift_ids:
        return set()
    return set(db.session.scalars(_waiting_gift_ids(), {"ids": list(gift_ids)}))


def _not_promised():
    """A gift whose gifter has not accepted a request for it: still on offer."""
    d, g = live_columns(Drift), live_columns(Gift)
    return ~exists().where(d.gift_id == g.id, d.pending.in_([int(s) for s in PROMISED_STATES]),
                           d.status == LIVE)


@cache
def _open_with_users(model):
    m, u = live_columns(model), live_columns(User)
    on_offer = [_not_promised()] if model is Gift else []
    return (select(*_entry_columns(m), u.nickname).join_from(model.__table__, User.__table__, u.id == m.uid)
            .where(m.isbn == bindparam("isbn"), m.launched.is_(False), m.status == LIVE, u.status == LIVE,
                   *on_offer)
            .order_by(m.create_time, m.id))


def open_with_users(model, isbn: str) -> list:
    """Live, unlaunched gifts (still on offer) or wishes of one ISBN, oldest
    first, as rows of what the book page shows: id, uid, isbn, create_time,
    (a gift's) condition and condition_note, and the owner's nickname."""
    return db.session.execute(_open_with_users(model), {"isbn": isbn}).all()


@cache
def _newest_gifts_on_offer():
    g = live_columns(Gift)
    return (select(g.id, g.isbn).where(g.launched.is_(False), g.status == LIVE, _not_promised())
            .order_by(g.create_time.desc(), g.id.desc()))


@cache
def _recent_cards():
    g, b, u = live_columns(Gift), live_columns(Book), live_columns(User)
    return (select(*(b[name] for name in CARD_FIELDS), g.uid, u.nickname)
            .select_from(Gift.__table__).join(Book.__table__, b.isbn == g.isbn).join(User.__table__, u.id == g.uid)
            .where(g.id.in_(bindparam("ids", expanding=True)), g.status == LIVE, b.status == LIVE,
                   u.status == LIVE)
            .order_by(g.create_time.desc(), g.id.desc()))


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

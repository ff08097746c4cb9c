"""Build a benchmark database: the schema through the app's migrations, the
catalog through ``upsert_books`` (so the search index is built as the app
builds it), then users, gifts, wishes and drifts in bulk."""
import contextlib
import io
import os
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask_migrate import upgrade
from sqlalchemy import event, insert
from werkzeug.security import generate_password_hash

from app import create_app
from app.libs.enums import OPEN_STATES, PendingStatus
from app.models import Drift, Gift, User, Wish, db
from app.models.bean_ledger import BeanLedger, BeanReason
from app.models.base import utcnow
from app.models.book import upsert_books
from app.models.book_search import search_books
from bench.books import KEYWORDS, catalog

PASSWORD = "bench-password"
BOOK_BATCH = 2000
START_BEANS = 10
START_REASON = "bench_start"  # the builder's opening balance (no page action gives it)
S = PendingStatus
# How often each state is drawn; GIVEN_TO_OTHER brings the request that won the copy along.
STATE_WEIGHTS = {S.WAITING: 5, S.ACCEPTED: 2, S.MAILED: 2, S.PROBLEM: 1, S.RECEIVED: 6, S.REJECTED: 2,
                 S.WITHDRAWN: 2, S.EXPIRED: 1, S.GIVEN_TO_OTHER: 1, S.REFUNDED: 1}
REFUNDS = {S.REJECTED: BeanReason.REFUND_REJECT, S.WITHDRAWN: BeanReason.REFUND_WITHDRAW,
           S.EXPIRED: BeanReason.REFUND_EXPIRED, S.GIVEN_TO_OTHER: BeanReason.REFUND_GIVEN_TO_OTHER,
           S.REFUNDED: BeanReason.REFUND_PROBLEM}


@dataclass
class Sizes:
    books: int
    users: int = 1000
    gifts: int = 5000
    wishes: int = 5000
    drifts: int = 2000


@dataclass
class Built:
    """What the load phase needs to know about a built database."""
    path: str
    seconds: float
    login_email: str = ""
    login_counts: tuple[int, ...] = (0, 0, 0, 0)  # (open gifts, open wishes, drifts, waiting drifts)
    detail_isbn: str = ""
    detail_counts: tuple[int, int] = (0, 0)  # (open gifts, open wishes) of that book
    search_isbn: str = ""
    keyword_hits: dict[str, int] = field(default_factory=dict)


def bench_app(path: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "SECRET_KEY": secrets.token_hex(32), "LOAD_BUNDLED_CATALOG": False})


def build(path: str, sizes: Sizes, books_file: str | None, keywords=KEYWORDS, seed: int = 6) -> Built:
    """Create ``path`` afresh and fill it; returns where to point the load."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    started = time.perf_counter()
    app = bench_app(path)
    with app.app_context():
        event.listen(db.engine, "connect", _fast_build_pragmas)
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            upgrade()
        records = catalog(sizes.books, books_file)
        for start in range(0, len(records), BOOK_BATCH):
            with db.auto_commit():
                upsert_books(records[start:start + BOOK_BATCH])
        built = Built(path, 0.0)
        _fill_trades(app, sizes, records, random.Random(seed), built)
        built.search_isbn = records[len(records) // 2]["isbn"]
        built.keyword_hits = {kw: search_books(kw, 1, 1)[0] for kw in keywords}
        db.session.remove()
        db.engine.dispose()
    built.seconds = time.perf_counter() - started
    return built


def _fast_build_pragmas(dbapi_connection, _record) -> None:
    """A large page cache and no fsync while building: a crash only costs a rebuild."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cache_size=-524288")  # 512 MiB
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _fill_trades(app, sizes: Sizes, records: list[dict], rnd: random.Random, built: Built) -> None:
    now = utcnow()

    def times(count: int) -> list:
        """``count`` moments of the past year, oldest first (ids grow with time)."""
        return sorted(now - timedelta(seconds=rnd.randrange(365 * 24 * 3600)) for _ in range(count))

    pw_hash = generate_password_hash(PASSWORD, app.config["PASSWORD_HASH_METHOD"])
    users = [{"id": i, "nickname": f"读者{i:04d}", "email": f"reader{i}@bench.example.com",
              "_password": pw_hash, "beans": 0, "send_counter": 0, "receive_counter": 0,
              "create_time": when, "status": 1}
             for i, when in enumerate(times(sizes.users), start=1)]
    # Gifts and wishes cluster on a "popular" fifth of the catalog, so book
    # pages have people on both sides; no user lists an ISBN twice.
    pool = records[: max(len(records) // 5, 50)]
    listed: set[tuple[int, str]] = set()

    def entries(count: int) -> list[dict]:
        rows, moments = [], times(count)
        while len(rows) < count:
            uid, isbn = rnd.randint(1, sizes.users), rnd.choice(pool)["isbn"]
            if (uid, isbn) not in listed:
                listed.add((uid, isbn))
                rows.append({"id": len(rows) + 1, "uid": uid, "isbn": isbn, "launched": False,
                             "create_time": moments[len(rows)], "status": 1})
        return rows

    gifts, wishes = entries(sizes.gifts), entries(sizes.wishes)
    ledger: list[dict] = []

    def bean(uid: int, delta, reason: str, gift_id=None, drift_id=None, when=None) -> None:
        """A balance change, written both ways, so every balance equals its ledger."""
        users[uid - 1]["beans"] += Decimal(str(delta))
        ledger.append({"uid": uid, "delta": Decimal(str(delta)), "reason": reason, "gift_id": gift_id,
                       "drift_id": drift_id, "create_time": when or now, "status": 1})

    for user in users:
        user["beans"] = Decimal("0")
        bean(user["id"], START_BEANS, START_REASON, when=user["create_time"])
    for gift in gifts:
        bean(gift["uid"], app.config["BEANS_UPLOAD_ONE_BOOK"], BeanReason.LIST_GIFT, gift_id=gift["id"],
             when=gift["create_time"])
    wish_of = {(w["uid"], w["isbn"]): w for w in wishes}
    by_isbn = {rec["isbn"]: rec for rec in pool}
    drifts: list[dict] = []

    def add_drift(gift: dict, state: PendingStatus, skip: set[int]) -> None:
        number = len(drifts) + 1
        requester = _requester(rnd, users, gift["uid"], skip)
        created = min(gift["create_time"] + timedelta(hours=number % 48 + 1), now - timedelta(hours=1))
        if state in OPEN_STATES:  # still inside its deadline
            created = min(created, now - timedelta(hours=rnd.randint(2, 40)))
        moved = created + timedelta(minutes=30) if state is not PendingStatus.WAITING else created
        bean(requester, -1, BeanReason.REQUEST, drift_id=number, when=created)
        refund = REFUNDS.get(state)
        if refund:
            bean(requester, 1, refund, drift_id=number, when=moved)
        if state in (PendingStatus.RECEIVED, PendingStatus.REFUNDED):
            gift["launched"] = True
        if state is PendingStatus.RECEIVED:
            bean(gift["uid"], 1, BeanReason.RECEIVED_REWARD, drift_id=number, when=moved)
            users[gift["uid"] - 1]["send_counter"] += 1
            users[requester - 1]["receive_counter"] += 1
            wish = wish_of.get((requester, gift["isbn"]))
            if wish:
                wish["launched"] = True
        book = by_isbn[gift["isbn"]]
        mailed = state in (PendingStatus.MAILED, PendingStatus.PROBLEM, PendingStatus.RECEIVED,
                           PendingStatus.REFUNDED)
        drifts.append({
            "id": number, "recipient_name": f"收件人{requester}", "address": f"北京市海淀区某路{number}号",
            "message": "想读这本书，谢谢！", "mobile": f"138{number:08d}", "isbn": gift["isbn"],
            "book_title": book["title"], "book_author": (book["author"] or [""])[0][:255],
            "book_img": book["image"], "requester_id": requester,
            "requester_nickname": users[requester - 1]["nickname"], "gifter_id": gift["uid"],
            "gifter_nickname": users[gift["uid"] - 1]["nickname"], "gift_id": gift["id"],
            "pending": int(state), "create_time": created, "moved_at": moved,
            "closed_at": None if state in OPEN_STATES else moved,
            "tracking": f"SF{number:010d}" if mailed else "",
            "problem": "还没有收到" if state in (PendingStatus.PROBLEM, PendingStatus.REFUNDED) else "",
            "status": 1})
        skip.add(requester)

    states = [state for state, weight in STATE_WEIGHTS.items() for _ in range(weight)]
    requested = sorted(rnd.sample(gifts, min(sizes.drifts, len(gifts))), key=lambda g: g["id"])
    for gift in requested:
        if len(drifts) >= sizes.drifts:
            break
        state, skip = rnd.choice(states), set()
        if state is PendingStatus.GIVEN_TO_OTHER:  # another request was accepted and went on
            add_drift(gift, rnd.choice([PendingStatus.ACCEPTED, PendingStatus.MAILED,
                                        PendingStatus.RECEIVED]), skip)
        add_drift(gift, state, skip)
    for row in users:
        row["beans"] = float(row["beans"])
    for row in ledger:
        row["delta"] = float(row["delta"])
    with db.auto_commit():
        for model, rows in ((User, users), (Gift, gifts), (Wish, wishes), (Drift, drifts),
                            (BeanLedger, ledger)):
            if rows:
                db.session.execute(insert(model), rows)
    _pick_targets(sizes, gifts, wishes, drifts, built)


def _requester(rnd: random.Random, users: list[dict], gifter: int, skip: set[int]) -> int:
    """Anyone but the gifter (and ``skip``) who still has a bean to spend."""
    while True:
        uid = rnd.randint(1, len(users))
        if uid != gifter and uid not in skip and users[uid - 1]["beans"] >= 1:
            return uid


def _pick_targets(sizes: Sizes, gifts, wishes, drifts, built: Built) -> None:
    """The logged-in user: one with open gifts, open wishes and a drift waiting
    between them and another user, closest to the average numbers of open
    gifts and drifts. The book page's book: the first popular book with at
    least two open gifts and two open wishes."""
    open_gifts = [g for g in gifts if not g["launched"]]
    gifts_of, wishes_of, drifts_of, waiting_of = {}, {}, {}, {}
    for g in open_gifts:
        gifts_of[g["uid"]] = gifts_of.get(g["uid"], 0) + 1
    for w in wishes:
        if not w["launched"]:
            wishes_of[w["uid"]] = wishes_of.get(w["uid"], 0) + 1
    for d in drifts:
        for uid in {d["requester_id"], d["gifter_id"]}:
            drifts_of[uid] = drifts_of.get(uid, 0) + 1
            if d["pending"] == PendingStatus.WAITING:
                waiting_of[uid] = waiting_of.get(uid, 0) + 1
    want_g = max(1, round(len(open_gifts) / sizes.users))
    want_d = max(1, round(sum(drifts_of.values()) / sizes.users))
    candidates = [u for u in gifts_of if u in wishes_of and u in waiting_of]
    if not candidates:
        raise SystemExit("no user has open gifts, open wishes and a waiting drift: raise the sizes")
    uid = min(candidates, key=lambda u: (abs(gifts_of[u] - want_g) + abs(drifts_of[u] - want_d), u))
    built.login_email = f"reader{uid}@bench.example.com"
    built.login_counts = (gifts_of[uid], wishes_of[uid], drifts_of[uid], waiting_of[uid])
    counts: dict[str, list[int]] = {}
    for index, rows in ((0, open_gifts), (1, wishes)):
        for row in rows:
            counts.setdefault(row["isbn"], [0, 0])[index] += 1
    isbn = next((i for i, (g, w) in counts.items() if g >= 2 and w >= 2),
                max(counts, key=lambda i: min(counts[i])))
    built.detail_isbn, built.detail_counts = isbn, tuple(counts[isbn])


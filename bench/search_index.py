"""Keyword search at catalog scale: build N generated books (Chinese titles,
some in traditional script, some Latin, Chinese and Latin authors) through
the app's migrations and upsert_books, then time search_books per kind of
query (hanzi, traditional, pinyin syllables, initials, Latin) and print p50
and p95, the book_gram row count, the size of the index and the load average.

    python bench/search_index.py                        # SQLite file in bench/out/
    python bench/search_index.py --database-url 'mysql+pymysql://root@127.0.0.1:3306/bench?charset=utf8mb4'

The database named by --database-url is emptied first (every table dropped).
"""
import argparse
import contextlib
import io
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.models.base import db  # noqa: E402
from app.models.book import book_gram, upsert_books  # noqa: E402
from app.models.book_search import search_books  # noqa: E402
from bench import scale  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000
# Each kind's queries; the pinyin ones are the sounds of the hanzi ones.
QUERIES = {
    "hanzi": ("中国", "时间", "记忆", "森林", "王伟", "历史"),
    "traditional": ("時間", "記憶", "歷史", "經濟", "風景", "書店"),
    "pinyin full": ("zhongguo", "shijian", "jiyi", "senlin", "wang wei", "lishi"),
    "initials": ("zg", "sj", "jy", "sl", "ww", "lsjj"),
    "Latin": ("python", "history", "garden", "smith", "modern design", "ocean"),
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100000, help="books to build")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a SQLite file in bench/out/)")
    parser.add_argument("--repeat", type=int, default=15, help="timed calls per query")
    parser.add_argument("--seed", type=int, default=14)
    return parser.parse_args(argv)


def generated(count: int, seed: int) -> list[dict]:
    """``count`` book records, as bench/scale.py generates them."""
    return list(scale.generated(count, seed))


def build(url: str, count: int, seed: int) -> float:
    """Empty the database, migrate it, and store ``count`` books; returns seconds."""
    started = time.perf_counter()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()
    with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
        upgrade()
    records = generated(count, seed)
    for start in range(0, count, BATCH):
        with db.auto_commit():
            upsert_books(records[start:start + BATCH])
    return time.perf_counter() - started


def time_queries(repeat: int) -> dict[str, tuple[float, float, float]]:
    """(p50 ms, p95 ms, mean matches) of each kind's first-page searches."""
    out = {}
    for kind, queries in QUERIES.items():
        timings, hits = [], []
        for query in queries:
            hits.append(search_books(query, 1, 15)[0])  # warm-up
            for _ in range(repeat):
                started = time.perf_counter()
                search_books(query, 1, 15)
                timings.append((time.perf_counter() - started) * 1000)
                db.session.remove()
        cuts = statistics.quantiles(timings, n=20)
        out[kind] = (statistics.median(timings), cuts[18], statistics.mean(hits))
    return out


def index_size(url: str) -> str:
    """The space the catalog and its index take, as the database reports it."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        path = sa.make_url(url).database
        size = f"file {os.path.getsize(path) / 2**20:.1f} MiB"
        try:
            rows = conn.execute(sa.text("SELECT name, SUM(pgsize) FROM dbstat "
                                        "WHERE name LIKE '%book%' GROUP BY name")).all()
        except sa.exc.OperationalError:
            return size + " (no dbstat in this SQLite)"
        return size + "; " + ", ".join(f"{name} {pages / 2**20:.1f} MiB" for name, pages in rows)
    rows = conn.execute(sa.text(
        "SELECT table_name, data_length, index_length FROM information_schema.tables "
        "WHERE table_schema = DATABASE() AND table_name IN ('book', 'book_gram')")).all()
    return ", ".join(f"{name}: data {data / 2**20:.1f} MiB + index {index / 2**20:.1f} MiB"
                     for name, data, index in rows)


def main(argv=None) -> int:
    args = parse_args(argv)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{out / f'search-{args.n}.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32),
                      "LOAD_BUNDLED_CATALOG": False})
    with app.app_context():
        dialect = db.engine.dialect.name
        print(f"building {args.n:,} books on {dialect} ...", flush=True)
        seconds = build(url, args.n, args.seed)
        if dialect == "mysql":
            db.session.execute(sa.text("ANALYZE TABLE book, book_gram"))
        grams = db.session.scalar(sa.select(sa.func.count()).select_from(book_gram))
        print(f"built in {seconds:.0f} s; book_gram rows {grams:,} ({grams / args.n:.0f} per book)")
        print(f"index size: {index_size(url)}")
        db.session.remove()
        print(f"\nsearch_books, first page of 15, {args.repeat} timed calls per query after a warm-up")
        print(f"{'kind':<13}{'p50 ms':>8}{'p95 ms':>8}{'matches':>10}  queries")
        for kind, (p50, p95, hits) in time_queries(args.repeat).items():
            print(f"{kind:<13}{p50:>8.1f}{p95:>8.1f}{hits:>10.0f}  {' / '.join(QUERIES[kind])}")
        print(f"\nload average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        db.session.remove()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

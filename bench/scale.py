"""The catalog at scale: import N generated books with ``flask catalog import``
into a fresh SQLite database, time keyword search in-process, report the
database and index size, and serve the result with one fisher worker.

    python bench/scale.py --n 100000,1000000

Targets (each miss is a failure line, and the exit status is 1): the import
within IMPORT_LIMIT s, every query kind's median within SEARCH_LIMIT ms at
every size, at most GROWTH_LIMIT times its figure at the smallest size when
several are measured, and the worker's RSS within RSS_LIMIT MiB.
"""
import argparse
import contextlib
import io
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.books import FORMS, GIVEN, PUBLISHERS, SURNAMES, TOPICS, WORDS, isbn13, read_records  # noqa: E402
from bench.servers import Gunicorn, children, request, rss_mb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
IMPORT_LIMIT, SEARCH_LIMIT, GROWTH_LIMIT, RSS_LIMIT = 600, 20.0, 2.0, 150
REPEAT = 7  # timed calls per query and page, after one warm-up
DEEP_PAGE = 5
LATIN = ("python", "history", "garden", "river", "modern", "design", "music", "ocean", "network", "memory",
         "winter", "theory", "letters", "island", "machine", "silent", "empire", "journey", "light", "stone")
FIRST = ("Anna", "David", "Maria", "John", "Laura", "Peter", "Sofia", "Thomas", "Emma", "Lucas")
LAST = ("Smith", "Garcia", "Miller", "Brown", "Moreau", "Rossi", "Novak", "Keller", "Tanaka", "Silva")
QUERIES = {
    "CJK 2-char": ("中国", "世界", "历史"),
    "longer title": ("时间的河流", "中国的记忆", "城市的孤独"),
    "Latin word": ("python", "history", "garden"),
    "pinyin": ("zhongguo", "shijie", "lishi"),
    "initials": ("zg", "sj", "ls"),
}


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def generated(count: int, seed: int = 6):
    """``count`` book records, one at a time: Chinese titles from bench/books'
    words, a sixth Latin, a tenth in traditional script, a fifth with Latin authors."""
    import opencc
    s2t = opencc.OpenCC("s2t")
    rnd = random.Random(seed)
    weights = [1 / (rank + 2) for rank in range(len(TOPICS))]
    for i in range(count):
        if rnd.random() < 0.16:
            title = " ".join(rnd.sample(LATIN, rnd.choice((1, 2, 3)))).title()
        else:
            parts = rnd.sample(WORDS, rnd.choice((1, 2)))
            if rnd.random() < 0.45:
                parts.insert(rnd.randrange(len(parts) + 1), rnd.choices(TOPICS, weights)[0])
            title = "的".join(parts[:2]) + "".join(parts[2:]) + rnd.choice(FORMS)
        if rnd.random() < 0.2:
            author = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        else:
            author = rnd.choice(SURNAMES) + "".join(rnd.choices(GIVEN, k=rnd.choice((1, 2))))
        if rnd.random() < 0.1:
            title, author = s2t.convert(title), s2t.convert(author)
        yield {"isbn": isbn13(f"978{i:09d}"), "title": title, "subtitle": "", "author": [author],
               "translator": [], "publisher": rnd.choice(PUBLISHERS),
               "pubdate": f"{rnd.randint(1980, 2024)}-{rnd.randint(1, 12)}",
               "price": f"{rnd.randint(18, 128)}.00元", "pages": str(rnd.randint(120, 900)),
               "binding": rnd.choice(("平装", "精装", "")), "image": "",
               "summary": "".join(rnd.choices(WORDS + TOPICS, k=12))}


def repeated(path: str, count: int):
    """``count`` records from a JSON Lines file, then copies with new ISBNs and an edition mark."""
    base = read_records(path)
    for i in range(count):
        rec, copy = base[i % len(base)], i // len(base)
        if copy:
            rec = dict(rec, isbn=isbn13(f"9798{i:08d}"), title=f"{rec['title'][:240]}（第{copy + 1}版）")
        yield rec


def write_catalog(path: Path, count: int, books_file: str | None) -> None:
    records = repeated(books_file, count) if books_file else generated(count)
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def fresh_database(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def app_env(url: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FISHER_", "GUNICORN_"))}
    return {**base, "FISHER_SECRET_KEY": secrets.token_hex(32), "FISHER_SQLALCHEMY_DATABASE_URI": url,
            "FISHER_BOOK_SOURCE": "local", "FISHER_LOAD_BUNDLED_CATALOG": "false"}


def migrate(url: str) -> None:
    from flask_migrate import upgrade

    from app import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32), "LOAD_BUNDLED_CATALOG": False})
    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
        upgrade()
        from app.models.base import db
        db.engine.dispose()


def run_import(url: str, catalog: Path, log: Path) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds of it and its workers, peak RSS MiB, last
    output line) of ``flask catalog import``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "fisher.py", "catalog", "import",
                                 str(catalog)], cwd=ROOT, env=app_env(url), stdout=out, stderr=out)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _hwm_mb(proc.pid))
            time.sleep(0.5)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak = max(peak, after.ru_maxrss / 1024)
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    if proc.returncode:
        raise RuntimeError(f"catalog import failed ({proc.returncode}); see {log}")
    return seconds, cpu, peak, lines[-1] if lines else ""


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def time_search(url: str) -> dict[str, dict]:
    """Per query kind: median ms of page 1 and of page DEEP_PAGE, and the counts shown."""
    from app import create_app
    from app.models.base import db
    from app.models.book_search import search_books

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32), "LOAD_BUNDLED_CATALOG": False})
    out = {}
    with app.app_context():
        for kind, queries in QUERIES.items():
            timings, totals, cpu = {1: [], DEEP_PAGE: []}, [], []
            for query in queries:
                totals.append(search_books(query, 1, 15)[0])
                for page in timings:
                    search_books(query, page, 15)  # warm-up
                    for _ in range(REPEAT):
                        started, used = time.perf_counter(), time.process_time()
                        search_books(query, page, 15)
                        timings[page].append((time.perf_counter() - started) * 1000)
                        cpu.append((time.process_time() - used) * 1000)
                        db.session.remove()
            out[kind] = {"p1": statistics.median(timings[1]), "deep": statistics.median(timings[DEEP_PAGE]),
                         "cpu": statistics.median(cpu), "totals": totals}
        db.engine.dispose()
    return out


def sizes(path: Path) -> tuple[float, str]:
    """(file MiB, the book tables' and indexes' MiB by dbstat, or why not)."""
    file_mb = sum(os.path.getsize(f"{path}{s}") for s in ("", "-wal") if os.path.exists(f"{path}{s}")) / 2**20
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE '%book%' "
                                        "GROUP BY name ORDER BY 2 DESC")).all()
        detail = ", ".join(f"{name} {size / 2**20:.0f}" for name, size in rows)
    except sa.exc.OperationalError:
        detail = "no dbstat in this SQLite"
    finally:
        engine.dispose()
    return file_mb, detail


def serve(url: str, log: Path) -> tuple[float, float, list[str]]:
    """(worker RSS MiB after the pages, its peak, pages that failed) of one fisher worker."""
    env = {k: v for k, v in app_env(url).items() if k.startswith("FISHER_")}
    bad = []
    with Gunicorn("fisher:app", env, log, "/healthz", workers=1) as server:
        paths = [f"/book/search?q={quote(q)}&page={page}" for qs in QUERIES.values() for q in qs
                 for page in (1, DEEP_PAGE)] + [f"/book/{isbn13('978000000000')}/detail", "/"]
        for path in paths:
            status, _headers, body = request(server.port, "GET", path)
            if status != 200:
                bad.append(f"{path}: {status}")
        worker = children(server.proc.pid)[0]
        return rss_mb(worker), _hwm_mb(worker), bad


def measure_one(n: int, out_dir: Path, books_file: str | None) -> dict:
    catalog = out_dir / f"scale-{n}.jsonl"
    started = time.perf_counter()
    write_catalog(catalog, n, books_file)
    print(f"[{n:,}] catalog written in {time.perf_counter() - started:.0f} s "
          f"({catalog.stat().st_size / 2**20:.0f} MiB); load {load()}", flush=True)
    db_path = out_dir / f"scale-{n}.sqlite"
    url = fresh_database(db_path)
    migrate(url)
    load_before = load()
    seconds, cpu, peak, summary = run_import(url, catalog, out_dir / f"scale-{n}-import.log")
    print(f"[{n:,}] import {seconds:.0f} s ({cpu:.0f} CPU s with its workers), peak RSS {peak:.0f} MiB "
          f"({summary}); load {load_before} -> {load()}", flush=True)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        grams = conn.execute(sa.text("SELECT COUNT(*) FROM book_gram")).scalar()
    engine.dispose()
    search_load = load()
    search = time_search(url)
    file_mb, detail = sizes(db_path)
    rss, rss_peak, bad = serve(url, out_dir / f"scale-{n}-fisher.log")
    catalog.unlink()
    return {"n": n, "import_s": seconds, "import_cpu": cpu, "import_rss": peak, "summary": summary, "grams": grams,
            "search": search, "search_load": search_load, "file_mb": file_mb, "detail": detail,
            "rss": rss, "rss_peak": rss_peak, "bad_pages": bad, "load": load()}


def report(results: list[dict]) -> list[str]:
    """Print the table; return the targets missed."""
    failures = []
    first = results[0]
    for res in results:
        n = res["n"]
        print(f"\n== {n:,} books ==")
        print(f"import: {res['import_s']:.0f} s (limit {IMPORT_LIMIT}; {res['import_cpu']:.0f} CPU s with its "
              f"workers), peak RSS {res['import_rss']:.0f} MiB; {res['summary']}")
        print(f"database file {res['file_mb']:.0f} MiB; book_gram rows {res['grams']:,} "
              f"({res['grams'] / n:.0f} per book); MiB by dbstat: {res['detail']}")
        print(f"search in-process, median of {REPEAT} calls per query (load {res['search_load']}):")
        print(f"{'kind':<14}{'page 1 ms':>10}{f'page {DEEP_PAGE} ms':>11}{'CPU ms':>8}{'vs first':>10}  counts")
        for kind, row in res["search"].items():
            base = first["search"][kind]
            growth = max(row["p1"] / base["p1"], row["deep"] / base["deep"]) if res is not first else 1.0
            counts = " / ".join(f"{q} {t:,}" for q, t in zip(QUERIES[kind], row["totals"]))
            print(f"{kind:<14}{row['p1']:>10.1f}{row['deep']:>11.1f}{row['cpu']:>8.1f}{growth:>9.1f}×  {counts}")
            if max(row["p1"], row["deep"]) > SEARCH_LIMIT:
                failures.append(f"{n:,} books: {kind} search median {max(row['p1'], row['deep']):.1f} ms "
                                f"> {SEARCH_LIMIT:g} ms")
            if res is not first and growth > GROWTH_LIMIT:
                failures.append(f"{n:,} books: {kind} search {growth:.1f}× its {first['n']:,}-book figure "
                                f"> {GROWTH_LIMIT:g}×")
        print(f"one fisher worker: RSS {res['rss']:.0f} MiB after the pages (peak {res['rss_peak']:.0f}, "
              f"limit {RSS_LIMIT}); load {res['load']}")
        if res["import_s"] > IMPORT_LIMIT:
            failures.append(f"{n:,} books: import took {res['import_s']:.0f} s > {IMPORT_LIMIT} s")
        if res["rss"] > RSS_LIMIT:
            failures.append(f"{n:,} books: worker RSS {res['rss']:.0f} MiB > {RSS_LIMIT} MiB")
        failures += [f"{n:,} books: page {bad}" for bad in res["bad_pages"]]
    return failures


_measured: dict[int, dict] = {}


def measure_scale(n: int, out_dir: Path, books_file: str | None = None) -> list[str]:
    """Measure ``n`` books and print the table; returns the targets missed.
    The growth target compares against the smallest size measured so far
    in this process (``--n 100000,1000000`` measures 100k first)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _measured[n] = measure_one(n, out_dir, books_file)
    return report([_measured[size] for size in sorted(_measured)] if len(_measured) > 1 else [_measured[n]])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", default="100000", help="comma-separated catalog sizes")
    parser.add_argument("--books-file", help="JSON Lines catalog to repeat instead of generated books")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    failures = []
    for n in sorted(int(part) for part in args.n.split(",")):
        failures = measure_scale(n, args.out, args.books_file)
    print(f"\nload average {Path('/proc/loadavg').read_text().split()[:3]} on {os.cpu_count()} CPUs")
    print("\n".join(["", "FAILED:", *failures] if failures else ["", "all scale targets met"]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

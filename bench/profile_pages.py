"""Per-page CPU cost of fisher in-process (issue 17): each page fetched with
the Flask test client over a benchmark database, worker CPU time per request
(``time.process_time``, median of several rounds) against the minimal app
measured the same way, then the top functions of one cProfile run per page.

    python bench/profile_pages.py [--books 20000] [--rounds 5] [--n 200] [--top 12] [--only home,...]
"""
import argparse
import cProfile
import io
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build import PASSWORD, Sizes, build  # noqa: E402

KEYWORD = "世界"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", type=int, default=20000, help="catalog size of the database")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page (the median is printed)")
    parser.add_argument("--n", type=int, default=200, help="requests per round")
    parser.add_argument("--top", type=int, default=12, help="functions shown per profile (0: none)")
    parser.add_argument("--sort", default="tottime", help="pstats sort key of the profiles")
    parser.add_argument("--only", default="", help="comma-separated page names to run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--rebuild", action="store_true", help="build the database even if it exists")
    return parser.parse_args(argv)


def database(args):
    """The benchmark database, built once and reused (its targets kept beside it)."""
    args.out.mkdir(parents=True, exist_ok=True)
    path = (args.out / f"profile-{args.books}.sqlite").resolve()
    targets = path.with_suffix(".targets")
    if args.rebuild or not path.exists() or not targets.exists():
        print(f"building {args.books:,} books ...", flush=True)
        built = build(str(path), Sizes(books=args.books), None, keywords=(KEYWORD,))
        targets.write_text(f"{built.login_email}\n{built.detail_isbn}\n{built.search_isbn}\n")
    email, detail, isbn = targets.read_text().split()
    return str(path), email, detail, isbn


def fisher_app(path: str, page_cache_ttl: int):
    """fisher as gunicorn serves it (``create_app()`` reading FISHER_* settings)."""
    os.environ.update({"FISHER_SECRET_KEY": secrets.token_hex(32),
                       "FISHER_SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "FISHER_BOOK_SOURCE": "local", "FISHER_LOGIN_RATE_LIMIT": "100000 per minute",
                       "FISHER_ALLOW_PER_WORKER_LIMITS": "true",
                       "FISHER_PAGE_CACHE_TTL": str(page_cache_ttl)})
    from app import create_app
    return create_app()


def log_in(client, email: str) -> None:
    body = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', body)
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": token.group(1)})
    if response.status_code != 302:
        raise SystemExit(f"log in as {email}: {response.status_code}")


def warm(client, path: str, n: int) -> None:
    for _ in range(max(n // 10, 5)):
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code}")


def one_round(client, path: str, n: int) -> float:
    """CPU milliseconds per request of ``n`` GETs of ``path``."""
    started = time.process_time()
    for _ in range(n):
        client.get(path)
    return (time.process_time() - started) * 1000 / n


def cpu_ms(client, path: str, baseline, rounds: int, n: int) -> tuple[float, float]:
    """Medians over ``rounds`` of the page's and the minimal app's CPU ms per
    request, their rounds interleaved so both see the same machine load."""
    warm(client, path, n)
    mine, base = [], []
    for _ in range(rounds):
        base.append(one_round(baseline, "/", n))
        mine.append(one_round(client, path, n))
    return statistics.median(mine), statistics.median(base)


def profile(client, path: str, n: int, top: int, sort: str) -> tuple[float, str]:
    """(Python function calls per request, the top of the profile): the call
    count does not depend on the machine's load, so it compares two versions."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    text = out.getvalue()
    return stats.total_calls / n, text[text.find("   ncalls"):].rstrip()


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main(argv=None) -> int:
    args = parse_args(argv)
    path, email, detail, isbn = database(args)
    from bench.minimal_app import app as minimal
    pages = [  # name, path, app (ttl), logged in
        ("home", "/", 0, False),
        ("search keyword", f"/book/search?q={quote(KEYWORD)}", 0, False),
        ("search ISBN", f"/book/search?q={isbn}", 0, False),
        ("book detail", f"/book/{detail}/detail", 0, False),
        ("home (cache hit)", "/", 30, False),
        ("search keyword (cache hit)", f"/book/search?q={quote(KEYWORD)}", 30, False),
        ("book detail (cache hit)", f"/book/{detail}/detail", 30, False),
        ("my gifts", "/my/gifts", 0, True),
        ("my wishes", "/my/wishes", 0, True),
        ("pending", "/pending", 0, True),
        ("personal", "/personal", 0, True),
        ("book detail (logged in)", f"/book/{detail}/detail", 0, True),
    ]
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    apps = {ttl: fisher_app(path, ttl) for ttl in {0, 30}}
    anon = {ttl: app.test_client() for ttl, app in apps.items()}
    member = apps[0].test_client()
    log_in(member, email)
    baseline = minimal.test_client()
    warm(baseline, "/", args.n)
    print(f"\n{args.books:,} books; {args.rounds} rounds × {args.n} requests, median CPU ms/request; "
          f"minimal: the minimal app's, its rounds interleaved with the page's; ratio = minimal / page; "
          f"calls: Python function calls per request (cProfile; independent of the load)")
    print(f"{'page':30} {'CPU ms':>7} {'minimal':>7} {'ratio':>6} {'calls':>8} {'load':>5}")
    profiles = []
    for name, target, ttl, logged_in in pages:
        if only and name not in only:
            continue
        client = member if logged_in else anon[ttl]
        ms, base = cpu_ms(client, target, baseline, args.rounds, args.n)
        calls, text = profile(client, target, args.n, args.top, args.sort)
        print(f"{name:30} {ms:7.3f} {base:7.3f} {base / ms:6.2f} {calls:8.0f} {loadavg():>5}", flush=True)
        if args.top:
            profiles.append((name, target, text))
    for name, target, text in profiles:
        print(f"\n== {name} {target}: top {args.top} by {args.sort}, {args.n} requests\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The fisher benchmark (issue 17): serve fisher on a database of 20,000 books
and a minimal Flask app under gunicorn, load each page with wrk, and print
each page's requests/s as a ratio to the minimal app against its target.
Usage: see the README's "Benchmark" section."""
import argparse
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import wrk  # noqa: E402
from bench.build import PASSWORD, Built, Sizes, build  # noqa: E402
from bench.servers import ROOT, Gunicorn, WorkerSampler, log_in, request, serving  # noqa: E402

CACHED, FRESH, LOGGED_IN = "cached", "fresh", "logged in"
TARGETS = {CACHED: 0.70, FRESH: 0.30, LOGGED_IN: 0.25}  # requests/s over the reference's
WARMUP_REQUESTS = 10  # sequential requests before the wrk warm-up


@dataclass
class Job:
    """One page to load: on which server, as whom, and what its answer must show."""
    group: str | None  # None for the reference
    name: str
    server: Gunicorn
    path: str = "/"
    cookie: str | None = None
    cache: str | None = None  # "hit": served from the page cache; "off": never from it


@dataclass
class Measured:
    group: str | None
    name: str
    wrk: wrk.Result
    rss_mb: float  # peak RSS of one worker
    cpu_ms: float  # worker CPU time per request
    load: str  # 1-minute load average when the load started


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", help="JSON Lines catalog to repeat up to N books (default: generated)")
    parser.add_argument("--books-for-pages", type=int, default=20000, help="catalog size of the pages part")
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per page")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk warm-up per page")
    parser.add_argument("--keyword", default="世界", help="keyword of the search page")
    parser.add_argument("--n", type=int, help="also measure the catalog at N books (bench/scale.py)")
    parser.add_argument("--no-pages", action="store_true", help="with --n: only the catalog-scale part")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="databases and logs")
    parser.add_argument("--smoke", action="store_true",
                        help="small data, 1 s per page, only errors enforced (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = Sizes(books=2000, users=50, gifts=200, wishes=200, drifts=80)
        args.duration, args.warmup = 1, 0
    else:
        args.sizes = Sizes(books=args.books_for_pages)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if not wrk.available():
        print("wrk is not installed; install it with: apt-get update && apt-get install -y wrk",
              file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    if not args.no_pages:
        failures += measure_pages(args)
    if args.n:
        failures += measure_catalog(args)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


def measure_catalog(args) -> list[str]:
    """The catalog-scale part, from bench/scale.py (imported only when asked for)."""
    try:
        from bench.scale import measure_scale
    except ModuleNotFoundError as error:
        if error.name != "bench.scale":
            raise
        return ["--n needs bench/scale.py, which is not here"]
    return measure_scale(args.n, args.out, args.books)


def measure_pages(args) -> list[str]:
    """Reference, cached pages, logged-in pages, fresh pages, reference again;
    then one table of every row against the faster reference."""
    built = build_db(args)
    failures: list[str] = []
    rows: list[Measured] = []
    env = fisher_env(built)
    pages = [("home", "/"), ("search keyword", f"/book/search?q={args.keyword}"),
             ("search ISBN", f"/book/search?q={built.search_isbn}"),
             ("book page", f"/book/{built.detail_isbn}/detail")]
    logs, workers = args.out, set()
    threaded = Gunicorn("bench.minimal_app:app", {}, logs / "minimal.log")
    sync = Gunicorn("bench.minimal_app:app", {}, logs / "minimal-sync.log", sync=True)
    server = Gunicorn("fisher:app", env, logs / "fisher.log", "/healthz")
    fresh = Gunicorn("fisher:app", {**env, "FISHER_PAGE_CACHE_TTL": "0"}, logs / "fisher-fresh.log", "/healthz")
    with serving(threaded, sync, server, fresh):
        refs = [Job(None, "minimal, gunicorn.conf.py", threaded), Job(None, "minimal, -w 2 -k sync", sync)]
        rows += table("reference (before fisher)", refs, args, failures)
        rows += table("anonymous, from the page cache", [
            Job(CACHED, name, server, path, cache="hit") for name, path in pages], args, failures, workers)
        cookie = log_in(server.port, built.login_email, PASSWORD)
        rows += table("logged in", [
            Job(LOGGED_IN, name, server, path, cookie) for name, path in [
                ("my gifts", "/my/gifts"), ("my wishes", "/my/wishes"), ("pending", "/pending"),
                ("personal", "/personal"), ("book page", pages[3][1])]], args, failures, workers)
        rows += table("anonymous, rendered fresh (PAGE_CACHE_TTL=0)", [
            Job(FRESH, name, fresh, path, cache="off") for name, path in pages], args, failures, workers)
        if not args.smoke:
            rows += table("reference (after fisher)", refs, args, failures)
    print(f"gunicorn ran {len(workers)} fisher workers in all, 2 per server "
          f"(worker recycling off while measuring: --max-requests 0)")
    return failures + summary(rows, args)


def build_db(args) -> Built:
    sizes = args.sizes
    path = str((args.out / f"fisher-{sizes.books}.sqlite").resolve())
    print(f"building {sizes.books:,} books, {sizes.users:,} users, {sizes.gifts:,} gifts, "
          f"{sizes.wishes:,} wishes, {sizes.drifts:,} drifts ...", flush=True)
    built = build(path, sizes, args.books, keywords=(args.keyword,))
    hits = built.keyword_hits[args.keyword]
    gifts, wishes, drifts, waiting = built.login_counts
    print(f"built in {built.seconds:.1f} s; search '{args.keyword}' matches {hits:,} books; "
          f"logged in as {built.login_email} ({gifts} open gifts, {wishes} open wishes, {drifts} drifts, "
          f"{waiting} waiting); book page {built.detail_isbn} "
          f"({built.detail_counts[0]} gifts, {built.detail_counts[1]} wishes)")
    if not 0 < hits < sizes.books / 2:
        raise SystemExit(f"keyword '{args.keyword}' matches {hits} of {sizes.books} books, not some")
    return built


PAGE_CACHE_REDIS = "redis://127.0.0.1:6379/9"  # the pages' and their versions' cache, emptied first


def fisher_env(built: Built) -> dict:
    """fisher as deployed with two workers: the page cache on Redis (on the
    in-process SimpleCache gunicorn turns it off, since each worker would miss
    the other's changes)."""
    import redis

    try:
        redis.Redis.from_url(PAGE_CACHE_REDIS, socket_timeout=2).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"the page cache needs Redis at {PAGE_CACHE_REDIS} ({error}); start redis-server")
    return {"FISHER_SECRET_KEY": secrets.token_hex(32),
            "FISHER_SQLALCHEMY_DATABASE_URI": f"sqlite:///{built.path}",
            "FISHER_BOOK_SOURCE": "local", "FISHER_LOGIN_RATE_LIMIT": "100000 per minute",
            "FISHER_CACHE_TYPE": "RedisCache",
            "FISHER_CACHE_REDIS_URL": f"{PAGE_CACHE_REDIS}?socket_timeout=1&socket_connect_timeout=1",
            # 2 workers on memory:// limits: fine here, where the limit is lifted anyway.
            "FISHER_ALLOW_PER_WORKER_LIMITS": "true"}


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(title: str, jobs: list[Job], args, failures: list[str], workers: set | None = None) -> list[Measured]:
    print(f"\n{title}: {args.duration:g} s per page, wrk -t2 -c10; load average at start {loadavg()}")
    print(f"{'page':44} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>6} {'RSS MB':>6} {'non-2xx':>7}")
    rows = []
    for job in jobs:
        row = load(job, args, failures, workers)
        print(f"{pad(row.name, 44)} {row.wrk.rps:8.1f} {row.wrk.p50_ms:7.2f} {row.wrk.p99_ms:7.2f} "
              f"{row.cpu_ms:6.2f} {row.rss_mb:6.1f} {errors(row):7d}", flush=True)
        rows.append(row)
    print(f"load average at end {loadavg()}")
    return rows


def load(job: Job, args, failures: list[str], workers: set | None) -> Measured:
    """Check the page answers as it should, warm it up, measure it, check it again."""
    name = f"{job.name} {job.path}" if job.group else job.name
    label = f"{job.group or 'reference'} {name}"
    path = quote(job.path, safe="/?=")
    url = f"http://127.0.0.1:{job.server.port}{path}"
    failures += [f"{label} before the load: {p}" for p in check(job, path)]
    for _ in range(WARMUP_REQUESTS):
        request(job.server.port, "GET", path, {"Cookie": job.cookie} if job.cookie else {})
    if args.warmup:
        wrk.run(url, args.warmup, job.cookie)
    if job.cache == "hit":  # both workers have it by now; a hit on one of three requests shows the cache works
        if not any(check(job, path, want_hit=True) == [] for _ in range(3)):
            failures.append(f"{label}: not served from the page cache after the warm-up")
    started = loadavg().split()[0]
    with WorkerSampler(job.server) as sampler:
        result = wrk.run(url, args.duration, job.cookie)
    if workers is not None:
        workers |= sampler.pids
    failures += [f"{label} after the load: {p}" for p in check(job, path)]
    row = Measured(job.group, name, result, sampler.peak, sampler.cpu * 1000 / max(result.requests, 1), started)
    if errors(row):
        failures.append(f"{label}: {result.non_2xx} non-2xx responses, "
                        f"{result.socket_errors} socket errors")
    return row


def check(job: Job, path: str, want_hit: bool = False) -> list[str]:
    """What is wrong with one answer: not 200, not logged in when it should be
    (no logout button), from the page cache when the cache is off, or (with
    ``want_hit``) not from the page cache."""
    status, headers, body = request(job.server.port, "GET", path, {"Cookie": job.cookie} if job.cookie else {})
    problems = [] if status == 200 else [f"answered {status}, not 200"]
    if job.group and ("/logout" in body) != bool(job.cookie):
        problems.append("logged in" if not job.cookie else "not logged in")
    cached = headers.get("X-Page-Cache") == "hit"
    if job.cache == "off" and cached:
        problems.append("served from the page cache with PAGE_CACHE_TTL=0")
    if want_hit and not cached:
        problems.append("not from the page cache")
    return problems


def summary(rows: list[Measured], args) -> list[str]:
    """Every row against the reference (the faster minimal-app row); the misses."""
    refs = [r for r in rows if r.group is None]
    ref = max(refs, key=lambda r: r.wrk.rps)
    print(f"\nagainst the reference: {ref.name} at {ref.wrk.rps:.1f} req/s (the fastest of {len(refs)} "
          f"minimal-app rows); ratio: req/s over the reference's; CPU×: its CPU ms over this row's; "
          f"load: 1-minute load average when the row started")
    print(f"{'row':10} {'page':44} {'req/s':>8} {'ratio':>6} {'target':>6} {'CPU ms':>6} {'CPU×':>5} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'RSS MB':>6} {'non-2xx':>7} {'load':>5}  result")
    failures = []
    for row in rows:
        ratio, target = row.wrk.rps / ref.wrk.rps, TARGETS.get(row.group)
        if errors(row):
            verdict = "FAIL errors"
        elif target is None:
            verdict = "reference" if row is ref else ""
        elif args.smoke:
            verdict = "—"
        elif ratio >= target:
            verdict = "PASS"
        else:
            verdict = "MISS"
            failures.append(f"{row.group} {row.name}: {ratio:.2f} of the reference's req/s, target {target:.2f}")
        print(f"{row.group or 'reference':10} {pad(row.name, 44)} {row.wrk.rps:8.1f} {ratio:6.2f} "
              f"{f'≥{target:.2f}' if target else '':>6} {row.cpu_ms:6.2f} {ref.cpu_ms / row.cpu_ms:5.2f} "
              f"{row.wrk.p50_ms:7.2f} {row.wrk.p99_ms:7.2f} {row.rss_mb:6.1f} {errors(row):7d} "
              f"{row.load:>5}  {verdict}")
    print(f"load average now {loadavg()}")
    return failures


def errors(row: Measured) -> int:
    return row.wrk.non_2xx + row.wrk.socket_errors


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    return text + " " * max(width - sum(2 if ord(ch) > 0x2E80 else 1 for ch in text), 0)


if __name__ == "__main__":
    sys.exit(main())

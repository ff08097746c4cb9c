"""The fisher benchmark (issue 6): build a database of N books, serve fisher
and a minimal Flask app under gunicorn, load each page with wrk and print the
figures against the targets. Usage: see the README's "Benchmark" section."""
import argparse
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import wrk  # noqa: E402
from bench.books import KEYWORDS  # noqa: E402
from bench.build import PASSWORD, Built, Sizes, build, time_search  # noqa: E402
from bench.servers import ROOT, Gunicorn, WorkerSampler, log_in, request  # noqa: E402

ANON_RATIO, LOGGED_RATIO = 0.40, 0.25
SEARCH_P50_MS, SEARCH_GROWTH = 15.0, 2.0
RSS_MB = 120.0


@dataclass
class Measured:
    name: str
    wrk: wrk.Result
    rss_mb: float
    cpu_ms: float  # worker CPU time per request
    target_ratio: float | None = None  # None for the minimal app


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", help="JSON Lines catalog to repeat up to N books (default: generated)")
    parser.add_argument("--n", default="10000,100000", help="comma-separated catalog sizes")
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per page")
    parser.add_argument("--keyword", default="世界", help="keyword of the search page")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="databases and logs")
    parser.add_argument("--smoke", action="store_true",
                        help="small data, 2 s per page, only zero non-2xx enforced")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = [Sizes(books=2000, users=50, gifts=200, wishes=200, drifts=80)]
        args.duration, args.warmup = min(args.duration, 2), 1
    else:
        args.sizes = [Sizes(books=int(n)) for n in args.n.split(",")]
        args.warmup = 2
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if not wrk.available():
        print("wrk is not installed; install it with: apt-get update && apt-get install -y wrk",
              file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    search = {}
    with Gunicorn("bench.minimal_app:app", {}, args.out / "minimal.log") as minimal_server:
        for sizes in args.sizes:
            built = build_size(sizes, args, failures)
            timing = time_search(built.path)
            minimal = load(minimal_server, "minimal app /", "/", None, args, failures)
            search[sizes.books] = (timing, built, run_fisher(built, sizes, args, minimal, failures))
    print_search_keywords(search)
    failures += print_search(search, args)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


def build_size(sizes: Sizes, args, failures: list[str]) -> Built:
    path = str((args.out / f"fisher-{sizes.books}.sqlite").resolve())
    print(f"\nbuilding {sizes.books:,} books, {sizes.users:,} users, {sizes.gifts:,} gifts, "
          f"{sizes.wishes:,} wishes, {sizes.drifts:,} drifts ...", flush=True)
    built = build(path, sizes, args.books, keywords=KEYWORDS + (args.keyword,))
    hits = built.keyword_hits[args.keyword]
    print(f"built in {built.seconds:.1f} s; search '{args.keyword}' matches {hits:,} books; "
          f"login {built.login_email} ({built.login_counts[0]} open gifts, {built.login_counts[1]} drifts); "
          f"detail {built.detail_isbn} ({built.detail_counts[0]} gifts, {built.detail_counts[1]} wishes)")
    if not 0 < hits < sizes.books / 2:
        failures.append(f"keyword '{args.keyword}' matches {hits} of {sizes.books} books, not some")
    return built


def run_fisher(built: Built, sizes: Sizes, args, minimal: "Measured", failures: list[str]) -> list["Measured"]:
    """Serve fisher on ``built`` and measure every page against ``minimal``."""
    env = {"FISHER_SECRET_KEY": secrets.token_hex(32),
           "FISHER_SQLALCHEMY_DATABASE_URI": f"sqlite:///{built.path}",
           "FISHER_BOOK_SOURCE": "local", "FISHER_LOGIN_RATE_LIMIT": "100000 per minute",
           # 2 workers on memory:// limits: fine here, where the limit is lifted anyway.
           "FISHER_ALLOW_PER_WORKER_LIMITS": "true"}
    pages = [("home", "/", False, ANON_RATIO),
             ("search keyword", f"/book/search?q={args.keyword}", False, ANON_RATIO),
             ("search ISBN", f"/book/search?q={built.search_isbn}", False, ANON_RATIO),
             ("book detail", f"/book/{built.detail_isbn}/detail", False, ANON_RATIO),
             ("my gifts", "/my/gifts", True, LOGGED_RATIO),
             ("pending", "/pending", True, LOGGED_RATIO)]
    rows, workers, missed = [], set(), []
    with Gunicorn("fisher:app", env, args.out / f"fisher-{sizes.books}.log", "/healthz") as server:
        cookie = log_in(server.port, built.login_email, PASSWORD)
        print(f"\nfisher, {sizes.books:,} books, {args.duration:g} s per page, wrk -t2 -c10; "
              f"load average {Path('/proc/loadavg').read_text().split()[0]} "
              f"(CPU ms: worker CPU time per request; CPU×: minimal's CPU ms / this page's)")
        print_row(minimal, minimal, header=True, enforce=False)
        for name, target, logged_in, ratio in pages:
            row = load(server, f"{name} {target}", quote(target, safe="/?="),
                       cookie if logged_in else None, args, missed, workers)
            row.target_ratio = ratio
            print_row(row, minimal, enforce=not args.smoke, failures=missed)
            rows.append(row)
    failures += [f"{sizes.books:,} books, {failure}" for failure in missed]
    print(f"gunicorn ran {len(workers)} fisher workers in all, 2 at a time "
          f"(more than 2: max_requests recycling)")
    return rows


def load(server: Gunicorn, name: str, path: str, cookie: str | None, args, failures: list[str],
         workers: set | None = None) -> Measured:
    """Check the page answers 200, warm it up, then measure it with wrk."""
    headers = {"Cookie": cookie} if cookie else {}
    url = f"http://127.0.0.1:{server.port}{path}"
    status = request(server.port, "GET", path, headers)[0]
    if status != 200:
        raise SystemExit(f"{name}: GET {path} answered {status} before the load, not 200\n{server.log_tail()}")
    wrk.run(url, args.warmup, cookie)
    with WorkerSampler(server) as sampler:
        result = wrk.run(url, args.duration, cookie)
    if workers is not None:
        workers |= sampler.pids
    status = request(server.port, "GET", path, headers)[0]
    if result.non_2xx or result.socket_errors or status != 200:
        failures.append(f"{name}: {result.non_2xx} non-2xx responses, {result.socket_errors} socket "
                        f"errors, {status} after the load")
    return Measured(name, result, sampler.peak, sampler.cpu * 1000 / max(result.requests, 1))


def print_row(row: Measured, minimal: Measured, header=False, enforce=True, failures=None) -> None:
    """One table line; ``×minimal`` is the requests/s ratio the targets use, ``CPU×``
    the same ratio from worker CPU time per request (steadier on a busy machine)."""
    if header:
        print(f"{'page':42} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'×minimal':>8} {'target':>6} "
              f"{'CPU ms':>6} {'CPU×':>5} {'RSS MB':>6} {'non-2xx':>7}  result")
    ratio = row.wrk.rps / minimal.wrk.rps
    misses = []
    if row.target_ratio and ratio < row.target_ratio:
        misses.append("req/s")
    if row.rss_mb > RSS_MB:
        misses.append("RSS")
    if row.wrk.non_2xx or row.wrk.socket_errors:
        misses.append("errors")
    if enforce:
        verdict = "MISS " + ",".join(misses) if misses else "PASS"
        if failures is not None and misses and misses != ["errors"]:
            failures.append(f"{row.name}: target missed ({', '.join(m for m in misses if m != 'errors')})")
    else:
        verdict = "FAIL errors" if "errors" in misses else "—"
    target = f"≥{row.target_ratio:.0%}" if row.target_ratio else ""
    name = row.name + " " * (42 - _width(row.name))
    print(f"{name} {row.wrk.rps:8.1f} {row.wrk.p50_ms:7.2f} {row.wrk.p99_ms:7.2f} {ratio:8.2f} "
          f"{target:>6} {row.cpu_ms:6.2f} {minimal.cpu_ms / row.cpu_ms:5.2f} {row.rss_mb:6.1f} "
          f"{row.wrk.non_2xx + row.wrk.socket_errors:7d}  {verdict}", flush=True)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def print_search_keywords(search: dict) -> None:
    sizes = sorted(search)
    print("\nsearch_books in-process, first page: median ms of 5 calls / books matched")
    print(f"{'keyword':10}" + "".join(f"{f'{n:,} books':>22}" for n in sizes))
    for kw in KEYWORDS:
        cells = "".join(f"{search[n][0][1][kw]:13.2f} / {search[n][1].keyword_hits[kw]:6d}" for n in sizes)
        print(f"{kw:6}" + cells)


def print_search(search: dict, args) -> list[str]:
    """The keyword-search summary and its two targets (largest N against smallest)."""
    print(f"\nkeyword search p50: in-process median over {len(KEYWORDS)} keywords × 5 calls; "
          f"wrk p50 of /book/search?q={args.keyword}")
    for n in sorted(search):
        (median_ms, _), _, rows = search[n]
        page = next(r for r in rows if r.name.startswith("search keyword"))
        print(f"{n:>10,} books  in-process {median_ms:6.2f} ms   wrk {page.wrk.p50_ms:6.2f} ms")
    if args.smoke:
        return []
    small, large = min(search), max(search)
    p50_small, p50_large = search[small][0][0], search[large][0][0]
    failures = []
    verdict = "PASS" if p50_large <= SEARCH_P50_MS else "MISS"
    print(f"target: p50 at {large:,} books ≤ {SEARCH_P50_MS:.0f} ms: {p50_large:.2f} ms  {verdict}")
    if verdict == "MISS":
        failures.append(f"keyword search p50 {p50_large:.2f} ms at {large:,} books")
    if large != small:
        growth = p50_large / p50_small
        verdict = "PASS" if growth <= SEARCH_GROWTH else "MISS"
        print(f"target: p50 at {large:,} ≤ {SEARCH_GROWTH:.0f}× p50 at {small:,}: {growth:.2f}×  {verdict}")
        if verdict == "MISS":
            failures.append(f"keyword search grows {growth:.2f}× from {small:,} to {large:,} books")
    return failures


if __name__ == "__main__":
    sys.exit(main())

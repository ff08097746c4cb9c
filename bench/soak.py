"""Load and soak check: many concurrent users browse, list gifts and wishes and
drive drifts through the whole lifecycle over HTTP against fisher under
gunicorn -- request, accept, reject, withdraw (waiting and accepted), mailed,
received, problem, refund -- while the deadline sweeps (``app.jobs.run_due``,
what ``flask jobs run-due`` runs) run beside them with deadlines of a few
seconds, so some requests expire and some receipts are confirmed
automatically. Then the database is checked.

    python -m pipenv run python bench/soak.py [--clients 50] [--duration 60]
           [--database mysql|sqlite] [--workers 2] [--deadline SECONDS]

When the clients stop, the sweeps run on for one more deadline, settling
every drift still waiting, accepted or mailed. Checks after the run: zero 5xx
answers, every user's beans equal the sum of their ledger rows, no negative
balance, no gift given twice (at most one received or promised drift per
gift), no gift promised twice, every drift charged once and, when closed,
refunded once or rewarded once as its state says, and no drift left past its
deadline. Prints the drifts by state, the answers by action and what the
sweeps did. Exits non-zero when a check fails. Traffic goes only to the loopback server it starts.
"""
import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MYSQL_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"
SOAK_DB = "fisher_soak"
PASSWORD = "soak-pass-42"
ADDRESS = {"recipient_name": "测试用户", "mobile": "13800138000",
           "address": "上海市浦东新区世纪大道 100 号 8 楼", "message": "谢谢"}
KEYWORDS = ["三体", "余华", "历史", "Python", "小说", "算法", "中国", "科学"]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ACTION = re.compile(r'action="/drift/(\d+)/(accept|reject|withdraw|mailed|received|problem|refund)"')
# How likely each offered action is taken: mostly forward, sometimes not.
ACTION_WEIGHTS = {"accept": 4, "reject": 1, "withdraw": 1, "mailed": 4, "received": 3, "problem": 1,
                  "refund": 2, "": 4}  # "": leave it for now (or the deadline)
CARD = re.compile(r'class="card mb-3 drift drift-([a-z_]+)" id="drift-(\d+)"')
STATE_NAMES = {1: "waiting", 2: "received", 3: "rejected", 4: "withdrawn", 5: "accepted", 6: "mailed",
               7: "problem", 8: "expired", 9: "given_to_other", 10: "refunded"}
REFUND_REASONS = ("refund_reject", "refund_withdraw", "refund_expired", "refund_given_to_other",
                  "refund_problem")
REFUND_OF_STATE = {3: "refund_reject", 4: "refund_withdraw", 8: "refund_expired",
                   9: "refund_given_to_other", 10: "refund_problem"}


def deadline_settings(seconds: float) -> dict:
    """Every drift deadline ``seconds`` long (fractional days), reminders inside
    them, and closed drifts' mailing details erased as long after closing."""
    day = 86400.0
    return {"DRIFT_RESPONSE_DAYS": seconds / day, "DRIFT_MAIL_DAYS": seconds / day,
            "DRIFT_RECEIVE_DAYS": seconds / day, "DRIFT_REMINDER_LEAD_DAYS": seconds / 2 / day,
            "DRIFT_RECEIVE_REMINDER_DAYS": [seconds / 3 / day, seconds * 2 / 3 / day],
            "ADDRESS_RETENTION_DAYS": seconds / day}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(kind: str, users: int) -> str:
    """A fresh database with the schema (through the migrations), the bundled
    catalog and ``users`` accounts; returns its URL."""
    if kind == "mysql":
        url = sa.make_url(MYSQL_ADMIN)
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {SOAK_DB}"))
            conn.execute(sa.text(f"CREATE DATABASE {SOAK_DB} CHARACTER SET utf8mb4"))
        admin.dispose()
        db_url = url.set(database=SOAK_DB).render_as_string(hide_password=False)
    else:
        db_url = f"sqlite:///{tempfile.mkdtemp(prefix='fisher-soak-')}/soak.sqlite"
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.models.base import db
    from app.models.user import User
    from app.services.catalog import load_bundled_catalog_if_empty

    app = create_app({"TESTING": True, "SECRET_KEY": "soak", "SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        upgrade()
        load_bundled_catalog_if_empty()
        hashed = generate_password_hash(PASSWORD)
        with db.auto_commit():
            db.session.add_all(User(email=f"u{i}@soak.example.com", nickname=f"书友{i}", _password=hashed)
                               for i in range(users))
        db.engine.dispose()
    return db_url


def isbns(db_url: str) -> list[str]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        found = [row[0] for row in conn.execute(sa.text("SELECT isbn FROM book"))]
    engine.dispose()
    return found


def start_server(db_url: str, workers: int, settings: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, **{f"FISHER_{k}": json.dumps(v) for k, v in settings.items()}, "FISHER_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
           "FISHER_SECRET_KEY": "soak-secret-" + "x" * 20, "FISHER_SQLALCHEMY_DATABASE_URI": db_url,
           "FISHER_LOGIN_RATE_LIMIT": "100000 per minute", "FISHER_ALLOW_PER_WORKER_LIMITS": "true",
           "GUNICORN_ACCESS_LOG": "/dev/null",
           "FISHER_OUTBOX_DIR": tempfile.mkdtemp(prefix="fisher-soak-outbox-"),
           "FISHER_JOBS_QUEUE": json.dumps(f"sqlite:///{tempfile.mkdtemp(prefix='fisher-soak-jobs-')}/jobs.sqlite")}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "fisher:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not start")


class Client:
    """One simulated person with their own session."""

    def __init__(self, base: str, index: int, books: list[str], record, record_action):
        self.base, self.index, self.books, self.record = base, index, books, record
        self.record_action = record_action
        self.http = requests.Session()
        self.token = None
        self.rng = random.Random(index)

    def call(self, method: str, path: str, **kwargs):
        started = time.perf_counter()
        try:
            resp = self.http.request(method, self.base + path, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            self.record("error", time.perf_counter() - started, path, repr(exc))
            return None
        self.record(resp.status_code, time.perf_counter() - started, path, "")
        return resp

    def post(self, path: str, data=None):
        return self.call("POST", path, data={**(data or {}), "csrf_token": self.token})

    def login(self) -> None:
        page = self.call("GET", "/login")
        self.token = TOKEN.search(page.text).group(1)
        self.post("/login", {"email": f"u{self.index}@soak.example.com", "password": PASSWORD})

    def step(self) -> None:
        roll, isbn = self.rng.random(), self.rng.choice(self.books)
        if roll < 0.30:
            self.call("GET", self.rng.choice(
                ["/", f"/book/search?q={self.rng.choice(KEYWORDS)}", f"/book/{isbn}/detail"]))
        elif roll < 0.42:
            self.post(f"/gifts/book/{isbn}")
        elif roll < 0.50:
            self.post(f"/wishes/book/{isbn}")
        elif roll < 0.62:
            self.request_a_gift()
        elif roll < 0.92:
            self.act_on_pending()
        else:
            self.call("GET", self.rng.choice(["/my/gifts", "/my/wishes", "/personal", "/pending"]))

    def request_a_gift(self) -> None:
        home = self.call("GET", "/")
        detail_links = re.findall(r'href="(/book/\d{13}/detail)"', home.text if home is not None else "")
        if not detail_links:
            return
        page = self.call("GET", self.rng.choice(detail_links))
        gifts = re.findall(r'href="/gifts/(\d+)/request"', page.text if page is not None else "")
        if gifts:
            self.post(f"/gifts/{self.rng.choice(gifts)}/request", ADDRESS)

    def act_on_pending(self) -> None:
        """Take one of the actions /pending offers me, as a person would click it."""
        page = self.call("GET", "/pending")
        text = page.text if page is not None else ""
        offered = ACTION.findall(text)
        if not offered:
            return
        did, action = self.rng.choices(offered + [("", "")],
                                       weights=[ACTION_WEIGHTS[a] for _, a in offered + [("", "")]])[0]
        if not action:
            return
        state = dict((d, k) for k, d in CARD.findall(text)).get(did, "?")
        data = {}
        if action == "mailed":
            data = {"tracking": f"SF{self.rng.randrange(10 ** 9):09d}"}
        elif action == "problem":
            data = {"kind": self.rng.choice(["not_arrived", "damaged"]), "note": "封面破了"}
        resp = self.post(f"/drift/{did}/{action}", data)
        self.record_action(f"{action}({state})", resp.status_code if resp is not None else "error")


def sweeper(db_url: str, settings: dict, stop: threading.Event, every: float, counts: Counter) -> None:
    """Run every due sweep (``app.jobs.run_due``, what ``flask jobs run-due``
    runs) every ``every`` seconds until ``stop``, racing the clients' clicks."""
    from app import create_app
    from app.jobs import run_due
    from app.models.base import db

    app = create_app({"SECRET_KEY": "soak-sweeper-" + "x" * 20, "SQLALCHEMY_DATABASE_URI": db_url,
                      "JOBS_QUEUE": "immediate", "LOAD_BUNDLED_CATALOG": False,
                      "OUTBOX_DIR": tempfile.mkdtemp(prefix="fisher-soak-sweep-outbox-"), **settings})
    app.logger.setLevel("ERROR")  # one "kept in the outbox" line per notice otherwise
    with app.app_context():
        while True:
            stopping = stop.wait(every)
            try:
                for key, value in run_due().items():
                    counts[key] += value
                counts["runs"] += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported as a failure
                counts["errors"] += 1
                print(f"sweep failed: {exc!r}", file=sys.stderr)
            finally:
                db.session.remove()
            if stopping:
                break
        db.engine.dispose()


def run_load(base: str, clients: int, duration: float, books: list[str],
             actions: Counter) -> tuple[Counter, list, list]:
    statuses, latencies, problems = Counter(), [], []
    lock = threading.Lock()

    def record_action(action, status):
        with lock:
            actions[(action, status)] += 1

    def record(status, seconds, path, detail):
        with lock:
            statuses[status] += 1
            latencies.append(seconds)
            if status == "error" or (isinstance(status, int) and status >= 500):
                problems.append((status, path, detail))

    people = [Client(base, i, books, record, record_action) for i in range(clients)]
    for person in people:
        person.login()
    stop_at = time.monotonic() + duration

    def work(person):
        while time.monotonic() < stop_at:
            person.step()

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, latencies, problems


def check_invariants(db_url: str) -> list[tuple[str, bool, str]]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        def scalar(sql):
            return conn.execute(sa.text(sql)).scalar()
        mismatched = scalar("""SELECT COUNT(*) FROM user u WHERE u.beans <>
            (SELECT COALESCE(SUM(l.delta), 0) FROM bean_ledger l WHERE l.uid = u.id)""")
        negative = scalar("SELECT COUNT(*) FROM user WHERE beans < 0")
        twice = scalar("""SELECT COUNT(*) FROM (SELECT gift_id FROM drift WHERE pending IN (2, 5, 6, 7, 10)
            GROUP BY gift_id HAVING COUNT(*) > 1) AS t""")
        promised_twice = scalar("""SELECT COUNT(*) FROM (SELECT gift_id FROM drift WHERE pending IN (5, 6, 7)
            GROUP BY gift_id HAVING COUNT(*) > 1) AS t""")
        launched_without = scalar("""SELECT COUNT(*) FROM gift g WHERE g.launched = 1 AND NOT EXISTS
            (SELECT 1 FROM drift d WHERE d.gift_id = g.id AND d.pending IN (2, 10))""")
        erased_open = scalar("SELECT COUNT(*) FROM drift WHERE address_erased = 1 AND pending IN (1, 5, 6, 7)")
        refunds = ", ".join(f"'{r}'" for r in REFUND_REASONS)
        rows = conn.execute(sa.text(f"""SELECT d.id, d.pending, d.closed_at IS NULL,
            (SELECT COUNT(*) FROM bean_ledger l WHERE l.drift_id = d.id AND l.reason = 'request'),
            (SELECT COUNT(*) FROM bean_ledger l WHERE l.drift_id = d.id AND l.reason IN ({refunds})),
            (SELECT MIN(l.reason) FROM bean_ledger l WHERE l.drift_id = d.id AND l.reason IN ({refunds})),
            (SELECT COUNT(*) FROM bean_ledger l WHERE l.drift_id = d.id AND l.reason = 'received_reward')
            FROM drift d""")).all()
    engine.dispose()
    wrong_settlement, wrong_closed_at = [], []
    for did, pending, open_, charged, refunded, refund_reason, rewarded in rows:
        if pending in (1, 5, 6, 7):
            expected = (1, 0, 0)
        elif pending == 2:
            expected = (1, 0, 1)
        else:
            expected = (1, 1, 0)
        if (charged, refunded, rewarded) != expected or (refunded and refund_reason != REFUND_OF_STATE[pending]):
            wrong_settlement.append((did, STATE_NAMES[pending], charged, refunded, rewarded))
        if bool(open_) != (pending in (1, 5, 6, 7)):
            wrong_closed_at.append(did)
    by_state = Counter(STATE_NAMES[row[1]] for row in rows)
    overdue = sum(by_state[name] for name in ("waiting", "accepted", "mailed"))
    summary = ", ".join(f"{name}={by_state[name]}" for name in STATE_NAMES.values())
    return [("beans equal ledger sum for every user", mismatched == 0, f"{mismatched} users differ"),
            ("no negative balance", negative == 0, f"{negative} users negative"),
            ("no gift given twice", twice == 0, f"{twice} gifts with two received or promised drifts"),
            ("no gift promised twice", promised_twice == 0,
             f"{promised_twice} gifts with two accepted/mailed/problem drifts"),
            ("every given gift has its received or refunded drift", launched_without == 0,
             f"{launched_without} gifts"),
            ("every drift charged once; closed ones refunded once or rewarded once", not wrong_settlement,
             f"{len(wrong_settlement)} drifts (id, state, charged, refunded, rewarded) {wrong_settlement[:5]}"),
            ("closed_at set exactly on closed drifts", not wrong_closed_at, f"{len(wrong_closed_at)} drifts"),
            ("no drift outlived its deadline (waiting, accepted, mailed after the sweeps)", not overdue,
             f"{overdue} drifts still open with a deadline"),
            ("mailing details erased only from closed drifts", erased_open == 0, f"{erased_open} open drifts"),
            ("drifts by state", True, summary)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--database", choices=("mysql", "sqlite"), default="mysql")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=None,
                        help="seconds every drift deadline lasts (default: a quarter of the duration, at least 2)")
    args = parser.parse_args(argv)
    deadline = args.deadline or max(2.0, args.duration / 4)
    settings = deadline_settings(deadline)

    db_url = prepare_database(args.database, args.clients)
    books = isbns(db_url)[:60]
    proc, base = start_server(db_url, args.workers, settings)
    actions, sweeps, stop = Counter(), Counter(), threading.Event()
    sweeps_thread = threading.Thread(target=sweeper, args=(db_url, settings, stop, 0.5, sweeps))
    try:
        started = time.monotonic()
        sweeps_thread.start()
        try:
            statuses, latencies, problems = run_load(base, args.clients, args.duration, books, actions)
            elapsed = time.monotonic() - started
            time.sleep(deadline + 1)  # the clients stopped: the sweeps settle what is left
        finally:
            stop.set()
            sweeps_thread.join()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    total = sum(statuses.values())
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(f"soak: {args.clients} clients, {elapsed:.0f} s, {args.database}, {args.workers} gunicorn workers")
    print(f"requests: {total} ({total / elapsed:.0f}/s); p50 {quantiles[49] * 1000:.1f} ms, "
          f"p99 {quantiles[98] * 1000:.1f} ms")
    print("statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items(), key=str)))
    print("actions: " + ", ".join(f"{a} {st}={n}" for (a, st), n in sorted(actions.items(), key=str)))
    print("sweeps: " + ", ".join(f"{k}={v}" for k, v in sorted(sweeps.items())))
    checks = [("zero 5xx or failed requests", not problems, f"{len(problems)} problems {problems[:3]}"),
              ("every sweep ran without an error", sweeps["errors"] == 0 and sweeps["runs"] > 0,
               f"{sweeps['runs']} runs, {sweeps['errors']} errors")]
    checks += check_invariants(db_url)
    failed = False
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + ("" if ok and name != "drifts by state" else f": {detail}"))
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

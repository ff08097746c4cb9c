"""Load and soak check: many concurrent users browse, list gifts and wishes and
move drifts along against fisher under gunicorn, then the database is checked.

    python -m pipenv run python bench/soak.py [--clients 50] [--duration 60]
           [--database mysql|sqlite] [--workers 2]

Checks after the run: zero 5xx answers, every user's beans equal the sum of
their ledger rows, no gift given twice, no negative balance. Exits non-zero
when a check fails. Traffic goes only to the loopback server it starts.
"""
import argparse
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


def start_server(db_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "FISHER_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
           "FISHER_SECRET_KEY": "soak-secret-" + "x" * 20, "FISHER_SQLALCHEMY_DATABASE_URI": db_url,
           "FISHER_LOGIN_RATE_LIMIT": "100000 per minute", "FISHER_ALLOW_PER_WORKER_LIMITS": "true",
           "GUNICORN_ACCESS_LOG": "/dev/null",
           "FISHER_OUTBOX_DIR": tempfile.mkdtemp(prefix="fisher-soak-outbox-")}
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

    def __init__(self, base: str, index: int, books: list[str], record):
        self.base, self.index, self.books, self.record = base, index, books, record
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
        elif roll < 0.70:
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
        page = self.call("GET", "/pending")
        actions = re.findall(r'action="(/drift/\d+/(?:mailed|reject|withdraw))"', page.text if page is not None else "")
        if actions:
            self.post(self.rng.choice(actions))


def run_load(base: str, clients: int, duration: float, books: list[str]) -> tuple[Counter, list, list]:
    statuses, latencies, problems = Counter(), [], []
    lock = threading.Lock()

    def record(status, seconds, path, detail):
        with lock:
            statuses[status] += 1
            latencies.append(seconds)
            if status == "error" or (isinstance(status, int) and status >= 500):
                problems.append((status, path, detail))

    people = [Client(base, i, books, record) for i in range(clients)]
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
        twice = scalar("""SELECT COUNT(*) FROM (SELECT gift_id FROM drift WHERE pending = 2
            GROUP BY gift_id HAVING COUNT(*) > 1) AS t""")
        launched_without = scalar("""SELECT COUNT(*) FROM gift g WHERE g.launched = 1 AND NOT EXISTS
            (SELECT 1 FROM drift d WHERE d.gift_id = g.id AND d.pending = 2)""")
        totals = conn.execute(sa.text("SELECT pending, COUNT(*) FROM drift GROUP BY pending")).all()
    engine.dispose()
    summary = ", ".join(f"{ {1: 'waiting', 2: 'mailed', 3: 'rejected', 4: 'withdrawn'}[p]}={n}" for p, n in totals)
    return [("beans equal ledger sum for every user", mismatched == 0, f"{mismatched} users differ"),
            ("no negative balance", negative == 0, f"{negative} users negative"),
            ("no gift given twice", twice == 0, f"{twice} gifts with two successful drifts"),
            ("every given gift has its successful drift", launched_without == 0, f"{launched_without} gifts"),
            ("drifts by state", True, summary)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--database", choices=("mysql", "sqlite"), default="mysql")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    db_url = prepare_database(args.database, args.clients)
    books = isbns(db_url)[:60]
    proc, base = start_server(db_url, args.workers)
    try:
        started = time.monotonic()
        statuses, latencies, problems = run_load(base, args.clients, args.duration, books)
        elapsed = time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    total = sum(statuses.values())
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(f"soak: {args.clients} clients, {elapsed:.0f} s, {args.database}, {args.workers} gunicorn workers")
    print(f"requests: {total} ({total / elapsed:.0f}/s); p50 {quantiles[49] * 1000:.1f} ms, "
          f"p99 {quantiles[98] * 1000:.1f} ms")
    print("statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items(), key=str)))
    checks = [("zero 5xx or failed requests", not problems, f"{len(problems)} problems {problems[:3]}")]
    checks += check_invariants(db_url)
    failed = False
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + ("" if ok and name != "drifts by state" else f": {detail}"))
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

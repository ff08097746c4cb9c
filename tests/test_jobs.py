"""Mail through the job queue with real parts: `flask jobs worker` processes on a
shared SQLite queue (or Redis), a real SMTP server on loopback, workers killed
mid-queue, two workers at once, and SMTP down for a while."""
import asyncio
import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app import create_app
from app.jobs import jobs_of, run_due
from app.models.base import db
from app.models.notice import MailState, Notice
from app.services import drift as drifts
from tests.conftest import make_config
from tests.db_servers import need_redis
from tests.helpers import DRIFT_FORM, SANTI, add_books, make_gift, make_user
from tests.live import free_port

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = re.compile(r"#drift-(\d+)")


class Mailbox:
    """An SMTP handler that records each message's drift anchor; ``rcpt_delay``
    holds every message at RCPT (before any data is sent), so a worker killed
    while it waits has not delivered that message."""

    def __init__(self, rcpt_delay: float = 0.0):
        self.rcpt_delay = rcpt_delay
        self.anchors = []
        self.waiting_at_rcpt = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_delay:
            self.waiting_at_rcpt.set()
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.anchors.extend(ANCHOR.findall(envelope.content.decode("utf-8", "replace"))[:1])
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.anchors)

    def wait_for(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= n:
                return True
            time.sleep(0.05)
        return self.count() >= n


def _smtp(mailbox: Mailbox, port: int) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture
def site(tmp_path):
    """An app on a SQLite file shared with worker processes, its queue on a
    SQLite file (or what ``queue_url`` says), and a way to start workers."""
    workers = []

    def build(queue_url=None, mail_port=None, **extra):
        settings = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fisher.sqlite'}",
            "JOBS_QUEUE": queue_url or f"sqlite:///{tmp_path / 'jobs.sqlite'}",
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": mail_port or free_port(),
            "MAIL_CLAIM_SECONDS": 2, "MAIL_RETRY_DELAY": 1, "MAIL_RETRY_MAX_DELAY": 2,
            "MAIL_SWEEP_GRACE_SECONDS": 0, **extra}
        app = create_app(make_config(tmp_path, **settings))
        with app.app_context():
            db.create_all()

        def start_worker(threads: int = 1) -> subprocess.Popen:
            env = {**os.environ, "TEST_INSTANCE_PATH": str(tmp_path / "instance"),
                   "FISHER_SECRET_KEY": "test-only-secret", "FISHER_LOAD_BUNDLED_CATALOG": "false"}
            env.update({f"FISHER_{key}": str(value) for key, value in settings.items()})
            (tmp_path / "instance").mkdir(exist_ok=True)
            proc = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "tests.gunicorn_app", "jobs", "worker",
                 "--workers", str(threads)], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"worker{len(workers)}.log", "wb"))
            workers.append(proc)
            return proc

        return app, start_worker

    yield build
    for proc in workers:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _requests(app, n: int) -> list[int]:
    """``n`` readers each ask for the one gift; each request is a notice for the
    gifter whose mail is queued after its commit. Returns the drift ids."""
    with app.app_context():
        add_books()
        gifter = make_user("gifter", "gifter@example.com")
        gift = make_gift(gifter, SANTI)
        return [drifts.request_gift(make_user(f"reader{i}", f"reader{i}@example.com", beans=1),
                                    gift.id, dict(DRIFT_FORM)).id for i in range(n)]


def _exactly_once(mailbox: Mailbox, drift_ids: list[int]) -> None:
    assert collections.Counter(map(int, mailbox.anchors)) == collections.Counter(drift_ids)


def _mail_states(app) -> set:
    with app.app_context():
        return set(db.session.scalars(select(Notice.mail_state)))


def test_a_worker_process_sends_every_queued_mail_once(site):
    """Thirty requests committed on the web side reach the gifter through a worker process, each once."""
    mailbox, port = Mailbox(), free_port()
    app, start_worker = site(mail_port=port)
    controller = _smtp(mailbox, port)
    try:
        ids = _requests(app, 30)
        start_worker(threads=2)
        assert mailbox.wait_for(30, timeout=30)
        time.sleep(0.5)
        _exactly_once(mailbox, ids)
        assert _mail_states(app) == {MailState.SENT}
    finally:
        controller.stop()


def test_a_worker_killed_mid_queue_loses_and_repeats_nothing(site):
    """kill -9 while a message waits at SMTP: after a restart and the sweep every mail arrives exactly once."""
    mailbox, port = Mailbox(rcpt_delay=0.4), free_port()
    app, start_worker = site(mail_port=port)
    controller = _smtp(mailbox, port)
    try:
        ids = _requests(app, 12)
        worker = start_worker()
        assert mailbox.wait_for(4, timeout=30)
        mailbox.waiting_at_rcpt.clear()
        assert mailbox.waiting_at_rcpt.wait(10)  # the next message is held before its data
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        sent_before = mailbox.count()
        assert sent_before < 12
        start_worker()
        time.sleep(2.5)  # the dead worker's claim lapses (MAIL_CLAIM_SECONDS=2)
        with app.app_context():
            run_due()  # the sweep: the lost job's notice is still due
        assert mailbox.wait_for(12, timeout=40)
        time.sleep(1)
        _exactly_once(mailbox, ids)
        assert _mail_states(app) == {MailState.SENT}
    finally:
        controller.stop()


def test_two_workers_on_doubled_jobs_send_each_mail_once(site):
    """Every notice's job queued twice (as a sweep racing the commit would) and two workers at once: no duplicates."""
    mailbox, port = Mailbox(), free_port()
    app, start_worker = site(mail_port=port)
    controller = _smtp(mailbox, port)
    try:
        ids = _requests(app, 20)
        with app.app_context():
            assert run_due(queue=True)["mail_requeued"] == 20
            assert len(jobs_of(app).huey) == 40
        start_worker(threads=2)
        start_worker(threads=2)
        assert mailbox.wait_for(20, timeout=30)
        time.sleep(1.5)
        _exactly_once(mailbox, ids)
    finally:
        controller.stop()


def test_mail_waits_out_an_smtp_outage_and_arrives_once(site):
    """With SMTP down the worker retries with backoff; once SMTP is back every mail arrives, once."""
    mailbox, port = Mailbox(), free_port()
    app, start_worker = site(mail_port=port)
    ids = _requests(app, 3)
    start_worker()
    with app.app_context():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not db.session.scalar(
                select(Notice.mail_error).where(Notice.mail_error != "").limit(1)):
            db.session.rollback()
            time.sleep(0.2)
            db.session.expire_all()
        assert "ConnectionRefusedError" in db.session.scalar(select(Notice.mail_error).limit(1))
    controller = _smtp(mailbox, port)
    try:
        assert mailbox.wait_for(3, timeout=30)
        time.sleep(1)
        _exactly_once(mailbox, ids)
        assert _mail_states(app) == {MailState.SENT}
    finally:
        controller.stop()


def test_mail_committed_while_the_queue_was_down_goes_out_from_the_sweep(site, caplog):
    """A notice whose job could not be queued (Redis down) is still due, and the sweep sends it."""
    mailbox, port = Mailbox(), free_port()
    app, _ = site(queue_url=f"redis://127.0.0.1:{free_port()}/0", mail_port=port)
    controller = _smtp(mailbox, port)
    try:
        ids = _requests(app, 2)
        assert "mail not queued" in caplog.text
        assert _mail_states(app) == {MailState.DUE}
        with app.app_context():
            app.config["JOBS_QUEUE"] = "immediate"
            app.extensions.pop("fisher_jobs")
            assert run_due()["mail_sent"] == 2
        _exactly_once(mailbox, ids)
    finally:
        controller.stop()


def test_workers_share_a_redis_queue(site):
    """On Redis (production) a worker process sends what the web side queued, each once."""
    url = need_redis().rsplit("/", 1)[0] + "/13"
    import redis

    redis.Redis.from_url(url).flushdb()
    mailbox, port = Mailbox(), free_port()
    app, start_worker = site(queue_url=url, mail_port=port)
    controller = _smtp(mailbox, port)
    try:
        ids = _requests(app, 10)
        start_worker(threads=2)
        assert mailbox.wait_for(10, timeout=30)
        time.sleep(0.5)
        _exactly_once(mailbox, ids)
    finally:
        controller.stop()
        redis.Redis.from_url(url).flushdb()

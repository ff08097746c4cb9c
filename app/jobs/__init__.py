"""The job queue: Huey, a small, well-kept task queue with durable storage in
SQLite (the embedded default: a file in the instance folder, nothing else to
run) or Redis (production, shared by every web and worker process).

Jobs: one notice's email, one account email, and the periodic sweep
(``run_due``) every minute -- drift deadlines and reminders, the erasure of
old mailing details, and re-queueing notice mail whose job was lost. Every
job is safe to run twice or on two workers at once; the rules that make it
so live in the services it calls.

``JOBS_QUEUE`` picks the storage: None (SQLite in the instance folder),
``sqlite:////path/to/jobs.sqlite``, ``redis://host:port/db``, or
``immediate`` (run each job at once in the caller, no storage: the tests).
``python fisher.py`` runs the consumer in-process (``start_in_process``);
production runs ``flask jobs worker`` beside gunicorn."""
import os
import threading
from dataclasses import dataclass
from functools import wraps

from flask import current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask

from app.libs.email import PermanentMailError, deliver
from app.libs.email import reason as error_reason


@dataclass
class Jobs:
    huey: object
    notice_mail: object
    account_mail: object
    sweep: object


def _make_huey(app):
    url = app.config.get("JOBS_QUEUE")
    if url == "immediate":
        return MemoryHuey("fisher", immediate=True, results=False)
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("fisher", url=url, results=False)
    if url and url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
    elif url:
        raise ValueError(f"JOBS_QUEUE {url!r} is not sqlite:///…, redis://… or immediate")
    else:
        path = os.path.join(app.instance_path, "jobs.sqlite")
    _private_file(path)
    return SqliteHuey("fisher", filename=path, results=False, timeout=app.config["JOBS_SQLITE_TIMEOUT"])


def _private_file(path: str) -> None:
    """Create the queue's SQLite file 0600 before SQLite would make it world-readable."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


_building = threading.Lock()


def _build(app) -> Jobs:
    huey = _make_huey(app)

    def in_app(func):
        @wraps(func)
        def run(*args):
            with app.app_context():
                return func(*args)
        return run

    def notice_mail(nid: int) -> str:
        from app.services.notice_mail import deliver_notice

        outcome = deliver_notice(nid)
        if outcome.status == "retry":
            raise RetryTask(delay=outcome.delay)
        return outcome.status

    def account_mail(to: str, subject: str, text: str, html: str) -> None:
        try:
            deliver(app, to, subject, text, html)
        except PermanentMailError as exc:
            app.logger.error("mail to %s given up: %s", to, exc)
        except Exception as exc:  # noqa: BLE001 - logged, then retried by the queue
            app.logger.warning("mail to %s failed (%s); the queue retries it", to, error_reason(exc))
            raise

    jobs = Jobs(
        huey=huey,
        notice_mail=huey.task(name="notice_mail")(in_app(notice_mail)),
        account_mail=huey.task(name="account_mail", retries=app.config["MAIL_MAX_ATTEMPTS"] - 1,
                               retry_delay=app.config["MAIL_RETRY_DELAY"], retry_backoff=2)(
            in_app(account_mail)),
        sweep=huey.periodic_task(crontab(), name="sweep")(in_app(lambda: run_due(queue=True))),
    )
    return jobs


def jobs_of(app=None) -> Jobs:
    """The app's queue and its jobs, built on first use (so an app that never
    queues anything never creates the queue's file)."""
    app = app or current_app._get_current_object()
    jobs = app.extensions.get("fisher_jobs")
    if jobs is None:
        with _building:
            jobs = app.extensions.get("fisher_jobs")
            if jobs is None:
                jobs = app.extensions["fisher_jobs"] = _build(app)
    return jobs


def queue_notice_mail(nid: int) -> None:
    """Hand a committed notice's email to the queue. A queue that cannot be
    reached loses nothing: the notice stays due and the sweep finds it."""
    try:
        jobs_of().notice_mail(nid)
    except Exception as exc:  # noqa: BLE001 - the change is committed; the sweep sends it later
        current_app.logger.error("notice %s mail not queued (%s); the sweep will", nid, error_reason(exc))


def queue_account_mail(to: str, subject: str, text: str, html: str) -> None:
    try:
        jobs_of().account_mail(to, subject, text, html)
    except Exception as exc:  # noqa: BLE001 - the page still answers; the user can ask again
        current_app.logger.error("mail to %s not queued (%s)", to, error_reason(exc))


def run_due(queue: bool = False) -> dict:
    """Every due sweep once. Notice mail whose job was lost is queued again
    (``queue``, from the periodic job) or sent here and now (the CLI)."""
    from app.services.drift_deadlines import run_drift_sweeps
    from app.services.notice_mail import deliver_notice, stale_due

    counts = run_drift_sweeps()
    cfg = current_app.config
    if queue:
        ids = stale_due(cfg["MAIL_SWEEP_GRACE_SECONDS"])
        for nid in ids:
            queue_notice_mail(nid)
        counts["mail_requeued"] = len(ids)
    else:
        outcomes = [deliver_notice(nid).status for nid in stale_due(0)]
        counts["mail_sent"] = outcomes.count("sent")
        counts["mail_retry"] = outcomes.count("retry")
        counts["mail_failed"] = outcomes.count("failed")
    return counts


def make_consumer(app, workers: int | None = None):
    return jobs_of(app).huey.create_consumer(
        workers=workers or app.config["JOBS_WORKERS"], worker_type="thread", periodic=True,
        check_worker_health=True)


def start_in_process(app):
    """Run the consumer's scheduler and worker threads inside this process
    (``python fisher.py``), without taking over its signals; daemon threads,
    so stopping the server stops them. Returns the consumer."""
    consumer = make_consumer(app)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()
    return consumer

"""``flask catalog ...`` commands."""
import os
import sys

import click
from flask.cli import AppGroup

from app.services.catalog import import_file

catalog_cli = AppGroup("catalog", help="Manage the local book catalog.")
SHOWN_REJECTS = 50


@catalog_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path):
    """Import books from a JSON Lines file (one book object a line)."""
    with click.progressbar(length=os.path.getsize(path), label="Importing",
                           file=sys.stderr) as bar:
        report = import_file(path, progress=bar.update)
    for number, reason in report.rejected[:SHOWN_REJECTS]:
        click.echo(f"line {number}: rejected: {reason}")
    if len(report.rejected) > SHOWN_REJECTS:
        click.echo(f"... and {len(report.rejected) - SHOWN_REJECTS} more rejected lines")
    click.echo(f"imported: {report.imported}, updated: {report.updated}, "
               f"rejected: {len(report.rejected)}")


mail_cli = AppGroup("mail", help="Outgoing mail.")


@mail_cli.command("failed")
def failed_command():
    """List notice mail the queue gave up on, newest first."""
    from app.services.notice_mail import failed_mail

    rows = failed_mail()
    for notice in rows:
        click.echo(f"notice {notice.id} to user {notice.uid} ({notice.kind}), "
                   f"{notice.mail_attempts} attempts: {notice.mail_error}")
    click.echo(f"failed: {len(rows)}")


@mail_cli.command("retry")
def retry_command():
    """Queue every given-up notice mail again (after fixing its cause)."""
    from app.jobs import queue_notice_mail
    from app.services.notice_mail import requeue_failed

    ids = requeue_failed()
    for nid in ids:
        queue_notice_mail(nid)
    click.echo(f"queued again: {len(ids)}")


jobs_cli = AppGroup("jobs", help="The background job queue.")


@jobs_cli.command("run-due")
def run_due_command():
    """Run every due sweep once, here and now (for cron and for tests)."""
    from app.jobs import run_due

    counts = run_due()
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=0, help="Worker threads (default JOBS_WORKERS).")
def worker_command(workers):
    """Consume the queue and run the periodic sweeps until stopped (SIGINT
    finishes the running jobs, SIGTERM stops at once)."""
    import logging

    from flask import current_app

    from app.jobs import make_consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    make_consumer(current_app._get_current_object(), workers or None).run()


drifts_cli = AppGroup("drifts", help="Drifts (鱼漂) an operator looks after.")


@drifts_cli.command("resolve")
@click.argument("drift_id", type=int)
@click.option("--refund", "outcome", flag_value="refund", help="Give the requester's bean back.")
@click.option("--complete", "outcome", flag_value="complete", help="Settle it as received.")
def resolve_command(drift_id, outcome):
    """Settle a drift whose requester reported a problem."""
    from app.services.drift_deadlines import resolve
    from app.services.errors import ServiceError

    if outcome is None:
        raise click.UsageError("say --refund or --complete")
    try:
        drift = resolve(drift_id, outcome)
    except ServiceError as exc:
        raise click.ClickException(exc.message or f"no drift {drift_id}") from None
    click.echo(f"drift {drift.id}: {drift.pending_status.name.lower()}")


covers_cli = AppGroup("covers", help="Book covers kept on the site.")


@covers_cli.command("fetch")
@click.option("--limit", type=int, default=0, help="At most this many covers (0: all).")
def fetch_covers_command(limit):
    """Download the covers of books whose image lies on another host."""
    from app.services.covers import fetch_missing_covers

    stored, failed = fetch_missing_covers(limit)
    for isbn, reason in failed[:SHOWN_REJECTS]:
        click.echo(f"{isbn}: {reason}")
    click.echo(f"stored: {stored}, failed: {len(failed)}")

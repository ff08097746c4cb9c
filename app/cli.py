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


@mail_cli.command("retry")
def retry_command():
    """Send again the messages whose delivery failed (outbox/failed/)."""
    from app.services.mail_retry import retry_failed

    sent, failed = retry_failed()
    click.echo(f"sent: {sent}, still failing: {failed}")


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

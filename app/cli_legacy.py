"""``flask legacy import SOURCE_URL``: bring over an original 鱼书 database."""
import click
from flask.cli import AppGroup

legacy_cli = AppGroup("legacy", help="Bring over a database of the original 鱼书 (the course's code).")


@legacy_cli.command("import")
@click.argument("source_url")
@click.option("--dry-run", is_flag=True, help="Show what would come over; write nothing.")
def import_command(source_url, dry_run):
    """Import users, books, gifts, wishes and drifts from SOURCE_URL (an
    SQLAlchemy URL, e.g. mysql+pymysql://user:pw@host/fisher_old). Safe to
    run again: rows already brought over are skipped."""
    from app.services.legacy_import import import_legacy
    from app.services.legacy_source import SourceError

    try:
        summary = import_legacy(source_url, dry_run=dry_run)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    if dry_run:
        click.echo("dry run: nothing was written")
    for line in summary.lines():
        click.echo(line)

"""``flask books ...``: an operator looks after the books people added by hand."""
import click
from flask.cli import AppGroup

from app.forms.book import names
from app.libs.helper import normalize_isbn

books_cli = AppGroup("books", help="Books people added by hand (contributed books).")



def _isbn(text: str) -> str:
    isbn = normalize_isbn(text)
    if isbn is None:
        raise click.BadParameter(f"{text!r} is not a valid ISBN")
    return isbn


@books_cli.command("contributed")
def contributed_command():
    """List the contributed books, newest first."""
    from app.services.contributed import contributed_books

    rows = contributed_books()
    for book, user in rows:
        added = book.create_time.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{book.isbn}  {added}  {user.nickname} <{user.email}>  {book.title}")
    click.echo(f"{len(rows)} contributed books")


@books_cli.command("edit")
@click.argument("isbn")
@click.option("--author", "authors", help="Authors, separated by 、 or commas.")
@click.option("--translator", "translators", help="Translators, separated by 、 or commas.")
@click.option("--title")
@click.option("--subtitle")
@click.option("--publisher")
@click.option("--pubdate")
@click.option("--pages")
@click.option("--price")
@click.option("--binding")
@click.option("--summary")
def edit_command(isbn, authors, translators, **texts):
    """Correct any book's fields (those given; the rest stay)."""
    from app.models.base import db
    from app.models.book import Book
    from app.services.contributed import edit_book
    from app.services.errors import ServiceError
    from sqlalchemy import select

    isbn = _isbn(isbn)
    book = db.session.scalar(select(Book).where(Book.isbn == isbn))
    if book is None:
        raise click.ClickException(f"no book {isbn}")
    record = book.to_dict()
    record.update({name: value for name, value in texts.items() if value is not None})
    if authors is not None:
        record["author"] = names(authors)
    if translators is not None:
        record["translator"] = names(translators)
    try:
        edit_book(None, isbn, record)
    except ServiceError as exc:
        raise click.ClickException(exc.message or f"no book {isbn}") from None
    click.echo(f"{isbn}: saved")


@books_cli.command("remove")
@click.argument("isbn")
def remove_command(isbn):
    """Delete a contributed book that no gift, wish or drift refers to."""
    from app.services.contributed import remove_book
    from app.services.errors import NotFound, ServiceError

    isbn = _isbn(isbn)
    try:
        remove_book(isbn)
    except NotFound:
        raise click.ClickException(f"no contributed book {isbn}") from None
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{isbn}: removed")

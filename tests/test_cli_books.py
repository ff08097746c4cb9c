"""``flask books contributed|edit|remove``: an operator looking after the books
people added by hand."""
import pytest
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.services.contributed import add_book
from tests.helpers import SANTI, book_record, make_gift, make_user, make_wish, unchanged

NEW = "9787111111115"


@pytest.fixture
def contributed(app, books):
    """爱丽丝 added one book by hand; returns her."""
    alice = make_user("爱丽丝", "alice@example.com")
    add_book(alice, book_record(NEW, "手工添加的书", author=["某人"]))
    return alice


def book(isbn=NEW):
    db.session.expire_all()
    return db.session.scalar(select(Book).where(Book.isbn == isbn))


def test_contributed_lists_book_and_contributor(runner, contributed):
    """The list names each contributed book with who added it, and no catalog book."""
    result = runner.invoke(args=["books", "contributed"])
    assert result.exit_code == 0
    assert NEW in result.output and "爱丽丝 <alice@example.com>" in result.output
    assert SANTI not in result.output and "1 contributed books" in result.output


def test_edit_changes_only_the_given_fields(runner, contributed):
    """--title and --author change those fields; the rest stay."""
    result = runner.invoke(args=["books", "edit", "978-7-111-11111-5", "--title", "改过的书名",
                                 "--author", "甲、乙"])
    assert result.exit_code == 0, result.output
    assert (book().title, book().author) == ("改过的书名", ["甲", "乙"])


def test_edit_works_even_when_others_rely_on_the_book(runner, contributed):
    """The operator may correct a book that other users already list."""
    make_gift(make_user("鲍勃"), NEW)
    assert runner.invoke(args=["books", "edit", NEW, "--title", "更正"]).exit_code == 0
    assert book().title == "更正"


@pytest.mark.parametrize("args, message", [
    (["books", "edit", "9787111111116", "--title", "x"], "not a valid ISBN"),
    (["books", "edit", "9787302123453", "--title", "x"], "no book"),
    (["books", "edit", NEW, "--title", ""], "title"),
])
def test_edit_refuses_bad_input(runner, contributed, args, message):
    """A bad ISBN, an unknown book or an empty title change nothing and say why."""
    with unchanged():
        result = runner.invoke(args=args)
    assert result.exit_code != 0 and message in result.output


def test_remove_deletes_book_and_cover(app, runner, contributed, tmp_path):
    """Removing an unused contributed book deletes it and its cover file."""
    covers = tmp_path / "covers"
    covers.mkdir()
    app.config["COVERS_DIR"] = str(covers)
    (covers / f"{NEW}.jpg").write_bytes(b"\xff\xd8\xff")
    result = runner.invoke(args=["books", "remove", NEW])
    assert result.exit_code == 0, result.output
    assert book() is None and not (covers / f"{NEW}.jpg").exists()


@pytest.mark.parametrize("relies", [make_gift, make_wish])
def test_remove_is_refused_while_something_refers_to_it(runner, contributed, relies):
    """A book a gift or wish refers to (even a withdrawn one) is not removed."""
    relies(contributed, NEW, deleted=True)
    with unchanged():
        result = runner.invoke(args=["books", "remove", NEW])
    assert result.exit_code != 0 and "不能删除" in result.output


def test_remove_refuses_catalog_books(runner, contributed):
    """Books that came from the catalog are not the operator's to remove here."""
    with unchanged():
        result = runner.invoke(args=["books", "remove", SANTI])
    assert result.exit_code != 0 and "no contributed book" in result.output

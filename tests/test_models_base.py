"""Soft delete on every ORM read path, and auto_commit's rollback."""
import pytest
from sqlalchemy import func, select

from app.models.base import db
from app.models.book import Book
from tests.helpers import HUOZHE, SANTI, add_books


@pytest.fixture
def deleted(books):
    """The book 三体, soft-deleted and committed; returns its id."""
    book = db.session.scalar(select(Book).where(Book.isbn == SANTI))
    with db.auto_commit():
        book.delete()
    return book.id


def test_delete_keeps_the_row(deleted):
    """delete() only flips status; the row is still there when asked for."""
    row = db.session.execute(
        select(Book).where(Book.id == deleted).execution_options(include_deleted=True)).scalar_one()
    assert row.status == 0


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.LegacyAPIWarning")
def test_hidden_from_legacy_query(deleted):
    """Model.query.filter_by / filter / get do not see the deleted row."""
    assert Book.query.filter_by(isbn=SANTI).first() is None
    assert Book.query.filter(Book.isbn == SANTI).first() is None
    assert Book.query.get(deleted) is None


def test_hidden_from_select_and_counts(deleted):
    """select() and count queries, including over subqueries, skip it."""
    assert db.session.scalars(select(Book).where(Book.isbn == SANTI)).first() is None
    live = db.session.scalar(select(func.count()).select_from(Book))
    sub = select(Book).subquery()
    assert db.session.scalar(select(func.count()).select_from(sub)) == live
    assert live == 5


def test_a_statement_built_once_hides_a_row_deleted_later(books):
    """A statement run again after a row was deleted (its copy with the rule kept) no longer returns the row."""
    statement = select(Book.isbn).where(Book.isbn.in_([SANTI, HUOZHE])).order_by(Book.isbn)
    assert db.session.scalars(statement).all() == sorted([SANTI, HUOZHE])
    with db.auto_commit():
        db.session.scalar(select(Book).where(Book.isbn == SANTI)).delete()
    assert db.session.scalars(statement).all() == [HUOZHE]


def test_statements_built_per_call_leave_no_copy_behind(books):
    """The copies of statements that carry the rule go when their statements do (no growth per request)."""
    import gc

    from app.models.base import _live_copies
    gc.collect()
    before = len(_live_copies)  # the statements built once, by whichever tests ran before
    for i in range(200):
        db.session.scalars(select(Book).where(Book.id == i)).all()
    gc.collect()
    assert len(_live_copies) <= before


def test_hidden_from_session_get_even_when_loaded(deleted):
    """session.get / get_or_404 answer None for a deleted row already in the identity map."""
    assert db.session.get(Book, deleted) is None
    from werkzeug.exceptions import NotFound
    with pytest.raises(NotFound):
        db.get_or_404(Book, deleted)


def test_hidden_from_paginate(deleted):
    """db.paginate counts and lists only live rows."""
    page = db.paginate(select(Book).order_by(Book.id), page=1, per_page=10, error_out=False)
    assert page.total == 5 and all(b.id != deleted for b in page.items)


def test_hidden_from_relationships(app):
    """A relationship load does not return deleted rows."""
    from app.models.gift import Gift
    from app.models.user import User
    add_books()
    with db.auto_commit():
        user = User(nickname="张三", email="z@example.com")
        user.password = "secret123"
        db.session.add(user)
        db.session.flush()
        db.session.add_all([Gift(uid=user.id, isbn=SANTI), Gift(uid=user.id, isbn=HUOZHE)])
    gift = db.session.scalar(select(Gift).where(Gift.isbn == SANTI))
    with db.auto_commit():
        gift.delete()
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert [g.isbn for g in user.gifts] == [HUOZHE]
    assert gift.book.title == "三体"  # the viewonly book relationship still resolves



def test_auto_commit_rolls_back_and_reraises(books):
    """An error inside auto_commit rolls everything back and propagates."""
    with pytest.raises(RuntimeError):
        with db.auto_commit():
            db.session.scalar(select(Book).where(Book.isbn == SANTI)).title = "changed"
            raise RuntimeError("boom")
    db.session.expire_all()
    assert db.session.scalar(select(Book.title).where(Book.isbn == SANTI)) == "三体"

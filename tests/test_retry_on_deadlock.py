"""retry_on_deadlock: a unit of work that loses a lock conflict runs again from
the start, a bounded number of times; what outlives the retries is a 409."""
import sqlite3
from contextlib import contextmanager

import pymysql
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.models.base import db
from app.models.unit_of_work import is_lock_conflict, retry_on_deadlock
from app.models.gift import Gift
from app.models.user import User
from tests.helpers import SANTI, add_books, login_client, make_user


def deadlock() -> OperationalError:
    """The error PyMySQL raises when MariaDB picks the unit of work as a deadlock victim."""
    return OperationalError("UPDATE user ...", {}, pymysql.err.OperationalError(
        1213, "Deadlock found when trying to get lock; try restarting transaction"))


def counting_unit(fail_times: int, error=deadlock):
    """A unit of work that adds a user, then fails with ``error`` on its first
    ``fail_times`` runs; ``unit.runs`` counts the runs."""
    @retry_on_deadlock
    def unit():
        unit.runs += 1
        with db.auto_commit():
            db.session.add(User(nickname=f"u{unit.runs}", email=f"u{unit.runs}@example.com",
                                _password="x"))
            db.session.flush()
            if unit.runs <= fail_times:
                raise error()
    unit.runs = 0
    return unit


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_deadlock_reruns_the_whole_unit(app):
    """Two deadlocks, then success: three runs from the start, and only the last
    run's row is committed (the failed runs were rolled back)."""
    unit = counting_unit(fail_times=2)
    unit()
    assert unit.runs == 3
    assert db.session.scalars(select(User.nickname)).all() == ["u3"]


def test_gives_up_after_the_configured_retries(app_factory):
    """A deadlock every time: 1 + DATABASE_DEADLOCK_RETRIES runs, then the error is raised."""
    app = app_factory(DATABASE_DEADLOCK_RETRIES=2)
    with app.app_context():
        unit = counting_unit(fail_times=99)
        with pytest.raises(OperationalError) as raised:
            unit()
        assert unit.runs == 3 and is_lock_conflict(raised.value)
        assert users() == 0


def test_other_database_errors_are_not_retried(app):
    """A lost connection (2013) is an outage, not a lock conflict: one run, raised."""
    lost = lambda: OperationalError("SELECT 1", {}, pymysql.err.OperationalError(  # noqa: E731
        2013, "Lost connection to MySQL server during query"))
    unit = counting_unit(fail_times=1, error=lost)
    with pytest.raises(OperationalError):
        unit()
    assert unit.runs == 1


def test_a_unit_that_committed_is_never_rerun(app):
    """A conflict after the commit (say while sending the mail) does not run the
    unit again, so the mail goes out once."""
    sent = []

    @retry_on_deadlock
    def request_and_mail():
        with db.auto_commit():
            db.session.add(User(nickname="u", email="u@example.com", _password="x"))
        sent.append("mail")
        raise deadlock()

    with pytest.raises(OperationalError):
        request_and_mail()
    assert sent == ["mail"] and users() == 1


def test_lock_conflicts_are_recognised():
    """MySQL 1213 and 1205 and SQLite's "database is locked" are lock conflicts; a
    lost connection or a bad statement is not."""
    def wrapped(orig):
        return OperationalError("UPDATE ...", {}, orig)

    assert is_lock_conflict(deadlock())
    assert is_lock_conflict(wrapped(pymysql.err.OperationalError(1205, "Lock wait timeout exceeded")))
    assert is_lock_conflict(wrapped(sqlite3.OperationalError("database is locked")))
    assert not is_lock_conflict(wrapped(pymysql.err.OperationalError(2006, "MySQL server has gone away")))
    assert not is_lock_conflict(wrapped(sqlite3.OperationalError("no such table: user")))
    assert not is_lock_conflict(ValueError("1213"))


@contextmanager
def user_row_locked(uid: int):
    """Another connection holds the user's row (MariaDB) or the write lock (SQLite)."""
    if db.engine.url.get_backend_name() == "sqlite":
        other = sqlite3.connect(db.engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with db.engine.connect() as other:
        other.execute(select(User.id).where(User.id == uid).with_for_update())
        try:
            yield
        finally:
            other.rollback()


def test_lock_held_past_the_retries_is_a_409_not_an_outage(app_factory):
    """A user row locked elsewhere past every retry: the gift is not listed and
    the answer is 409 "please try again", not the database-down 503."""
    app = app_factory(DATABASE_LOCK_WAIT_TIMEOUT=1, DATABASE_DEADLOCK_RETRIES=1)
    with app.app_context():
        add_books()
        alice = make_user("爱丽丝")
        client = login_client(app, alice)
        with user_row_locked(alice.id):
            resp = client.post(f"/gifts/book/{SANTI}")
        body = resp.get_data(as_text=True)
        assert resp.status_code == 409 and "请稍等片刻再试一次" in body
        assert "服务暂时不可用" not in body
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(Gift)) == 0
        assert client.post(f"/gifts/book/{SANTI}").status_code == 302  # free again

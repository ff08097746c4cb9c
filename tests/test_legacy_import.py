"""``flask legacy import``: an original 鱼书 database (on MariaDB) comes over
with its passwords, beans, deleted rows and states, once, and a dry run
writes nothing. Fisher's own database is SQLite or FISHER_TEST_DATABASE_URL."""
import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.bean_ledger import BeanLedger, BeanReason, ledger_sum
from app.models.book import Book
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.legacy_import import LegacyImport
from app.models.user import User
from app.models.wish import Wish
from tests.helpers import SANTI, UNKNOWN_VALID_ISBN, beans_of, make_user, snapshot, unchanged
from tests.legacy_db import BAD_SOURCE_BOOK, MADE_UTC, OLD_PASSWORD, ROWS, SOURCE_ONLY, build_legacy_db


@pytest.fixture(scope="module")
def source_url():
    """The original-schema source database, built once for the module (the import only reads it)."""
    return build_legacy_db()


def _import(runner, url, *extra):
    result = runner.invoke(args=["legacy", "import", url, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _rows(model, **where):
    db.session.expire_all()
    return db.session.scalars(select(model).filter_by(**where).order_by(model.id)
                              .execution_options(include_deleted=True)).all()


def _new_id(table, legacy_id):
    return db.session.scalar(select(LegacyImport.new_id).where(
        LegacyImport.table_name == table, LegacyImport.legacy_id == legacy_id))


def _user(legacy_id):
    return db.session.get(User, _new_id("user", legacy_id), execution_options={"include_deleted": True})


def test_summary_counts_every_table_and_names_each_skipped_row(books, runner, source_url):
    """The summary gives counts per table and every row left behind, with its reason."""
    out = _import(runner, source_url)
    assert "user: 4 imported, 1 skipped" in out
    assert "book: 1 imported, 2 skipped" in out
    assert "gift: 3 imported, 1 skipped" in out
    assert "wish: 2 imported, 3 skipped" in out
    assert "drift: 4 imported, 1 skipped" in out
    assert "skipped user 4: email alice@example.com (after normalising) is legacy user 1's" in out
    assert f"skipped book {UNKNOWN_VALID_ISBN}: no book source knows it" in out
    assert f"skipped wish 2: no book found for ISBN {UNKNOWN_VALID_ISBN}" in out
    assert (f"skipped book {BAD_SOURCE_BOOK}: the source's book 2 is invalid (title is required); "
            "no book source knows it") in out
    assert "skipped wish 5: invalid ISBN 'not-an-isbn'" in out
    assert "skipped gift 4: its user 4 was not brought over" in out
    assert "skipped drift 5: its requester 4 was not brought over" in out


def test_users_keep_email_deletion_time_and_beans_as_a_ledger_row(books, runner, source_url):
    """Emails are normalised, the deleted user stays deleted, and each balance is one opening ledger row."""
    _import(runner, source_url)
    alice, carol = _user(1), _user(3)
    assert alice.email == "alice@example.com" and alice.create_time == MADE_UTC
    assert carol.status == 0 and User.by_email("carol@example.com") is None
    for legacy in ROWS["user"]:
        if legacy["id"] == 4:
            continue
        user = _user(legacy["id"])  # the deleted one too
        balance, ledger = user.beans, ledger_sum(user.id)
        assert balance == ledger and float(balance) == legacy["beans"]
    assert str(beans_of(alice)[0]) == "0.5"
    reasons = db.session.scalars(select(BeanLedger.reason).where(BeanLedger.uid == alice.id)).all()
    assert reasons == [BeanReason.LEGACY_OPENING]
    assert _rows(BeanLedger, uid=_user(5).id) == []  # no beans, no row


def test_gifts_wishes_and_books_keep_their_states(books, runner, source_url):
    """A given gift stays given, a deleted one deleted; the source-only book is in the catalog."""
    _import(runner, source_url)
    given, deleted = db.session.get(Gift, _new_id("gift", 2)), _rows(Gift, id=_new_id("gift", 3))[0]
    assert given.launched and given.isbn == SOURCE_ONLY and given.uid == _user(2).id
    assert deleted.status == 0 and db.session.get(Gift, deleted.id) is None
    book = db.session.scalar(select(Book).where(Book.isbn == SOURCE_ONLY))
    assert book.title == "只在旧库里的书" and book.author == ["旧作者"] and book.pages == "120"
    fulfilled = db.session.get(Wish, _new_id("wish", 3))
    assert fulfilled.launched and fulfilled.uid == _user(1).id
    assert [w.isbn for w in _rows(Wish)] == [SANTI, SOURCE_ONLY]


def test_each_drift_state_maps_to_fishers_lifecycle(books, runner, source_url):
    """waiting stays open (WAITING), success → RECEIVED, reject → REJECTED, redraw → WITHDRAWN."""
    _import(runner, source_url)
    states = {legacy: db.session.get(Drift, _new_id("drift", legacy)) for legacy in (1, 2, 3, 4)}
    assert {k: d.pending_status for k, d in states.items()} == {
        1: PendingStatus.WAITING, 2: PendingStatus.RECEIVED,
        3: PendingStatus.REJECTED, 4: PendingStatus.WITHDRAWN}
    assert states[1].pending_status.is_open and states[1].closed_at is None
    assert states[1].moved_at > MADE_UTC  # its answer window starts at the import
    assert all(d.closed_at == MADE_UTC for k, d in states.items() if k != 1)
    assert {d.gift_id for d in states.values()} == {_new_id("gift", 1), _new_id("gift", 2)}
    assert all(d.requester_id == _user(1).id and d.gifter_id == _user(2).id for d in states.values())


def test_old_password_logs_in_through_the_form_and_is_rehashed(app, books, runner, auth, source_url):
    """The pbkdf2 hash verifies at /login, then is replaced by one of PASSWORD_HASH_METHOD."""
    _import(runner, source_url)
    old_hash = _user(1).password
    assert old_hash.startswith("pbkdf2:sha256:") and check_password_hash(old_hash, OLD_PASSWORD)
    resp = auth.login(email="ALICE@example.com", password=OLD_PASSWORD)
    assert resp.status_code == 302
    db.session.expire_all()
    new_hash = _user(1).password
    assert new_hash != old_hash and new_hash.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert check_password_hash(new_hash, OLD_PASSWORD)


def test_wrong_password_and_a_current_hash_are_not_rewritten(app, books, auth):
    """A failed login rewrites nothing, nor does a login whose hash already uses the method."""
    auth.register(email="eve@example.com", nickname="伊芙", password="pass-4-eve")
    auth.logout()
    with unchanged():
        assert auth.login(email="eve@example.com", password="wrong-one").status_code == 200
    stored = User.by_email("eve@example.com").password
    assert auth.login(email="eve@example.com", password="pass-4-eve").status_code == 302
    db.session.expire_all()
    assert User.by_email("eve@example.com").password == stored


def test_second_run_changes_nothing(books, runner, source_url):
    """Run again, the import finds everything already there and writes nothing."""
    _import(runner, source_url)
    with unchanged():
        out = _import(runner, source_url)
    assert "user: 4 already imported, 1 skipped" in out
    assert "drift: 4 already imported, 1 skipped" in out


def test_dry_run_reports_the_same_and_writes_nothing(books, runner, source_url):
    """--dry-run shows the summary a real run would give and rolls everything back."""
    with unchanged():
        dry = _import(runner, source_url, "--dry-run")
    assert dry.startswith("dry run: nothing was written\n")
    assert dry.split("\n", 1)[1] == _import(runner, source_url)


def test_an_email_already_registered_here_is_reported_and_its_rows_skipped(books, runner, source_url):
    """A legacy account whose address fisher already has is not merged into it."""
    mine = make_user("本站鲍勃", "bob@example.com")
    out = _import(runner, source_url)
    assert "skipped user 2: email bob@example.com is already registered here" in out
    assert "skipped gift 1: its user 2 was not brought over" in out
    assert beans_of(mine) == (0, 0) and _rows(Gift, uid=mine.id) == []


def test_unreachable_source_fails_cleanly_and_writes_nothing(books, runner, source_url):
    """A source that cannot be read is an error message, not a traceback, and no write."""
    bad = source_url.replace(source_url.rsplit("/", 1)[1].split("?")[0], "no_such_legacy_db")
    before = snapshot()
    result = runner.invoke(args=["legacy", "import", bad])
    assert result.exit_code == 1 and "cannot read the source database" in result.output
    result = runner.invoke(args=["legacy", "import", "not a url"])
    assert result.exit_code == 1 and "bad source URL" in result.output
    assert snapshot() == before

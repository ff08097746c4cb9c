"""Files in instance/ that hold mail or data are readable by their owner only."""
import os
import stat

import pytest
from sqlalchemy import text

from app import create_app
from app.models.base import db
from tests.helpers import add_books
from tests.live import free_port


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """A typical umask (022), under which files default to world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_outbox_folder_and_messages_are_private(app_factory, tmp_path):
    """The outbox is created 0700 and each .eml (it may hold a reset link) 0600."""
    outbox = tmp_path / "instance-like" / "outbox"
    app = app_factory(OUTBOX_DIR=str(outbox))
    with app.app_context():
        client = app.test_client()
        client.post("/register", data={"email": "alice@example.com", "nickname": "爱丽丝", "password": "secret123"})
        client.post("/logout")
        client.post("/reset/password", data={"email": "alice@example.com"})
    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    assert mode(outbox) == 0o700 and mode(files[0]) == 0o600


def test_job_queue_file_is_private_and_made_only_when_used(app_factory, tmp_path):
    """The queue's SQLite file (it holds unsent mail) is created 0600, and only once
    something is queued."""
    path = tmp_path / "jobs.sqlite"
    app = app_factory(JOBS_QUEUE=f"sqlite:///{path}", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context():
        client = app.test_client()
        client.post("/register", data={"email": "alice@example.com", "nickname": "爱丽丝", "password": "secret123"})
        client.post("/logout")
        assert not path.exists()
        client.post("/reset/password", data={"email": "alice@example.com"})
    assert path.exists() and mode(path) == 0o600


def test_sqlite_database_and_its_wal_files_are_private(tmp_path):
    """The SQLite file is created 0600, and SQLite gives its -wal and -shm files the same mode."""
    path = tmp_path / "fisher.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        add_books()
        with db.engine.connect() as conn:  # the WAL files exist while a connection is open
            conn.execute(text("SELECT count(*) FROM book"))
            companions = [f"{path}-wal", f"{path}-shm"]
            assert all(os.path.exists(p) for p in companions)
            assert [mode(path), *map(mode, companions)] == [0o600, 0o600, 0o600]
        db.engine.dispose()


def test_existing_sqlite_file_keeps_its_mode(tmp_path):
    """A database file the operator made is opened as it is: only new files are created private."""
    path = tmp_path / "shared.sqlite"
    path.touch(mode=0o640)
    os.chmod(path, 0o640)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    assert mode(path) == 0o640

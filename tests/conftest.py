"""Shared fixtures: a fresh app and database per test, a client, a runner, a
loopback SMTP server. The fixture plugins in tests/fixtures/ (users, a
Yushu-backed app, an app on Open Library and Google Books) load from here, and
the run fails if it left a new file in the repository's instance/.

Set FISHER_TEST_DATABASE_URL (e.g. mysql+pymysql://root@127.0.0.1:3306/test
?charset=utf8mb4) to run against MariaDB/MySQL instead of a SQLite file.
"""
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.models.base import db
from tests.helpers import add_books
from tests.db_servers import ensure_database, per_worker_database
from tests.live import free_port

# Keep test files (each test's SQLite database, outbox, covers) in memory
# where the machine has a tmpfs: a SQLite commit's fsync then costs nothing,
# which takes a third off the run. FISHER_TEST_TMP_ON_DISK=1 keeps them in /tmp.
_SHM = Path("/dev/shm")
if _SHM.is_dir() and os.access(_SHM, os.W_OK) and not os.environ.get("FISHER_TEST_TMP_ON_DISK"):
    tempfile.tempdir = str(_SHM)

TEST_DB_URL = per_worker_database(os.environ.get("FISHER_TEST_DATABASE_URL"))
REPO_INSTANCE = Path(__file__).resolve().parent.parent / "instance"

pytest_plugins = ["tests.fixtures.users", "tests.fixtures.api", "tests.fixtures.yushu", "tests.fixtures.remote_sources"]


def _files_under(folder: Path) -> set:
    return {path for path in folder.rglob("*") if not path.is_dir()} if folder.is_dir() else set()


@pytest.fixture(scope="session", autouse=True)
def server_database_exists():
    """On MariaDB, create the test database when it is missing (each xdist
    worker has one of its own, named after FISHER_TEST_DATABASE_URL's)."""
    if TEST_DB_URL and not TEST_DB_URL.startswith("sqlite"):
        ensure_database(TEST_DB_URL)


@pytest.fixture(scope="session", autouse=True)
def repository_instance_untouched():
    """Fail the run if it left a new file (a secret, a database, a mail) in the
    repository's instance/ folder: tests keep what they write under tmp_path."""
    before = _files_under(REPO_INSTANCE)
    yield
    new = sorted(str(path.relative_to(REPO_INSTANCE)) for path in _files_under(REPO_INSTANCE) - before)
    assert not new, f"the tests wrote into the repository's instance/: {new}"


def make_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DB_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "LOAD_BUNDLED_CATALOG": False,
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "EMAIL_VERIFICATION": False,  # test_settings.py turns it on; elsewhere sign-ups are verified
        "JOBS_QUEUE": "immediate",  # each job runs at once in the caller; test_jobs.py runs real workers
        "PAGE_CACHE_TTL": 0,  # test_page_cache.py turns it on
        "YUSHU_RETRIES": 0,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # still scrypt, cheap enough for tests
        "REGISTER_RATE_LIMIT": "1000 per hour",  # tests register many users from one address
        "WISH_IMPORT_RATE_LIMIT": "1000 per hour",  # test_wish_import.py sets a low one to check it
        "YUSHU_CONNECT_TIMEOUT": 1.0,
        "YUSHU_READ_TIMEOUT": 1.0,
        "BOOK_HTTP_RETRIES": 0,
        "BOOK_HTTP_CONNECT_TIMEOUT": 1.0,
        "BOOK_HTTP_READ_TIMEOUT": 1.0,
    }
    config.update(overrides)
    return config


class FreshContextClient(FlaskClient):
    """Runs every request in its own app context, as a real server does, so
    ``g`` (Flask-Login's cached user) and the database session are never
    shared between requests even while a test holds an app context open."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _empty_tables() -> None:
    """Delete every row (children first): much faster than dropping and
    re-creating the schema on a server database."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


_schema_is_fresh = False


def _fresh_schema_once() -> None:
    """Drop and re-create the server database's tables once per run, so a
    schema change (a new column, a collation) reaches a database kept from an
    earlier run; later tests only empty the tables."""
    global _schema_is_fresh
    if not _schema_is_fresh:
        db.drop_all()
        _schema_is_fresh = True
    db.create_all()


def _is_server(app) -> bool:
    """A server database (MariaDB), shared between tests: emptied before and after."""
    return not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """An empty SQLite database with every table, made once per run: each
    test starts from a copy of it, which takes a millisecond where creating
    the schema (some 180 statements, each its own transaction) takes 0.15 s."""
    folder = tmp_path_factory.mktemp("schema")
    app = create_app(make_config(folder))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()  # the last connection closes: the WAL is checkpointed into the file
    return folder / "test.sqlite"


@pytest.fixture
def app_factory(tmp_path, sqlite_schema):
    """Build an app with extra config on an empty database."""
    made = []
    own_file = tmp_path / "test.sqlite"

    def build(**overrides):
        config = make_config(tmp_path, **overrides)
        if config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{own_file}" and not own_file.exists():
            shutil.copyfile(sqlite_schema, own_file)
        app = create_app(config)
        app.test_client_class = FreshContextClient
        with app.app_context():
            if _is_server(app):
                _fresh_schema_once()
                _empty_tables()
            else:
                db.create_all()  # a no-op on the copied schema
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            if _is_server(app):
                _empty_tables()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def books(app):
    """The sample books in the local catalog."""
    add_books()



class AuthActions:
    """Register, log in and out through the real forms."""

    def __init__(self, client):
        self._client = client

    def register(self, email="alice@example.com", nickname="爱丽丝", password="secret123"):
        return self._client.post("/register", data={
            "email": email, "nickname": nickname, "password": password})

    def login(self, email="alice@example.com", password="secret123", **extra):
        return self._client.post("/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


class SmtpSink:
    """Messages received by the loopback SMTP server."""

    def __init__(self):
        import queue
        self.messages = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy
        self.messages.put(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def next(self, timeout=5.0):
        """The next message, waiting for the background sender."""
        return self.messages.get(timeout=timeout)


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; yields (sink, port)."""
    from aiosmtpd.controller import Controller

    port = free_port()
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def mail_app(app_factory, smtp_server):
    """An app sending mail to the loopback SMTP server."""
    sink, port = smtp_server
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.smtp_sink = sink
    with app.app_context():
        yield app

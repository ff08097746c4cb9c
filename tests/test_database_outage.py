"""A database that disappears or stops answering: every request ends, with the
friendly 503, for visitors and logged-in users alike.

The MariaDB tests reach the server through tests/tcp_proxy.py, which can
freeze (connections stay open, no byte moves) or refuse connections.
"""
import re
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.models.base import db
from tests.db_servers import need_mysql
from tests.helpers import SANTI, add_books, register
from tests.tcp_proxy import TcpProxy

DOWN = "服务暂时不可用"
# Generous: with 2-second timeouts an answer takes about 4-6 s; the point is that it comes.
BOUND = 20


def answer_within(call, seconds=BOUND):
    """The result of ``call`` run on a thread; fails if it is still waiting after ``seconds``."""
    box = {}

    def run():
        try:
            box["result"] = call()
        except Exception as exc:  # noqa: BLE001 - reported below
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"no answer after {seconds} s: the request hangs"
    if "error" in box:
        raise box["error"]
    return box["result"], time.monotonic() - started


def assert_down(resp):
    assert resp.status_code == 503, resp.status_code
    assert DOWN in resp.get_data(as_text=True)


@pytest.fixture
def tcp_proxy():
    url = sa.make_url(need_mysql())
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 3306).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def proxied_app(tcp_proxy, app_factory):
    """An app on MariaDB through the proxy, with 2-second database timeouts."""
    url = sa.make_url(need_mysql()).set(host="127.0.0.1", port=tcp_proxy.port)
    app = app_factory(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False),
                      DATABASE_CONNECT_TIMEOUT=2, DATABASE_READ_TIMEOUT=2,
                      DATABASE_WRITE_TIMEOUT=2, DATABASE_LOCK_WAIT_TIMEOUT=1,
                      DATABASE_POOL_TIMEOUT=2, HEALTHZ_TIMEOUT=1)
    with app.app_context():
        add_books()
    yield app
    tcp_proxy.forward()  # app_factory's clean-up goes through the proxy


def test_logged_in_user_gets_503_when_the_sqlite_file_is_gone(app_factory, tmp_path):
    """With the SQLite file's folder gone, a logged-in user's pages and posts answer
    the friendly 503 (the error page never asks the database for the user)."""
    (tmp_path / "data").mkdir()
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/data/fisher.sqlite")
    with app.app_context():
        add_books()
    client = register(app.test_client(), "alice@example.com", "爱丽丝")
    with app.app_context():
        db.engine.dispose()
    (tmp_path / "data").rename(tmp_path / "moved")
    try:
        for path in ("/", "/pending", "/my/gifts", f"/book/{SANTI}/detail"):
            assert_down(client.get(path))
        assert_down(client.post(f"/gifts/book/{SANTI}"))
    finally:
        (tmp_path / "moved").rename(tmp_path / "data")


def test_logged_in_user_gets_503_when_mariadb_refuses(proxied_app, tcp_proxy):
    """MariaDB refusing connections: a logged-in user gets the friendly 503 on
    pages and posts, and the site works again once it is back."""
    client = register(proxied_app.test_client(), "alice@example.com", "爱丽丝")
    tcp_proxy.refuse()
    for path in ("/", "/pending", "/my/gifts"):
        assert_down(answer_within(lambda: client.get(path))[0])
    assert_down(answer_within(lambda: client.post(f"/gifts/book/{SANTI}"))[0])
    tcp_proxy.forward()
    assert client.get("/pending").status_code == 200


def test_frozen_mariadb_ends_every_request_with_503(proxied_app, tcp_proxy):
    """MariaDB that stops answering mid-connection: pages (logged in or not) and
    /healthz end with 503 within the timeouts instead of hanging, and recover."""
    client = register(proxied_app.test_client(), "alice@example.com", "爱丽丝")
    visitor = proxied_app.test_client()
    assert client.get("/pending").status_code == 200
    tcp_proxy.freeze()
    for who, path in ((client, "/pending"), (client, "/"), (visitor, "/")):
        assert_down(answer_within(lambda: who.get(path))[0])
    health, took = answer_within(lambda: visitor.get("/healthz"))
    assert health.status_code == 503 and health.get_json() == {"status": "unavailable"}
    assert took < 10, took  # its own 1-second timeout: well under the pages' budget
    tcp_proxy.forward()
    assert visitor.get("/healthz").status_code == 200
    assert client.get("/pending").status_code == 200


def test_no_free_connection_is_503(app_factory):
    """With every pooled connection taken, a request waits DATABASE_POOL_TIMEOUT and
    answers the friendly 503."""
    app = app_factory(SQLALCHEMY_DATABASE_URI=need_mysql(), DATABASE_POOL_TIMEOUT=1,
                      SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})
    with app.app_context():
        add_books()
        taken = db.engine.connect()
    try:
        assert_down(answer_within(lambda: app.test_client().get("/"))[0])
    finally:
        taken.close()
    assert app.test_client().get("/").status_code == 200


def failing_after_user_is_loaded(engine, error_class):
    """Make the first statement on the gift table fail with ``error_class``;
    returns the list of statements run after that failure."""
    after = []

    def before(conn, cursor, statement, params, context, executemany):
        if after or re.search(r"FROM\s+[`\"]?gift[`\"]?", statement):
            after.append(statement)
            if len(after) == 1:
                raise error_class(statement, params, Exception("server has gone away"))

    event.listen(engine, "before_cursor_execute", before)
    return after, lambda: event.remove(engine, "before_cursor_execute", before)


def test_db_down_page_asks_the_database_nothing(app):
    """After the database fails mid-request, the 503 page runs no statement at all."""
    client = register(app.test_client(), "alice@example.com", "爱丽丝")
    statements, restore = failing_after_user_is_loaded(db.engine, OperationalError)
    try:
        resp = client.get("/my/gifts")
    finally:
        restore()
    assert_down(resp)
    assert len(statements) == 1, statements[1:]


def test_server_error_page_shows_the_user_from_memory(app_factory):
    """A 500 caused by a database error shows the logged-in user's nav, read from
    memory: no statement runs after the failure."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    client = register(app.test_client(), "alice@example.com", "爱丽丝")
    with app.app_context():
        statements, restore = failing_after_user_is_loaded(db.engine, ProgrammingError)
    try:
        resp = client.get("/my/gifts")
    finally:
        with app.app_context():
            restore()
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "服务器出错了" in body and "爱丽丝" in body
    assert len(statements) == 1, statements[1:]

"""Reaching the MariaDB and Redis servers that CI provides on loopback.

Under pytest-xdist each worker process (gw0, gw1, ...) gets a database of its
own (``test`` becomes ``test_gw0``...) and a Redis database number of its own,
so tests running at the same time in two workers never share rows or keys.
"""
import os
import socket

import pytest
from sqlalchemy import make_url


def worker_number() -> int | None:
    """This pytest-xdist worker's number (gw1 -> 1), None outside xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def per_worker_database(url: str | None) -> str | None:
    """A MySQL URL with this worker's own database name (SQLite and no-xdist: as given)."""
    number = worker_number()
    if not url or number is None or url.startswith("sqlite"):
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database or 'test'}_gw{number}").render_as_string(hide_password=False)


def _per_worker_redis(url: str) -> str:
    number = worker_number()
    return url if number is None else f"{url.rsplit('/', 1)[0]}/{number}"


MYSQL_URL = per_worker_database(
    os.environ.get("FISHER_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"))
REDIS_URL = _per_worker_redis(os.environ.get("FISHER_REDIS_URL", "redis://127.0.0.1:6379/0"))


_mysql_ready = False


def _port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def need_mysql() -> str:
    """The MariaDB URL, or skip the test when no server answers."""
    global _mysql_ready
    if not _port_open("127.0.0.1", 3306):
        pytest.skip("MariaDB is not reachable on 127.0.0.1:3306 (it runs in CI)")
    if not _mysql_ready:
        ensure_database(MYSQL_URL)
        _mysql_ready = True
    return MYSQL_URL


def scratch_database_name(purpose: str) -> str:
    """A database name of its own for a test that creates and drops one,
    derived from the test database's name, so runs against different test
    databases (several checkouts on one server) never drop each other's."""
    return f"{make_url(MYSQL_URL).database or 'test'}_{purpose}"


def need_redis() -> str:
    """The Redis URL, or skip the test when no server answers."""
    if not _port_open("127.0.0.1", 6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379 (it runs in CI)")
    return REDIS_URL


def ensure_database(url: str) -> None:
    """Create the MySQL database ``url`` names when it is missing (a worker's own)."""
    import sqlalchemy as sa

    parsed = make_url(url)
    admin = sa.create_engine(parsed._replace(database=None))  # URL.set() ignores None
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS `{parsed.database}` CHARACTER SET utf8mb4"))
    finally:
        admin.dispose()

"""Reaching the MariaDB and Redis servers that CI provides on loopback."""
import os
import socket

import pytest

MYSQL_URL = os.environ.get("FISHER_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4")
REDIS_URL = os.environ.get("FISHER_REDIS_URL", "redis://127.0.0.1:6379/0")


def _port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def need_mysql() -> str:
    """The MariaDB URL, or skip the test when no server answers."""
    if not _port_open("127.0.0.1", 3306):
        pytest.skip("MariaDB is not reachable on 127.0.0.1:3306 (it runs in CI)")
    return MYSQL_URL


def scratch_database_name(purpose: str) -> str:
    """A database name of its own for a test that creates and drops one,
    derived from the test database's name, so runs against different test
    databases (several checkouts on one server) never drop each other's."""
    from sqlalchemy import make_url

    return f"{make_url(MYSQL_URL).database or 'test'}_{purpose}"


def need_redis() -> str:
    """The Redis URL, or skip the test when no server answers."""
    if not _port_open("127.0.0.1", 6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379 (it runs in CI)")
    return REDIS_URL

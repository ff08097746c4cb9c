"""Shared fixtures: a fresh app and database per test, a client, a runner.

Set FISHER_TEST_DATABASE_URL (e.g. mysql+pymysql://root@127.0.0.1:3306/test
?charset=utf8mb4) to run against MariaDB/MySQL instead of a SQLite file.
"""
import os

import pytest

from app import create_app
from app.models.base import db
from tests.helpers import add_books

TEST_DB_URL = os.environ.get("FISHER_TEST_DATABASE_URL")


def make_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DB_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "LOAD_BUNDLED_CATALOG": False,
        "YUSHU_RETRIES": 0,
        "YUSHU_CONNECT_TIMEOUT": 1.0,
        "YUSHU_READ_TIMEOUT": 1.0,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_factory(tmp_path):
    """Build an app with extra config; its database is created and dropped."""
    made = []

    def build(**overrides):
        app = create_app(make_config(tmp_path, **overrides))
        with app.app_context():
            db.drop_all()
            db.create_all()
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            db.drop_all()
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


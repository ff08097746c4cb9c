"""Migrations build the same schema as the models, and go down again, on SQLite and MariaDB."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.models.base import db
from tests.db_servers import need_mysql, scratch_database_name

SCRATCH_DB = scratch_database_name("migrations")


def _mysql_scratch_url() -> str:
    """A scratch MariaDB database, dropped and created afresh."""
    url = sa.make_url(need_mysql())
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {SCRATCH_DB}"))
        conn.execute(sa.text(f"CREATE DATABASE {SCRATCH_DB} CHARACTER SET utf8mb4"))
    engine.dispose()
    return url.set(database=SCRATCH_DB).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "mysql"])
def migration_app(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite'}" if request.param == "sqlite" else _mysql_scratch_url()
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        yield app
        db.engine.dispose()


def test_upgrade_matches_models_and_downgrade_empties(migration_app):
    """upgrade head leaves no difference from the models; downgrade base removes every table."""
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        tables = set(sa.inspect(conn).get_table_names())
    assert diff == []
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}


def test_mysql_tables_are_innodb_utf8mb4(tmp_path):
    """On MariaDB every migrated table is InnoDB with utf8mb4 and stores emoji and Chinese."""
    url = _mysql_scratch_url()
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        rows = db.session.execute(sa.text(
            "SELECT table_name, engine, table_collation FROM information_schema.tables "
            "WHERE table_schema = :s AND table_name != 'alembic_version'"), {"s": SCRATCH_DB}).all()
        assert rows and all(engine == "InnoDB" and collation.startswith("utf8mb4") for _, engine, collation in rows)
        from tests.helpers import SANTI, add_books
        add_books([{"isbn": SANTI, "title": "三体 🚀", "author": ["刘慈欣"]}])
        assert db.session.scalar(sa.text("SELECT title FROM book")) == "三体 🚀"
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()


def _email_collation(conn) -> str | None:
    if conn.dialect.name not in ("mysql", "mariadb"):
        return None
    return conn.execute(sa.text(
        "SELECT collation_name FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND table_name = 'user' AND column_name = 'email'")).scalar()


def test_0005_stores_canonical_emails_and_compares_them_exactly(migration_app):
    """0005 puts stored addresses in canonical form (a taken one is left alone), makes
    user.email utf8mb4_bin on MariaDB, and its downgrade restores the table's collation."""
    upgrade(revision="0004")
    rows = {1: "Victim@Example.COM", 2: "ｂｏｂ@example.com", 3: "carol@example.com"}
    with db.engine.begin() as conn:
        before = _email_collation(conn)
        if before is None:  # SQLite compares exactly already, so this row can exist there
            rows[4] = "CAROL@example.com "
        for uid, email in rows.items():
            conn.execute(sa.text("INSERT INTO user (id, nickname, email, password, create_time) "
                                 "VALUES (:id, :nick, :email, 'x', '2026-01-01 00:00:00')"),
                         {"id": uid, "nick": f"u{uid}", "email": email})
    upgrade()
    with db.engine.connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT id, email FROM user")).all())
        collation = _email_collation(conn)
    assert stored == {**rows, 1: "victim@example.com", 2: "bob@example.com"}
    assert collation in (None, "utf8mb4_bin")
    downgrade(revision="0004")
    with db.engine.connect() as conn:
        assert _email_collation(conn) == before
    downgrade(revision="base")

"""The database object ``db`` (import it from here, and only from here), its
``auto_commit`` unit of work, the SQLite connection settings and the
soft-delete rule. Infrastructure only: nothing here imports a model.

Soft delete: every model inherits ``status`` (LIVE 1, DELETED 0). Deleted rows
are hidden from every ORM read -- ``Model.query``, ``select()``,
``db.paginate``, ``session.get`` and relationship loads -- by one
``do_orm_execute`` listener; pass the execution option ``include_deleted=True``
to see them. Bulk ``update()`` statements bypass the listener, so each one
restates the rule by hand (``Model.status == LIVE``) where it matters.
"""
import sqlite3
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy as _SQLAlchemy
from flask_sqlalchemy.query import Query as _Query
from flask_sqlalchemy.session import Session as _Session
from sqlalchemy import MetaData, SmallInteger, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, with_loader_criteria


LIVE, DELETED = 1, 0  # SoftDeleteMixin.status


def utcnow() -> datetime:
    """Naive UTC timestamp (portable across SQLite and MySQL DATETIME)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class SoftDeleteMixin:
    """Columns every model has: creation time and live/deleted status."""

    create_time: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[int] = mapped_column(SmallInteger, default=LIVE, server_default=str(LIVE))

    def delete(self) -> None:
        """Soft-delete: the row stays, every ORM read stops seeing it."""
        self.status = DELETED

    def set_attrs(self, attrs: dict) -> None:
        """Copy matching keys of ``attrs`` onto the model (never ``id``)."""
        for key, value in attrs.items():
            if key != "id" and hasattr(self, key):
                setattr(self, key, value)


def _is_hidden(obj) -> bool:
    return isinstance(obj, SoftDeleteMixin) and obj.status == DELETED


class Query(_Query):
    """Legacy ``Model.query`` class; ``get`` also refuses deleted rows that
    are already in the identity map."""

    def get(self, ident):
        obj = super().get(ident)
        return None if _is_hidden(obj) else obj


class Session(_Session):
    """``session.get`` (and so ``db.get_or_404``) returns None for a deleted
    row even when it is already loaded in the identity map."""

    def get(self, entity, ident, **kwargs):
        obj = super().get(entity, ident, **kwargs)
        options = kwargs.get("execution_options") or {}
        if options.get("include_deleted"):
            return obj
        return None if _is_hidden(obj) else obj


class SQLAlchemy(_SQLAlchemy):
    def init_app(self, app) -> None:
        """Bind to ``app``; a SQLite engine of the app gets the connection
        settings of ``_sqlite_pragmas`` (no other engine in the process does)."""
        super().init_app(app)
        with app.app_context():
            for engine in self.engines.values():
                if engine.dialect.name == "sqlite":
                    event.listen(engine, "connect", _sqlite_pragmas)

    @contextmanager
    def auto_commit(self):
        """One unit of work: commit at the end, or roll back and re-raise.
        Work registered with ``after_commit`` runs once the commit is done,
        and is dropped with a rollback."""
        try:
            yield
            self.session.commit()
        except BaseException:
            self.session.info.pop("after_commit", None)
            self.session.rollback()
            raise
        for call, args in self.session.info.pop("after_commit", []):
            call(*args)

    def after_commit(self, call, *args) -> None:
        """Run ``call(*args)`` after the current unit of work commits (to hand
        work to a queue only once the rows it reads exist for others)."""
        self.session.info.setdefault("after_commit", []).append((call, args))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: WAL so readers never block the writer, and enforced foreign
    keys (the busy timeout, DATABASE_LOCK_WAIT_TIMEOUT, is a connect argument:
    see app/database.py)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


db = SQLAlchemy(model_class=Base, query_class=Query,
                session_options={"class_": Session})


# One option for every statement (made once: building it was a third of a
# small read's cost), and the statements built once (app/models/page_queries)
# keep the copy that carries it.
_LIVE_ONLY = with_loader_criteria(SoftDeleteMixin, lambda cls: cls.status == LIVE, include_aliases=True)
_live_copies: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _live_only(statement):
    try:
        return _live_copies[statement]
    except (KeyError, TypeError):  # not seen yet; not weakly referable
        pass
    live = statement.options(_LIVE_ONLY)
    try:
        _live_copies[statement] = live
    except TypeError:
        pass
    return live


@event.listens_for(Session, "do_orm_execute")
def _hide_deleted(state):
    # Column loads (refreshing one known object) are left alone, so a row
    # deleted in this session can still be read; every other select, lazy
    # relationship loads included, gets the criteria.
    if (state.is_select and not state.is_column_load
            and not state.execution_options.get("include_deleted", False)):
        state.statement = _live_only(state.statement)


@event.listens_for(Session, "after_commit")
def _count_commit(session):
    session.info["commits"] = session.info.get("commits", 0) + 1

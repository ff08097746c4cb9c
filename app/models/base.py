"""The database object, the unit-of-work helpers and the soft-delete rule.

Lock conflicts: every unit of work that locks several user rows locks them in
ascending id order (``lock_user_rows``), which rules out most deadlocks, but
not all: the database may still pick a unit of work as a deadlock victim or
end a long lock wait. ``retry_on_deadlock`` runs such a unit again from the
start.

Soft delete: every model inherits ``status`` (1 live, 0 deleted). Deleted rows
are hidden from every ORM read -- ``Model.query``, ``select()``,
``db.paginate``, ``session.get`` and relationship loads -- by one
``do_orm_execute`` listener; pass the execution option ``include_deleted=True``
to see them.
"""
import random
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import wraps

from flask import current_app
from flask_sqlalchemy import SQLAlchemy as _SQLAlchemy
from flask_sqlalchemy.query import Query as _Query
from flask_sqlalchemy.session import Session as _Session
from sqlalchemy import MetaData, SmallInteger, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, with_loader_criteria


def utcnow() -> datetime:
    """Naive UTC timestamp (portable across SQLite and MySQL DATETIME)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class SoftDeleteMixin:
    """Columns every model has: creation time and live/deleted status."""

    create_time: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")

    def delete(self) -> None:
        """Soft-delete: the row stays, every ORM read stops seeing it."""
        self.status = 0

    def set_attrs(self, attrs: dict) -> None:
        """Copy matching keys of ``attrs`` onto the model (never ``id``)."""
        for key, value in attrs.items():
            if key != "id" and hasattr(self, key):
                setattr(self, key, value)


def _is_hidden(obj) -> bool:
    return isinstance(obj, SoftDeleteMixin) and obj.status == 0


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
    @contextmanager
    def auto_commit(self):
        """One unit of work: commit at the end, or roll back and re-raise."""
        try:
            yield
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base, query_class=Query,
                session_options={"class_": Session})


@event.listens_for(Session, "do_orm_execute")
def _hide_deleted(state):
    # Column loads (refreshing one known object) are left alone, so a row
    # deleted in this session can still be read; every other select, lazy
    # relationship loads included, gets the criteria.
    if (state.is_select and not state.is_column_load
            and not state.execution_options.get("include_deleted", False)):
        state.statement = state.statement.options(with_loader_criteria(
            SoftDeleteMixin, lambda cls: cls.status == 1, include_aliases=True))


@event.listens_for(Session, "after_commit")
def _count_commit(session):
    session.info["commits"] = session.info.get("commits", 0) + 1


def lock_user_row(uid: int) -> None:
    """Start the unit of work by write-locking one user's row, so checks made
    after it see every committed change and concurrent units of work for the
    same user run one after the other (a row lock on MySQL; on SQLite the
    first write takes the database's write lock)."""
    lock_user_rows(uid)


def lock_user_rows(*uids: int) -> None:
    """Write-lock several users' rows, one at a time in ascending id order --
    the one order every unit of work follows, so two of them never hold one
    user each while waiting for the other's."""
    from sqlalchemy import update

    from app.models.user import User

    for uid in sorted(set(uids)):
        db.session.execute(update(User).where(User.id == uid).values(status=User.status)
                           .execution_options(synchronize_session=False))


LOCK_CONFLICT_CODES = {1213, 1205}  # MySQL/MariaDB: deadlock victim, lock wait timeout


def is_lock_conflict(error: Exception) -> bool:
    """A deadlock or lock-wait timeout (MySQL 1213/1205, SQLite "database is
    locked"): the database undid the work, which may simply be tried again."""
    if not isinstance(error, OperationalError):
        return False
    args = getattr(error.orig, "args", None) or (None,)
    return args[0] in LOCK_CONFLICT_CODES or "database is locked" in str(error.orig)


def retry_on_deadlock(unit):
    """Decorate a service function whose unit of work (its ``auto_commit``
    block) may lose a lock conflict: it is rolled back and the whole function
    runs again from the start, up to DATABASE_DEADLOCK_RETRIES more times,
    after a short random pause so the two rivals do not meet again. A run that
    already committed is never repeated, so mail sent after the commit goes
    out once. The last conflict is raised for the caller to answer."""
    @wraps(unit)
    def run(*args, **kwargs):
        retries = current_app.config["DATABASE_DEADLOCK_RETRIES"]
        for attempt in range(retries + 1):
            commits = db.session.info.get("commits", 0)
            try:
                return unit(*args, **kwargs)
            except OperationalError as error:
                if (attempt == retries or not is_lock_conflict(error)
                        or db.session.info.get("commits", 0) != commits):
                    raise
                db.session.rollback()
                current_app.logger.info("lock conflict in %s, retry %d", unit.__name__, attempt + 1)
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
    return run

"""The database object, the unit-of-work helper and the soft-delete rule.

Soft delete: every model inherits ``status`` (1 live, 0 deleted). Deleted rows
are hidden from every ORM read -- ``Model.query``, ``select()``,
``db.paginate``, ``session.get`` and relationship loads -- by one
``do_orm_execute`` listener; pass the execution option ``include_deleted=True``
to see them.
"""
from contextlib import contextmanager
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy as _SQLAlchemy
from flask_sqlalchemy.query import Query as _Query
from flask_sqlalchemy.session import Session as _Session
from sqlalchemy import MetaData, SmallInteger, event
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


def lock_user_row(uid: int) -> None:
    """Start the unit of work by write-locking one user's row, so checks made
    after it see every committed change and concurrent units of work for the
    same user run one after the other (a row lock on MySQL; on SQLite the
    first write takes the database's write lock)."""
    from sqlalchemy import update

    from app.models.user import User

    db.session.execute(update(User).where(User.id == uid).values(status=User.status)
                       .execution_options(synchronize_session=False))

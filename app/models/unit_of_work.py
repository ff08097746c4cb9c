"""Running a unit of work again when it loses a lock conflict.

Every unit of work that locks several user rows locks them in ascending id
order (``models.user.lock_user_rows``), which rules out most deadlocks, but
not all: the database may still pick a unit of work as a deadlock victim or
end a long lock wait. ``retry_on_deadlock`` runs such a unit again from the
start. Infrastructure: it imports no model.
"""
import random
import time
from functools import wraps

from flask import current_app
from sqlalchemy.exc import OperationalError

from app.models.base import db

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

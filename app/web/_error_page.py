"""Rendering an error page that cannot fail on the database.

Every error page rolls the session back first. The navigation bar shows the
logged-in user, and Flask-Login's template context loads that user from the
database if nobody did yet -- which, when the database is what failed,
raises again inside the error handler and leaves the visitor a bare
"Internal Server Error". So the user is settled before rendering:

* after a database or server failure (``database_ok=False``) nothing is
  asked of the database: the nav shows the user as already loaded in this
  request, from memory, or else as a visitor;
* otherwise the user is loaded as usual, and a database error while doing so
  also falls back to a visitor.
"""
from flask import current_app, g, render_template
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable, SQLAlchemyError

from app.models.base import db


class RememberedUser:
    """What the nav shows of a logged-in user, copied from memory."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, uid: int, nickname: str, beans):
        self.id, self.nickname, self.beans = uid, nickname, beans

    def get_id(self) -> str:
        return str(self.id)


def render_error(template: str, code: int, database_ok: bool = True, **context):
    if database_ok:
        _rollback()
        user = _load_user()
    else:
        user = _user_in_memory()
        _rollback()
    g._login_user = user  # Flask-Login's cache: the context processor reads it
    return render_template(template, **context), code


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone; nothing left to undo
        pass


def _anonymous():
    return current_app.login_manager.anonymous_user()


def _user_in_memory():
    """The user loaded earlier in this request, read without a query."""
    try:
        loaded = inspect(g.get("_login_user")).dict
    except NoInspectionAvailable:  # nobody loaded, or a visitor
        return _anonymous()
    if not {"id", "nickname", "beans"} <= loaded.keys():
        return _anonymous()
    return RememberedUser(loaded["id"], loaded["nickname"], loaded["beans"])


def _load_user():
    try:
        user = current_user._get_current_object()
        if user.is_authenticated:
            return RememberedUser(user.id, user.nickname, user.beans)
        return user
    except SQLAlchemyError:
        _rollback()
        return _anonymous()

"""Rendering an error page that cannot fail on the database.

``render_error(code)`` renders ``errors/<code>.html`` for every code the site
answers with a page of its own (400, 404, 409, 413, 429, 500, 503). Every
error page rolls the session back first. The navigation bar shows the
logged-in user, and Flask-Login's template context loads that user from the
database if nobody did yet -- which, when the database is what failed,
raises again inside the error handler and leaves the visitor a bare
"Internal Server Error". So the user is settled before rendering:

* after a database or server failure (500 and 503 unless told otherwise)
  nothing is
  asked of the database: the nav shows the user as already loaded in this
  request, from memory, or else as a visitor;
* otherwise the user is loaded as usual, and a database error while doing so
  also falls back to a visitor.
"""
import math
import time
from datetime import datetime, timezone

from flask import current_app, g, render_template
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable, SQLAlchemyError

from app.extensions import limiter
from app.libs.request_domain import ngettext
from app.models.base import db


class RememberedUser:
    """What the nav shows of a logged-in user, copied from memory, with the
    language and time zone chosen on the account, so that the page's locale
    selector (app/i18n.py) keeps the reader's language without a query."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, uid: int, nickname: str, beans, locale: str | None = None,
                 timezone: str | None = None):
        self.id, self.nickname, self.beans = uid, nickname, beans
        self.locale, self.timezone = locale, timezone

    def get_id(self) -> str:
        return str(self.id)


def _no_counts() -> dict:
    return {}


def render_error(code: int, template: str | None = None, database_ok: bool | None = None,
                 **context):
    """The error page for ``code`` (``errors/<code>.html`` unless another
    ``template`` is named) with ``context``. ``database_ok`` defaults to
    False for 500 and 503: the database may be what failed."""
    if database_ok is None:
        database_ok = code not in (500, 503)
    if database_ok:
        _rollback()
        user = _load_user()
    else:
        user = _user_in_memory()
        _rollback()
        context.setdefault("nav_badge", _no_counts)  # the nav's counts would ask the database
    g._login_user = user  # Flask-Login's cache: the context processor reads it
    return render_template(template or f"errors/{code}.html", **context), code


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
    return RememberedUser(loaded["id"], loaded["nickname"], loaded["beans"], loaded.get("locale"),
                          loaded.get("timezone"))


def _load_user():
    try:
        user = current_user._get_current_object()
        if user.is_authenticated:
            return RememberedUser(user.id, user.nickname, user.beans, user.locale, user.timezone)
        return user
    except SQLAlchemyError:
        _rollback()
        return _anonymous()


def retry_after(error) -> int | None:
    """Seconds until the breached limit resets: from our own 429s (``retry_after``)
    or, for Flask-Limiter's, from the limit it marked breached."""
    retry = getattr(error, "retry_after", None)
    if isinstance(retry, datetime):
        retry = (retry - datetime.now(timezone.utc)).total_seconds()
    if retry is None:
        breached = limiter.current_limit
        retry = breached.reset_at - time.time() if breached and breached.breached else None
    return max(1, math.ceil(retry)) if retry is not None else None


def wait_text(seconds: int | None) -> str | None:
    """"请在约 N 分钟后重试" (or hours for long windows), in the page's language."""
    if not seconds:
        return None
    if seconds >= 90 * 60:
        hours = round(seconds / 3600)
        return ngettext("请在约 %(num)s 小时后重试", "请在约 %(num)s 小时后重试", hours)
    minutes = max(1, round(seconds / 60))
    return ngettext("请在约 %(num)s 分钟后重试", "请在约 %(num)s 分钟后重试", minutes)

"""The single ``web`` blueprint; its views live in the modules imported at
the bottom, and every error handler is defined here, above that import.

One path from an error to a page: the services' NotFound, Refused and
Conflict are answered by the blueprint's handlers below (a view that wants a
flash instead runs the action through ``_actions.run_action``), and every
HTTP error code the site answers itself goes through ``render_error`` --
except under ``/v2/``, the Yushu API's paths, where every error is JSON
(``app/api/errors``).
"""
from flask import Blueprint, current_app, make_response
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.api.errors import api_error, is_api_request
from app.models.unit_of_work import is_lock_conflict
from app.services import errors
from app.spider import BookSourceError
from app.web._error_page import render_error, retry_after, wait_text

web = Blueprint("web", __name__)

CSRF_MESSAGE = _l("页面已过期或表单无效，请刷新页面后重试。")


# -- the services' errors, raised in this blueprint's views -------------------
@web.errorhandler(errors.NotFound)
def service_not_found(_error):
    return render_error(404)


@web.errorhandler(errors.Conflict)
def service_conflict(error):
    return render_error(409, message=error.message or None)


@web.errorhandler(errors.Refused)
def service_refused(error):
    return render_error(400, message=error.message or None)


# -- HTTP errors and failures, wherever they happen ---------------------------
@web.app_errorhandler(400)
@web.app_errorhandler(404)
@web.app_errorhandler(405)
@web.app_errorhandler(409)
@web.app_errorhandler(413)
@web.app_errorhandler(500)
@web.app_errorhandler(503)
def http_error(error):
    """The page for the error's code; a CSRF failure says what to do. A
    wrong method keeps Werkzeug's own answer (with its Allow header)."""
    if is_api_request():
        allowed = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
        return api_error(error.code, headers=allowed)
    if error.code == 405:
        return error
    message = str(CSRF_MESSAGE) if isinstance(error, CSRFError) else None
    return render_error(error.code, message=message)


@web.app_errorhandler(429)
def too_many_requests(error):
    """Say roughly how long to wait, in the page and in Retry-After."""
    seconds = retry_after(error)
    if is_api_request():
        return api_error(429, headers={"Retry-After": str(seconds)} if seconds else None)
    response = make_response(render_error(429, wait=wait_text(seconds)))
    if seconds:
        response.headers["Retry-After"] = str(seconds)
    return response


@web.app_errorhandler(OperationalError)
@web.app_errorhandler(InterfaceError)
@web.app_errorhandler(PoolTimeout)
def database_down(error):
    """The database went away, stopped answering or has no free connection:
    503, rendered without asking it anything. A deadlock or lock wait that
    outlived its retries is no outage: 409, try again."""
    if is_api_request():
        current_app.logger.error("database unavailable: %s", error.__class__.__name__)
        return api_error(503)
    if is_lock_conflict(error):
        current_app.logger.warning("lock conflict after retries: %s", error.__class__.__name__)
        return render_error(409, "errors/busy.html")
    current_app.logger.error("database unavailable: %s", error.__class__.__name__)
    return render_error(503, "errors/db_down.html")


@web.app_errorhandler(BookSourceError)
def book_source_down(error):
    """The book source failed; the database is fine, so the nav loads as usual."""
    current_app.logger.warning("book source failed: %s", error)
    if is_api_request():
        return api_error(503)
    return render_error(503, database_ok=True)


from app.web import (  # noqa: E402,F401
    account_delete, addresses, api_reference, auth, book, contribute, cover, drift, gift, language, main, notices,
    personal, settings, tokens, welcome, wish)

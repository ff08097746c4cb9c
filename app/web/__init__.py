"""The single ``web`` blueprint; its views live in the modules imported below."""
from flask import Blueprint, current_app
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.models.base import is_lock_conflict
from app.spider import BookSourceError
from app.web._error_page import render_error

web = Blueprint("web", __name__)


@web.app_errorhandler(404)
def not_found(_error):
    return render_error("errors/404.html", 404)


@web.app_errorhandler(500)
def server_error(_error):
    return render_error("errors/500.html", 500, database_ok=False)


@web.app_errorhandler(409)
def conflict(error):
    return render_error("errors/409.html", 409, message=getattr(error, "description", None))


@web.app_errorhandler(413)
def too_large(_error):
    return render_error("errors/413.html", 413)


@web.app_errorhandler(CSRFError)
def csrf_failed(_error):
    return render_error("errors/400.html", 400, message="页面已过期或表单无效，请刷新页面后重试。")


@web.app_errorhandler(OperationalError)
@web.app_errorhandler(InterfaceError)
@web.app_errorhandler(PoolTimeout)
def database_down(error):
    """The database went away, stopped answering or has no free connection:
    503, rendered without asking it anything. A deadlock or lock wait that
    outlived its retries is no outage: 409, try again."""
    if is_lock_conflict(error):
        current_app.logger.warning("lock conflict after retries: %s", error.__class__.__name__)
        return render_error("errors/busy.html", 409)
    current_app.logger.error("database unavailable: %s", error.__class__.__name__)
    return render_error("errors/db_down.html", 503, database_ok=False)


@web.app_errorhandler(BookSourceError)
def book_source_down(error):
    current_app.logger.warning("book source failed: %s", error)
    return render_error("errors/503.html", 503)


from app.web import auth, book, drift, gift, main, wish  # noqa: E402,F401


@web.app_errorhandler(429)
def too_many_requests(_error):
    return render_error("errors/429.html", 429)


@web.app_errorhandler(400)
def bad_request(error):
    return render_error("errors/400.html", 400, message=getattr(error, "description", None))


@web.app_context_processor
def navigation():
    """Endpoints the navigation bar may link to."""
    return {"nav_endpoints": current_app.view_functions.keys()}

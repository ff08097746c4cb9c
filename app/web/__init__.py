"""The single ``web`` blueprint; its views live in the modules imported below."""
from flask import Blueprint, current_app, make_response
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
def too_many_requests(error):
    """Say roughly how long to wait, in the page and in Retry-After."""
    seconds = _retry_after(error)
    response = make_response(render_error("errors/429.html", 429, wait=wait_text(seconds)))
    if seconds:
        response.headers["Retry-After"] = str(seconds)
    return response


def _retry_after(error) -> int | None:
    """Seconds until the breached limit resets: from our own 429s (``retry_after``)
    or, for Flask-Limiter's, from the limit it marked breached."""
    import math
    import time
    from datetime import datetime, timezone

    from app.extensions import limiter

    retry = getattr(error, "retry_after", None)
    if isinstance(retry, datetime):
        retry = (retry - datetime.now(timezone.utc)).total_seconds()
    if retry is None:
        breached = limiter.current_limit
        retry = breached.reset_at - time.time() if breached and breached.breached else None
    return max(1, math.ceil(retry)) if retry is not None else None


def wait_text(seconds: int | None) -> str | None:
    """"请在约 N 分钟后重试" (or hours for long windows)."""
    if not seconds:
        return None
    if seconds >= 90 * 60:
        return f"请在约 {round(seconds / 3600)} 小时后重试"
    return f"请在约 {max(1, round(seconds / 60))} 分钟后重试"


@web.app_errorhandler(400)
def bad_request(error):
    return render_error("errors/400.html", 400, message=getattr(error, "description", None))


@web.app_context_processor
def navigation():
    """Endpoints the navigation bar may link to."""
    return {"nav_endpoints": current_app.view_functions.keys()}

"""The single ``web`` blueprint; its views live in the modules imported below."""
from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from app.spider import BookSourceError

web = Blueprint("web", __name__)


@web.app_errorhandler(404)
def not_found(_error):
    return render_template("errors/404.html"), 404


@web.app_errorhandler(500)
def server_error(_error):
    return render_template("errors/500.html"), 500


@web.app_errorhandler(409)
def conflict(error):
    return render_template("errors/409.html", message=getattr(error, "description", None)), 409


@web.app_errorhandler(413)
def too_large(_error):
    return render_template("errors/413.html"), 413


@web.app_errorhandler(CSRFError)
def csrf_failed(_error):
    return render_template("errors/400.html", message="页面已过期或表单无效，请刷新页面后重试。"), 400


@web.app_errorhandler(OperationalError)
def database_down(error):
    """The database went away mid-request: roll back, answer 503."""
    from flask import current_app

    from app.models.base import db

    db.session.rollback()
    current_app.logger.error("database unavailable: %s", error.__class__.__name__)
    return render_template("errors/db_down.html"), 503


@web.app_errorhandler(BookSourceError)
def book_source_down(error):
    from flask import current_app

    current_app.logger.warning("book source failed: %s", error)
    return render_template("errors/503.html"), 503


from app.web import auth, book, drift, gift, main, wish  # noqa: E402,F401


@web.app_errorhandler(429)
def too_many_requests(_error):
    return render_template("errors/429.html"), 429


@web.app_errorhandler(400)
def bad_request(error):
    return render_template("errors/400.html", message=getattr(error, "description", None)), 400


@web.app_context_processor
def navigation():
    """Endpoints the navigation bar may link to."""
    from flask import current_app

    return {"nav_endpoints": current_app.view_functions.keys()}

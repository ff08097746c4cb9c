"""Home page and the health check."""
from flask import current_app, jsonify, render_template

from app.database import database_answers
from app.forms.book import SearchForm
from app.models.page_queries import recent_gifts
from app.view_models.lists import recent_gift_items
from app.web import web
from app.web._page_cache import cached_for_visitors


@web.get("/")
@cached_for_visitors
def index():
    """Search box, introduction and the most recently listed gifts."""
    gifts = recent_gift_items(recent_gifts(current_app.config["RECENT_BOOK_COUNT"]))
    return render_template("main/index.html", form=SearchForm(), recent=gifts)


@web.get("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise (for load balancers),
    within about HEALTHZ_TIMEOUT seconds either way."""
    if not database_answers():
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")

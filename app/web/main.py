"""Home page."""
from flask import current_app, render_template

from app.forms.book import SearchForm
from app.models.trade_queries import recent_gifts
from app.view_models.trade import recent_gift_items
from app.web import web


@web.get("/")
def index():
    """Search box, introduction and the most recently listed gifts."""
    gifts = recent_gift_items(recent_gifts(current_app.config["RECENT_BOOK_COUNT"]))
    return render_template("web/index.html", form=SearchForm(), recent=gifts)

"""Home page."""
from flask import render_template

from app.forms.book import SearchForm
from app.web import web


@web.get("/")
def index():
    return render_template("web/index.html", form=SearchForm())

"""The pages that explain the site: the welcome after registering, and the
rules (about) page linked from every footer. Every number on them is read
from the config, so the pages never disagree with what the services do."""
from flask import current_app, render_template
from flask_login import login_required

from app.forms.book import SearchForm
from app.web import web
from app.web._page_cache import cached_for_visitors

# The settings these pages quote; a template reads them as ``rules.NAME``.
RULE_SETTINGS = ("BEANS_UPLOAD_ONE_BOOK", "DRIFT_RESPONSE_DAYS", "DRIFT_MAIL_DAYS",
                 "DRIFT_RECEIVE_DAYS", "ADDRESS_RETENTION_DAYS")


def _rules() -> dict:
    return {name: current_app.config[name] for name in RULE_SETTINGS}


@web.get("/welcome")
@login_required
def welcome():
    """Where registration lands: how beans work and what to do first."""
    return render_template("main/welcome.html", rules=_rules(), form=SearchForm())


@web.get("/about")
@cached_for_visitors
def about():
    """The site's rules: beans, a request's lifecycle, what happens to an address."""
    return render_template("main/about.html", rules=_rules())

"""Choosing the page language: the footer's 中文 / English switch.

A visitor's choice is a cookie; a signed-in reader's is also saved on the
account, so mail and other devices follow it. The switch sits on pages the
page cache keeps for every visitor alike, so a visitor's form carries no
CSRF token and the view is exempt -- the worst a forged switch can do is
change a visitor's display language. Saving on an account is a state
change, so a signed-in reader's switch must carry the token.
"""
from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.extensions import csrf
from app.i18n import LANGUAGES, LOCALE_COOKIE
from app.libs.helper import is_safe_next
from app.services import account
from app.web import web

COOKIE_MAX_AGE = 365 * 24 * 3600


@csrf.exempt
@web.post("/language")
def choose_language():
    if current_user.is_authenticated and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    code = request.form.get("locale", "")
    if code not in LANGUAGES:
        abort(400)
    target = request.form.get("next", "")
    response = redirect(target if is_safe_next(target) else url_for("web.index"))
    response.set_cookie(LOCALE_COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    if current_user.is_authenticated:
        account.set_locale(current_user, code)
    return response

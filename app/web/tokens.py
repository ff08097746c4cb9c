"""My personal access tokens (令牌) for /api/v1: make, list, revoke.

A new token's secret is shown once, in the answer to the POST that made it
(never in a flash: flashes travel in the session cookie), with no-store so
no cache keeps that page; later the list shows only each token's prefix.
"""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms.token import TokenForm
from app.libs.enums import TokenScope
from app.services import api_tokens
from app.services.errors import Refused
from app.web import web
from app.web._actions import run_action


@web.route("/personal/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _token, secret = api_tokens.create_token(current_user, form.name.data, form.scope.data)
        except Refused as refused:
            flash(str(refused.message), refused.category)  # a flash is kept as text
        else:
            form = TokenForm(formdata=None)
    page = render_template("personal/tokens.html", form=form, secret=secret,
                           tokens=api_tokens.tokens_of(current_user), scopes=TokenScope)
    return page, 200, {"Cache-Control": "no-store"}


@web.post("/personal/tokens/<id:tid>/revoke")
@login_required
def revoke_token(tid):
    """Revoke one of my tokens (another's or an unknown one is a 404)."""
    run_action(api_tokens.revoke_token, current_user, tid, success=_("令牌已吊销，使用它的程序将无法再访问"))
    return redirect(url_for("web.tokens"))

"""/settings/delete: deleting my account. The page offers the data export
first, says which open drifts stand in the way, and asks for the current
password; the work is app/services/account_delete.py."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.forms.address import DeleteAccountForm
from app.services import account_delete
from app.web import web
from app.web._actions import run_action


@web.route("/settings/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if run_action(account_delete.delete_account, current_user._get_current_object(), form.password.data):
            logout_user()
            flash(_("你的账号已注销。感谢你曾在鱼书分享图书"), "info")
            return redirect(url_for("web.index"))
    held = account_delete.open_drifts(current_user)
    return render_template("settings/delete.html", form=form, held=held,
                           held_text=account_delete.describe(held, current_user.id))

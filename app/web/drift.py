"""Requesting a gift and moving drifts (鱼漂) along. ``/gifts/<id>/request``
takes a gift id; every ``/drift/<id>/...`` URL takes a drift id."""
import re

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from app.forms.drift import DriftForm, MailedForm, ProblemForm
from app.models import page_queries
from app.services import addresses, drift as drifts
from app.view_models.book import BookViewModel
from app.view_models.lists import condition_of
from app.view_models.drift import DriftViewModel
from app.web import web
from app.web._actions import run_action
from app.web._converters import ID_MAX


@web.route("/gifts/<id:gift_id>/request", methods=["GET", "POST"])
@login_required
def request_gift(gift_id):
    """Ask for someone's gift with a mailing address (costs one bean)."""
    gift = drifts.open_gift(gift_id)
    if not run_action(drifts.check_requester, current_user, gift):
        return redirect(url_for("web.book_detail", isbn=gift.isbn))
    allowance = drifts.drift_allowance(current_user)
    if not allowance.allowed:
        return render_template("drift/not_enough_beans.html", allowance=allowance), 403
    chosen = _chosen_address()
    form = DriftForm(data=chosen.details() if chosen else None)
    if form.validate_on_submit():
        if run_action(drifts.request_gift, current_user, gift.id, form.details(),
                      success=_("请求已发出，等待对方回应。已扣除 1 个鱼豆，请求没有成交会退还")):
            return redirect(url_for("web.pending"))
    return render_template("drift/request.html", form=form, book=BookViewModel(gift.book.to_dict()),
                           gifter=gift.user, allowance=allowance, condition=condition_of(gift),
                           addresses=addresses.addresses_of(current_user), chosen=chosen)


def _chosen_address():
    """The saved address the request form starts with: ``?address=<id>``
    (one of mine, else 404), or my default one."""
    raw = request.args.get("address")
    if raw is None:
        return addresses.default_of(current_user)
    if not re.fullmatch(r"[0-9]{1,19}", raw) or not 1 <= int(raw) <= ID_MAX:
        abort(404)
    return addresses.own_address(current_user, int(raw))


@web.get("/drift/<id:gift_id>")
def old_request_url(gift_id):
    """Mail sent before the request page had its own URL links here."""
    return redirect(url_for("web.request_gift", gift_id=gift_id), 301)


@web.get("/pending")
@login_required
def pending():
    """Drifts where I am requester or gifter, newest first."""
    rows = page_queries.my_drifts(current_user.id)
    return render_template("drift/pending.html", mailed_form=MailedForm(), problem_form=ProblemForm(),
                           drifts=[DriftViewModel(d, current_user.id, current_app.config) for d in rows])


# action: (the service, what the user is told when it is done)
_ACTIONS = {
    "accept": (drifts.accept, _l("已同意。对方的收件地址已显示在下方，请按期寄出")),
    "reject": (drifts.reject, _l("已拒绝，对方的鱼豆已退还")),
    "withdraw": (drifts.withdraw, _l("已撤回请求，1 个鱼豆已退还")),
    "mailed": (drifts.mailed, _l("已标记为寄出，等待对方确认收到")),
    "received": (drifts.received, _l("已确认收到，交易完成。赠书人获得了 1 个鱼豆")),
    "problem": (drifts.problem, _l("已报告问题，赠书人会看到你的说明")),
    "refund": (drifts.refund, _l("已退还对方的 1 个鱼豆")),
}


@login_required
def move_drift(did, action):
    """Move one of my drifts along; only its party in the action's role may
    (anyone else gets a 404), and a drift that moved on meanwhile a 409."""
    service, success = _ACTIONS[action]
    args = [current_user, did]
    if action == "mailed":
        args.append(MailedForm().tracking.data or "")
    elif action == "problem":
        form = ProblemForm()
        if not form.validate():
            flash(_("；").join(str(e) for errors in form.errors.values() for e in errors), "warning")
            return redirect(url_for("web.pending", _anchor=f"drift-{did}"))
        args.append(form.text())
    run_action(service, *args, success=str(success))
    return redirect(url_for("web.pending", _anchor=f"drift-{did}"))


for _action in _ACTIONS:  # /drift/<id>/accept, /drift/<id>/reject, ...
    web.add_url_rule(f"/drift/<id:did>/{_action}", "move_drift", move_drift, methods=["POST"],
                     defaults={"action": _action})

"""Requesting a gift and moving drifts (鱼漂) along. ``/gifts/<id>/request``
takes a gift id; every ``/drift/<id>/...`` URL takes a drift id."""
from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app.forms.drift import DriftForm
from app.models import page_queries
from app.services import drift as drifts
from app.view_models.book import BookViewModel
from app.view_models.drift import DriftViewModel
from app.web import web
from app.web._actions import run_action


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
    form = DriftForm()
    if form.validate_on_submit():
        if run_action(drifts.request_gift, current_user, gift.id, form.details(),
                      success="请求已发出，等待对方邮寄。已扣除 1 个鱼豆"):
            return redirect(url_for("web.pending"))
    return render_template("drift/request.html", form=form, book=BookViewModel(gift.book.to_dict()),
                           gifter=gift.user, allowance=allowance)


@web.get("/drift/<id:gift_id>")
def old_request_url(gift_id):
    """Mail sent before the request page had its own URL links here."""
    return redirect(url_for("web.request_gift", gift_id=gift_id), 301)


@web.get("/pending")
@login_required
def pending():
    """Drifts where I am requester or gifter, newest first."""
    rows = page_queries.my_drifts(current_user.id)
    return render_template("drift/pending.html",
                           drifts=[DriftViewModel(d, current_user.id) for d in rows])


def _moved(action, did: int, success: str):
    run_action(action, current_user, did, success=success)
    return redirect(url_for("web.pending"))


@web.post("/drift/<id:did>/reject")
@login_required
def reject_drift(did):
    return _moved(drifts.reject, did, "已拒绝，对方的鱼豆已退还")


@web.post("/drift/<id:did>/withdraw")
@login_required
def withdraw_drift(did):
    return _moved(drifts.withdraw, did, "已撤回请求，1 个鱼豆已退还")


@web.post("/drift/<id:did>/mailed")
@login_required
def mailed_drift(did):
    return _moved(drifts.mailed, did, "已确认邮寄，获得 1 个鱼豆，感谢你的分享")

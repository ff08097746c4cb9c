"""Requesting a gift and moving drifts (鱼漂) along."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from app.forms.drift import DriftForm
from app.models.base import db
from app.models.drift import Drift
from app.models.gift import Gift
from app.services import drift as drifts
from app.services.errors import Conflict, NotFound, Refused
from app.view_models.book import BookViewModel
from app.view_models.drift import DriftViewModel
from app.web import web
from app.web._trade import run_action


@web.route("/drift/<id:gid>", methods=["GET", "POST"])
@login_required
def send_drift(gid):
    """Ask for someone's gift with a mailing address (costs one bean)."""
    try:
        gift = drifts.requestable_gift(current_user, gid)
    except NotFound:
        abort(404)
    except Refused as refused:
        flash(refused.message, "warning")
        return redirect(url_for("web.book_detail", isbn=db.session.get(Gift, gid).isbn))
    allowance = drifts.drift_allowance(current_user)
    if not allowance.allowed:
        return render_template("drift/not_enough_beans.html", allowance=allowance), 403
    form = DriftForm()
    if form.validate_on_submit():
        if run_action(drifts.request_gift, current_user, gift.id, form.details(),
                      success="请求已发出，等待对方邮寄。已扣除 1 个鱼豆"):
            return redirect(url_for("web.pending"))
    return render_template("drift/drift.html", form=form, book=BookViewModel(gift.book.to_dict()),
                           gifter=gift.user, allowance=allowance)


@web.get("/pending")
@login_required
def pending():
    """Drifts where I am requester or gifter, newest first."""
    rows = db.session.scalars(select(Drift).where(or_(
        Drift.requester_id == current_user.id, Drift.gifter_id == current_user.id))
        .order_by(Drift.create_time.desc(), Drift.id.desc())).all()
    return render_template("drift/pending.html",
                           drifts=[DriftViewModel(d, current_user.id) for d in rows])


def _transition(action, did: int, success: str):
    try:
        action(current_user, did)
    except NotFound:
        abort(404)
    except Conflict as conflict:
        abort(409, description=conflict.message)
    flash(success, "success")
    return redirect(url_for("web.pending"))


@web.post("/drift/<id:did>/reject")
@login_required
def reject_drift(did):
    return _transition(drifts.reject, did, "已拒绝，对方的鱼豆已退还")


@web.post("/drift/<id:did>/redraw")
@login_required
def redraw_drift(did):
    return _transition(drifts.redraw, did, "已撤销请求，1 个鱼豆已退还")


@web.post("/drift/<id:did>/mailed")
@login_required
def mailed_drift(did):
    return _transition(drifts.mailed, did, "已确认邮寄，获得 1 个鱼豆，感谢你的分享")

"""In-site notices (通知) and the navigation's count of what waits on me."""
from flask import g, redirect, render_template, request, url_for
from jinja2 import pass_context
from flask_login import current_user, login_required

from app.services import notices
from app.services.notice_mail import notice_link
from app.web import web


def _badge() -> dict:
    """Unread notices and drifts waiting on me, for the navigation (asked
    once a request)."""
    counts = g.get("_fisher_nav_badge")
    if counts is None:
        unread, waiting = notices.nav_counts(current_user.id)
        counts = g._fisher_nav_badge = {"unread": unread, "waiting": waiting}
    return counts


@web.app_context_processor
def nav_badge():
    return {"nav_badge": _badge}


@web.app_template_global()
@pass_context
def nav_key(context) -> tuple:
    """Everything the navigation shows that differs between requests (the
    key it is kept under, base.html): the page, the search box's words, and
    for a member their name, beans and counts."""
    endpoint = request.endpoint
    words = request.args.get("q", "") if endpoint == "web.search" else ""
    if not current_user.is_authenticated:
        return endpoint, words, None
    badge = context.resolve("nav_badge")()
    return (endpoint, words, current_user.id, current_user.nickname, str(current_user.beans),
            badge.get("unread"), badge.get("waiting"))


@web.get("/notices")
@login_required
def notice_list():
    """My notices, newest first."""
    rows = [(n, notices.notice_text(n), notice_link(n)) for n in notices.my_notices(current_user.id)]
    return render_template("notices/list.html", rows=rows)


@web.post("/notices/read")
@login_required
def read_notices():
    """Mark one notice (``id``) or all of mine read."""
    nid = request.form.get("id", type=int)
    notices.mark_read(current_user.id, nid)
    return redirect(url_for("web.notice_list"))

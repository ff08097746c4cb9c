"""In-site notices (通知) and the navigation's count of what waits on me."""
from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.services import notices
from app.services.notice_mail import notice_link
from app.web import web


@web.app_context_processor
def nav_badge():
    def badge() -> dict:
        """Unread notices and drifts waiting on me, for the navigation."""
        unread, waiting = notices.nav_counts(current_user.id)
        return {"unread": unread, "waiting": waiting}
    return {"nav_badge": badge}


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

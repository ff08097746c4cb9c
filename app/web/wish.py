"""The wish list (心愿清单) and inviting a wisher."""
from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.models import page_queries
from app.models.base import db
from app.models.gift import Gift
from app.models.wish import Wish
from app.services import lists
from app.view_models.lists import my_list_items
from app.web import web
from app.web._actions import add_book_to_list, run_action


@web.get("/my/wishes")
@login_required
def my_wishes():
    rows = page_queries.my_open(Wish, current_user.id)
    items = my_list_items(rows=rows, counts=page_queries.open_counts(Gift, [w.isbn for w, _ in rows]))
    return render_template("wish/my_wishes.html", wishes=items)


@web.get("/my/wish")
def old_my_wishes_url():
    """The wish list's address before it took the plural."""
    return redirect(url_for("web.my_wishes"), 301)


@web.post("/wishes/book/<isbn>")
@login_required
def save_to_wishes(isbn):
    return add_book_to_list(lists.add_wish, current_user, isbn, _("已添加至心愿清单"))


@web.post("/wishes/<isbn>/withdraw")
@login_required
def withdraw_wish(isbn):
    run_action(lists.withdraw_wish, current_user, isbn, success=_("已从心愿清单撤回"))
    return redirect(url_for("web.my_wishes"))


@web.post("/satisfy/wish/<id:wid>")
@login_required
def satisfy_wish(wid):
    """Email a wisher that I can give them the book they want."""
    wish = db.get_or_404(Wish, wid)
    run_action(lists.satisfy_wish, current_user, wish.id,
               success=_("已给 %(nickname)s 发了一封邮件；TA 想要这本书时会向你请求，你将收到一个鱼漂",
                         nickname=wish.user.nickname))
    return redirect(url_for("web.book_detail", isbn=wish.isbn))

"""The wish list (心愿清单) and inviting a wisher."""
from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.libs.helper import normalize_isbn
from app.models import trade_queries as q
from app.models.base import db
from app.models.gift import Gift
from app.models.wish import Wish
from app.services import trade
from app.view_models.trade import my_trade_items
from app.web import web
from app.web._trade import run_action


@web.get("/my/wish")
@login_required
def my_wish():
    rows = q.my_open(Wish, current_user.id)
    items = my_trade_items(rows, q.open_counts(Gift, [wish.isbn for wish, _ in rows]))
    return render_template("web/my_wish.html", wishes=items)


@web.post("/wish/book/<isbn>")
@login_required
def save_to_wish(isbn):
    if normalize_isbn(isbn) != isbn:
        abort(404)
    run_action(trade.add_wish, current_user, isbn, success="已添加至心愿清单")
    return redirect(url_for("web.book_detail", isbn=isbn))


@web.post("/wish/book/<isbn>/redraw")
@login_required
def redraw_from_wish(isbn):
    run_action(trade.redraw_wish, current_user, isbn, success="已从心愿清单移除")
    return redirect(url_for("web.my_wish"))


@web.post("/satisfy/wish/<id:wid>")
@login_required
def satisfy_wish(wid):
    """Email a wisher that I can give them the book they want."""
    wish = db.get_or_404(Wish, wid)
    run_action(trade.satisfy_wish, current_user, wish.id,
               success="已向他发送了一封邮件，如果他愿意接受你的赠送，你将收到一个鱼漂")
    return redirect(url_for("web.book_detail", isbn=wish.isbn))

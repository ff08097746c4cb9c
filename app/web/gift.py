"""The gift list (赠送清单)."""
from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.libs.helper import normalize_isbn
from app.models import trade_queries as q
from app.models.gift import Gift
from app.models.wish import Wish
from app.services import trade
from app.view_models.trade import my_trade_items
from app.web import web
from app.web._trade import run_action


@web.get("/my/gifts")
@login_required
def my_gifts():
    rows = q.my_open(Gift, current_user.id)
    isbns = [gift.isbn for gift, _ in rows]
    items = my_trade_items(rows, q.open_counts(Wish, isbns),
                           q.waiting_gift_ids([gift.id for gift, _ in rows]))
    return render_template("web/my_gifts.html", gifts=items)


@web.post("/gifts/book/<isbn>")
@login_required
def save_to_gifts(isbn):
    if normalize_isbn(isbn) != isbn:
        abort(404)
    beans = current_app.config["BEANS_UPLOAD_ONE_BOOK"]
    run_action(trade.add_gift, current_user, isbn, success=f"已添加至赠送清单，获得 {beans} 个鱼豆")
    return redirect(url_for("web.book_detail", isbn=isbn))


@web.post("/gifts/<id:gid>/redraw")
@login_required
def redraw_from_gifts(gid):
    run_action(trade.redraw_gift, current_user, gid, success="已从赠送清单撤回")
    return redirect(url_for("web.my_gifts"))


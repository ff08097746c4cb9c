"""The gift list (赠送清单)."""
from flask import current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.libs.beans import beans_text
from app.models import page_queries
from app.models.gift import Gift
from app.models.wish import Wish
from app.services import lists
from app.view_models.lists import my_list_items
from app.web import web
from app.web._actions import add_book_to_list, run_action


@web.get("/my/gifts")
@login_required
def my_gifts():
    rows = page_queries.my_open(Gift, current_user.id)
    items = my_list_items(rows=rows, counts=page_queries.open_counts(Wish, [g.isbn for g, _ in rows]),
                          waiting_ids=page_queries.waiting_gift_ids([g.id for g, _ in rows]))
    return render_template("gift/my_gifts.html", gifts=items)


@web.post("/gifts/book/<isbn>")
@login_required
def save_to_gifts(isbn):
    earned = beans_text(current_app.config["BEANS_UPLOAD_ONE_BOOK"])
    return add_book_to_list(lists.add_gift, current_user, isbn, f"已添加至赠送清单，获得 {earned}")


@web.post("/gifts/<id:gid>/withdraw")
@login_required
def withdraw_gift(gid):
    run_action(lists.withdraw_gift, current_user, gid, success="已从赠送清单撤回")
    return redirect(url_for("web.my_gifts"))

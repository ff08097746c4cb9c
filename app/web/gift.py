"""The gift list (赠送清单)."""
from functools import partial

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms.gift import GiftForm, OfferFilterForm
from app.libs.beans import beans_text
from app.models import offers, page_queries
from app.models.gift import Gift
from app.models.wish import Wish
from app.services import lists
from app.view_models.lists import OfferList, my_list_items
from app.web import web
from app.web._actions import add_book_to_list, run_action


@web.get("/gifts")
def gifts_on_offer():
    """Every copy on offer now, newest first; filters: keyword, 有人想要."""
    form = OfferFilterForm(request.args)
    if not form.validate():
        return render_template("gift/on_offer.html", form=form, offers=None), 400
    per_page = current_app.config["PER_PAGE"]
    found = offers.gifts_on_offer(form.page.data or 1, per_page, form.q.data or "", form.wanted.data)
    listed = OfferList.build(found, form.page.data or 1, per_page, form.q.data or "", form.wanted.data,
                             current_user.id if current_user.is_authenticated else None)
    return render_template("gift/on_offer.html", form=form, offers=listed)


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
    """List my copy of the book, with its condition and a note if given."""
    form = GiftForm()
    if not form.validate():
        for errors in form.errors.values():
            flash(_("；").join(str(e) for e in errors), "warning")
        return redirect(url_for("web.book_detail", isbn=isbn))
    earned = beans_text(current_app.config["BEANS_UPLOAD_ONE_BOOK"])
    add = partial(lists.add_gift, condition=form.condition_value(), condition_note=form.note.data or "")
    return add_book_to_list(add, current_user, isbn, _("已添加至赠送清单，获得 %(beans)s", beans=earned))


@web.post("/gifts/<id:gid>/withdraw")
@login_required
def withdraw_gift(gid):
    run_action(lists.withdraw_gift, current_user, gid, success=_("已从赠送清单撤回"))
    return redirect(url_for("web.my_gifts"))

"""Book search, detail and the locally drawn cover placeholder."""
import hashlib

from flask import (abort, current_app, make_response, redirect, render_template, request,
                   send_from_directory, url_for)

from flask_login import current_user

from app.forms.book import SearchForm
from app.libs.covers import covers_dir
from app.libs.covers import local_cover as local_cover_file
from app.libs.helper import normalize_isbn
from app.models import trade_queries as q
from app.models.gift import Gift
from app.models.wish import Wish
from app.spider import get_book_source
from app.view_models.book import BookCollection, BookViewModel
from app.view_models.trade import BookTrade
from app.web import web
from app.web._page_cache import cached_for_visitors


@web.get("/book/search")
@cached_for_visitors
def search():
    """Keyword or ISBN search; invalid input shows the form's message (400)."""
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("web/search_result.html", form=form, result=None), 400
    q, page = form.q.data, form.page.data or 1
    source, isbn = get_book_source(), normalize_isbn(q)
    found = source.search_by_isbn(isbn) if isbn else source.search_by_keyword(q, page)
    cfg = current_app.config
    result = BookCollection(q, page, cfg["PER_PAGE"], found.total, found.books, cfg["MAX_PAGE"])
    return render_template("web/search_result.html", form=form, result=result)


@web.get("/book/<isbn>/detail")
@cached_for_visitors
def book_detail(isbn):
    """Every field of one book; other ISBN spellings redirect to the ISBN-13."""
    isbn13 = normalize_isbn(isbn)
    if isbn13 is None:
        abort(404)
    if isbn13 != isbn:
        return redirect(url_for("web.book_detail", isbn=isbn13), 301)
    found = get_book_source().search_by_isbn(isbn13)
    if not found.first:
        abort(404)
    my_uid = current_user.id if current_user.is_authenticated else None
    trade = BookTrade.build(q.open_with_users(Gift, isbn13), q.open_with_users(Wish, isbn13), my_uid)
    return render_template("web/book_detail.html", book=BookViewModel(found.first), trade=trade)


PALETTE = ("#2f4858", "#33658a", "#55828b", "#3b6064", "#86626e", "#6d597a",
           "#355070", "#b56576", "#4a5759", "#5f0f40", "#0b525b", "#7f5539")


@web.get("/covers/<name>")
def local_cover(name):
    """A cover stored by `flask covers fetch`."""
    return send_from_directory(covers_dir(current_app), name, max_age=86400)


@web.app_template_global()
def stored_cover_src(book) -> str | None:
    """The URL of the cover copy stored on the site, if there is one."""
    name = local_cover_file(current_app, book.isbn) if book.isbn else None
    return url_for("web.local_cover", name=name) if name else None


@web.get("/cover/<isbn>.svg")
def cover(isbn):
    """A cover drawn locally: title and author on a colour from the ISBN."""
    title = request.args.get("title", "")[:40]
    author = request.args.get("author", "")[:30]
    digest = hashlib.sha1(isbn.encode("utf-8", "replace")).digest()
    colour = PALETTE[digest[0] % len(PALETTE)]
    lines = [title[i:i + 8] for i in range(0, min(len(title), 32), 8)] or [isbn[:13]]
    svg = render_template("web/cover.svg", colour=colour, lines=lines, author=author)
    resp = make_response(svg)
    resp.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    resp.cache_control.public = True
    resp.cache_control.max_age = 86400
    return resp

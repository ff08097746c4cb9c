"""Book search and the book page."""
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.forms.book import KEYWORD_MAX, SearchForm
from app.forms.gift import GiftForm
from app.libs.helper import normalize_isbn
from app.models import offers, page_queries
from app.models.gift import Gift
from app.models.wish import Wish
from app.services import books, contributed
from app.services.drift import drift_allowance
from app.view_models.book import BookCollection, BookViewModel
from app.view_models.lists import BookLists
from app.web import web
from app.web._page_cache import cached_for_visitors

web.add_app_template_global(KEYWORD_MAX, "search_max_length")


@web.get("/book/search")
@cached_for_visitors
def search():
    """Keyword or ISBN search; invalid input shows the form's message (400)."""
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("book/search_result.html", form=form, result=None), 400
    keyword, page, offered = form.q.data, form.page.data or 1, form.offered.data
    isbn = normalize_isbn(keyword)
    if offered:
        found = books.offered(keyword, page)
    else:
        found = books.by_isbn(isbn) if isbn else books.by_keyword(keyword, page)
    cfg = current_app.config
    result = BookCollection(keyword=keyword, page=page, per_page=cfg["PER_PAGE"], total=found.total,
                            books=found.books, max_page=cfg["MAX_PAGE"], isbn=isbn,
                            unavailable=found.unavailable, offered=offered, at_least=found.at_least,
                            offers=offers.offer_counts([book["isbn"] for book in found.books]))
    return render_template("book/search_result.html", form=form, result=result)


@web.get("/book/<isbn>/detail")
@cached_for_visitors
def book_detail(isbn):
    """Every field of one book; other ISBN spellings redirect to the ISBN-13."""
    isbn13 = normalize_isbn(isbn)
    if isbn13 is None:
        abort(404)
    if isbn13 != isbn:
        return redirect(url_for("web.book_detail", isbn=isbn13), 301)
    book = books.find_by_isbn(isbn13)
    if book is None:
        abort(404)
    lists = BookLists.build(gift_rows=page_queries.open_with_users(Gift, isbn13),
                            wish_rows=page_queries.open_with_users(Wish, isbn13),
                            my_uid=current_user.id if current_user.is_authenticated else None)
    # Whether I may request right now, from the drift service's own rule, so the
    # page shows what a request costs instead of a button that leads to a refusal.
    allowance = drift_allowance(current_user) if lists.gifts and current_user.is_authenticated else None
    # Only members get the gift form: building it makes a CSRF token, which a
    # visitor's page has no use for (and would otherwise write a session for).
    gift_form = GiftForm() if current_user.is_authenticated else None
    return render_template("book/detail.html", book=BookViewModel(book), lists=lists, gift_form=gift_form,
                           contribution=contributed.contribution(isbn13, current_user), allowance=allowance)

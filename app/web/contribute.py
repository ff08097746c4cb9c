"""Adding a book no source knows, and its contributor correcting it."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.forms.book import BookForm
from app.libs.cover_photo import PhotoError
from app.libs.helper import normalize_isbn
from app.services import books, contributed
from app.services.errors import Refused
from app.web import web


def _photo(form: BookForm) -> tuple[bool, bytes | None]:
    """(ok, JPEG to keep); a bad photo puts its message under the field."""
    try:
        return True, contributed.checked_photo(form.photo_bytes(current_app.config["COVER_PHOTO_MAX_BYTES"]))
    except PhotoError as exc:
        form.photo.errors = [str(exc)]
        return False, None


@web.route("/book/new", methods=["GET", "POST"])
@login_required
def new_book():
    """The form of a book nobody has yet; a known ISBN goes to its page."""
    form = BookForm()
    if request.method == "GET":
        form.isbn.data = request.args.get("isbn", "")[:32]
        form.title.data = request.args.get("title", "")[:255]
        known = normalize_isbn(form.isbn.data or "")
        if known and books.find_by_isbn(known):
            flash(str(contributed.KNOWN), "info")
            return redirect(url_for("web.book_detail", isbn=known))
    elif form.validate_on_submit():
        ok, photo = _photo(form)
        if ok:
            try:
                record = contributed.add_book(current_user, form.record(), photo)
            except Refused as refused:
                form.isbn.errors = [refused.message]
            else:
                flash(_("已添加这本书，谢谢！现在可以把它加入赠送清单或心愿清单。"), "success")
                return redirect(url_for("web.book_detail", isbn=record["isbn"]))
    return render_template("book/edit.html", form=form, editing=False), 400 if form.errors else 200


@web.route("/book/<isbn>/edit", methods=["GET", "POST"])
@login_required
def edit_book(isbn):
    """The contributor corrects the book while nobody else relies on it."""
    if normalize_isbn(isbn) != isbn:
        abort(404)
    try:
        book = contributed.contributed_book(isbn, current_user)
    except Refused as refused:
        flash(refused.message, "warning")
        return redirect(url_for("web.book_detail", isbn=isbn))
    form = BookForm()
    if request.method == "GET":
        form.fill(book.to_dict())
    else:
        form.isbn.data = isbn  # the ISBN is not editable
        if form.validate_on_submit():
            ok, photo = _photo(form)
            if ok:
                try:
                    contributed.edit_book(current_user, isbn, form.record(), photo)
                except Refused as refused:
                    flash(refused.message, "warning")
                else:
                    flash(_("已保存修改"), "success")
                return redirect(url_for("web.book_detail", isbn=isbn))
    return render_template("book/edit.html", form=form, editing=True), 400 if form.errors else 200

"""Running a unit of work from a view that answers with a flash and a redirect."""
from flask import abort, flash, redirect, url_for

from app.libs.helper import normalize_isbn

from app.services.errors import Refused


def run_action(action, *args, success: str | None = None) -> bool:
    """Call ``action``: True on success (flashing ``success``), False with the
    refusal flashed when the service refused. NotFound and Conflict are left
    to the blueprint's error handlers (a 404 or 409 page)."""
    try:
        action(*args)
    except Refused as refused:
        flash(str(refused.message), refused.category)
        return False
    if success:
        flash(success, "success")
    return True


def add_book_to_list(action, user, isbn: str, success: str):
    """Put the book on one of ``user``'s lists and go back to its page; only
    the canonical ISBN-13 is accepted (anything else is a 404)."""
    if normalize_isbn(isbn) != isbn:
        abort(404)
    run_action(action, user, isbn, success=success)
    return redirect(url_for("web.book_detail", isbn=isbn))

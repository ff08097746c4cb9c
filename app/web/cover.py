"""Book covers: the copies stored on the site and the placeholder drawn here."""
from flask import current_app, make_response, redirect, render_template, request, send_from_directory, url_for

from app.libs import cover_design
from app.libs.covers import covers_dir, local_cover
from app.web import web
from app.web._fragments import card_html, cover_html, kept_url_for

web.add_app_template_global(card_html)
web.add_app_template_global(cover_html)
web.add_app_template_global(kept_url_for, "url_for")  # in place of Flask's, for the templates

TITLE_LIMIT, AUTHOR_LIMIT = 200, 200  # more than any cover can show; bounds the work per request


@web.get("/covers/<name>")
def stored_cover(name):
    """A cover stored by `flask covers fetch`."""
    return send_from_directory(covers_dir(current_app), name, max_age=86400)


@web.app_template_global()
def stored_cover_src(book) -> str | None:
    """The URL of the cover copy stored on the site, if there is one."""
    name = local_cover(current_app, book.isbn) if book.isbn else None
    return url_for("web.stored_cover", name=name) if name else None


@web.get("/covers/drawn/<isbn>.svg")
def drawn_cover(isbn):
    """A cover drawn locally: title and authors on colours from the ISBN."""
    title = request.args.get("title", "")
    author = request.args.get("author", "")[:AUTHOR_LIMIT]
    drawn = cover_design.layout(isbn[:32], title[:TITLE_LIMIT], author, title_cut=len(title) > TITLE_LIMIT)
    svg = render_template("cover/drawn.svg", c=drawn, d=cover_design)
    resp = make_response(svg)
    resp.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    resp.cache_control.public = True
    resp.cache_control.max_age = 86400
    return resp


@web.get("/cover/<isbn>.svg")
def old_drawn_cover_url(isbn):
    """The drawn cover's address before the covers shared one prefix."""
    query = request.query_string.decode("ascii", "replace")
    return redirect(url_for("web.drawn_cover", isbn=isbn) + (f"?{query}" if query else ""), 301)

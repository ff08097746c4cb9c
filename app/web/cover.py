"""Book covers: the copies stored on the site and the placeholder drawn here."""
import hashlib

from flask import current_app, make_response, redirect, render_template, request, send_from_directory, url_for

from app.libs.covers import covers_dir, local_cover
from app.web import web

PALETTE = ("#2f4858", "#33658a", "#55828b", "#3b6064", "#86626e", "#6d597a",
           "#355070", "#b56576", "#4a5759", "#5f0f40", "#0b525b", "#7f5539")


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
    """A cover drawn locally: title and author on a colour from the ISBN."""
    title = request.args.get("title", "")[:40]
    author = request.args.get("author", "")[:30]
    digest = hashlib.sha1(isbn.encode("utf-8", "replace")).digest()
    colour = PALETTE[digest[0] % len(PALETTE)]
    lines = [title[i:i + 8] for i in range(0, min(len(title), 32), 8)] or [isbn[:13]]
    svg = render_template("cover/drawn.svg", colour=colour, lines=lines, author=author)
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

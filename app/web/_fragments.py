"""Rendered book cards kept per content (issue 17: templates were half of a
page's cost, and a list page draws the same cards again and again).

A card's HTML is a pure function of what it shows -- the book's ISBN, title,
authors and "author / publisher / price" line, the stored cover's address --
and of the page's language and the site's root path. Those values are the
key, so a kept card can never be stale: a book edited, a cover stored or a
language switched is a different key, rendered afresh. What the caller adds
to a card (the gifter, a count, a withdraw button with its CSRF token) is not
kept: the card is kept as the HTML before and after the caller's part.
"""
from collections import OrderedDict
from threading import Lock
from typing import NamedTuple

from flask import current_app, g, has_request_context, request
from flask_wtf.csrf import generate_csrf
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from app.libs.covers import stored_covers
from app.libs.request_domain import current_translations

SLOT = "<!--fisher-card-slot-->"  # never produced by escaped text: '<' escapes to '&lt;'
TOKEN_SLOT = "<!--fisher-csrf-token-->"  # where a kept fragment had the request's CSRF token
KEPT_CARDS = 2048


class CardBook(NamedTuple):
    """Everything the card macro may read of a book."""
    isbn: str
    title: str
    author: str
    intro: str


class KeptFragments:
    """A bounded map of rendered fragments, least recently used dropped first
    (a lock around it: the site runs threaded)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def kept_cards(app) -> KeptFragments:
    kept = app.extensions.get("fisher_cards")
    if kept is None:
        kept = app.extensions["fisher_cards"] = KeptFragments(app.config.get("KEPT_CARDS", KEPT_CARDS))
    return kept


def _render(book: CardBook) -> tuple[str, str]:
    """The card drawn by ``card_body`` in _macros.html, split at the caller's slot."""
    macro = current_app.jinja_env.get_template("_macros.html").module.card_body
    before, after = str(macro(book, Markup(SLOT))).split(SLOT)
    return before, after


def _render_cover(book: CardBook, css: str) -> str:
    return str(current_app.jinja_env.get_template("_macros.html").module.cover_body(book, css))


def _request_context(app) -> tuple:
    """(host, root path, blueprint, stored covers) of this request, looked up
    once for all of its cards and URLs."""
    context = g.get("_fisher_kept_context")
    if context is None:
        context = g._fisher_kept_context = (request.host, request.script_root, request.blueprint,
                                            stored_covers(app))
    return context


def _keeping(app) -> bool:
    """Fragments are kept while serving a request with templates that do
    not change (not while they are being edited, nor for a mail rendered
    outside any request)."""
    return has_request_context() and not app.jinja_env.auto_reload


def card_html(book, extra="") -> Markup:
    """The book card of ``book`` (any object with isbn, title, author and
    intro) around ``extra``, the caller's already rendered part."""
    fields = CardBook(book.isbn or "", book.title or "", book.author or "", book.intro or "")
    app = current_app._get_current_object()
    if not _keeping(app):
        before, after = _render(fields)
    else:
        _host, root, _blueprint, covers = _request_context(app)
        # the catalogue stands for the language (force_locale changes it mid-request)
        key = (current_translations(), root, covers.get(fields.isbn), fields)
        kept = kept_cards(app)
        parts = kept.get(key)
        if parts is None:
            parts = _render(fields)
            kept.put(key, parts)
        before, after = parts
    return Markup(before + str(Markup.escape(extra)) + after)


def cover_html(book, css: str = "book-cover") -> Markup:
    """The cover image of ``book`` (``cover_body`` in _macros.html), kept per
    ISBN, title, authors, stored cover, language and root path like a card."""
    fields = CardBook(book.isbn or "", book.title or "", book.author or "", "")
    app = current_app._get_current_object()
    if not _keeping(app):
        return Markup(_render_cover(fields, css))
    _host, root, _blueprint, covers = _request_context(app)
    key = ("cover", css, current_translations(), root, covers.get(fields.isbn), fields)
    kept = kept_cards(app)
    html = kept.get(key)
    if html is None:
        html = _render_cover(fields, css)
        kept.put(key, html)
    return Markup(html)


def kept_url_for(endpoint: str, **values) -> str:
    """The templates' ``url_for``: a relative URL is a pure function of the
    endpoint, its values (in their order: it is the query string's), the
    host, the root path and, for ".name", the blueprint -- so each is built
    once (a page builds 20 to 80). Anything else (``_external``, ``_anchor``
    and the other options, a value that cannot be a key) is Flask's
    ``url_for`` as it is."""
    app = current_app._get_current_object()
    if not _keeping(app) or any(name[0] == "_" for name in values):
        return app.url_for(endpoint, **values)
    host, root, blueprint, _covers = _request_context(app)
    key = (host, root, blueprint if endpoint[0] == "." else None, endpoint, tuple(values.items()))
    try:
        hash(key)
    except TypeError:  # a value that cannot be a key
        return app.url_for(endpoint, **values)
    kept = kept_urls(app)
    url = kept.get(key)
    if url is None:
        url = app.url_for(endpoint, **values)
        kept.put(key, url)
    return url


def kept_urls(app) -> KeptFragments:
    kept = app.extensions.get("fisher_urls")
    if kept is None:
        kept = app.extensions["fisher_urls"] = KeptFragments(app.config.get("KEPT_URLS", 4096))
    return kept


def kept_parts(app) -> KeptFragments:
    kept = app.extensions.get("fisher_parts")
    if kept is None:
        kept = app.extensions["fisher_parts"] = KeptFragments(app.config.get("KEPT_PARTS", 2048))
    return kept


class KeptExtension(Extension):
    """``{% kept "name", key, ... %}…{% endkept %}``: the block's HTML kept per
    language and per the values listed, which must be everything the block
    reads that can differ between requests (the layout's navigation and
    footer). The request's CSRF token is not kept: it is cut out when the
    block is kept and the current one put in when it is shown."""

    tags = {"kept"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endkept",), drop_needle=True)
        key = nodes.Tuple(values, "load", lineno=lineno)
        return nodes.CallBlock(self.call_method("_kept", [key]), [], [], body, lineno=lineno)

    def _kept(self, key, caller):
        app = current_app._get_current_object()
        if not _keeping(app):
            return caller()
        host, root, _blueprint, _covers = _request_context(app)
        key = (current_translations(), host, root, key)
        kept = kept_parts(app)
        html = kept.get(key)
        if html is None:
            html = str(caller())
            token = g.get("csrf_token")
            if token:
                html = html.replace(token, TOKEN_SLOT)
            kept.put(key, html)
        if TOKEN_SLOT in html:
            html = html.replace(TOKEN_SLOT, generate_csrf())
        return Markup(html)

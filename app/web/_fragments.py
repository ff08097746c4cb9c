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

from flask import current_app, g, request
from markupsafe import Markup

from app.i18n import page_locale
from app.libs.covers import stored_covers

SLOT = "<!--fisher-card-slot-->"  # never produced by escaped text: '<' escapes to '&lt;'
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


def _page_context(app) -> tuple:
    """(language, root path, stored covers) of this request, looked up once
    for all of its cards."""
    context = g.get("_fisher_card_context")
    if context is None:
        context = g._fisher_card_context = (page_locale(), request.script_root, stored_covers(app))
    return context


def card_html(book, extra="") -> Markup:
    """The book card of ``book`` (any object with isbn, title, author and
    intro) around ``extra``, the caller's already rendered part."""
    fields = CardBook(book.isbn or "", book.title or "", book.author or "", book.intro or "")
    app = current_app._get_current_object()
    if app.jinja_env.auto_reload:  # templates being edited: always draw them anew
        before, after = _render(fields)
    else:
        language, root, covers = _page_context(app)
        key = (language, root, covers.get(fields.isbn), fields)
        kept = kept_cards(app)
        parts = kept.get(key)
        if parts is None:
            parts = _render(fields)
            kept.put(key, parts)
        before, after = parts
    return Markup(before + str(Markup.escape(extra)) + after)


def _url_context() -> tuple:
    context = g.get("_fisher_url_context")
    if context is None:
        context = g._fisher_url_context = (request.host, request.script_root, request.blueprint)
    return context


def kept_url_for(endpoint: str, **values) -> str:
    """The templates' ``url_for``: a relative URL is a pure function of the
    endpoint, its values (in their order: it is the query string's), the
    host, the root path and, for ".name", the blueprint -- so each is built
    once (a page builds 20 to 80). Anything else (``_external``, ``_anchor``
    and the other options, a value that cannot be a key) is Flask's
    ``url_for`` as it is."""
    app = current_app._get_current_object()
    try:
        key = (_url_context(), endpoint, tuple(values.items()))
        hash(key)
    except TypeError:
        return app.url_for(endpoint, **values)
    if any(name[0] == "_" for name in values):
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

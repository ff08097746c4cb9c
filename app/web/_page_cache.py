"""Caching of whole pages for anonymous visitors, never stale.

The pages everyone sees alike (home, search results, book pages, the rules
page) are kept in the cache, keyed by language, path and query string and by
the versions of what the page shows (``SCOPES`` below; app/services/
page_versions.py). Every unit of work that changes one of those things bumps
its version once it commits, so the next visitor gets a fresh page at once;
PAGE_CACHE_TTL only bounds how long an unused copy takes up room.

Logged-in users, visitors with a pending flash message and non-200 answers
always get a freshly rendered page, so nothing personal is ever cached. When
the cache cannot be reached the page is rendered uncached. A page whose
database transaction began before its versions were read is not stored (it
may predate a change whose bump it already saw).
"""
import hashlib
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user

from app.extensions import cache
from app.i18n import page_locale
from app.models.base import db
from app.services import page_versions as versions

# What each cached view shows, from its URL arguments. A view must be listed
# here to be cached: a page cached without its scopes would go stale.
SCOPES = {
    "index": lambda args: (versions.HOME,),
    "search": lambda args: (versions.SEARCH,),
    "book_detail": lambda args: (versions.book(args["isbn"]),),
    "about": lambda args: (),  # the config only: changes come with a restart
}


def _cacheable() -> bool:
    return (request.method == "GET" and not current_user.is_authenticated
            and not session.get("_flashes"))


def _key(tokens: tuple) -> str:
    # One copy per language: the same path reads differently in each.
    text = "\n".join((request.full_path, *tokens))
    return f"page:{page_locale()}:" + hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()


def _read(key: str):
    try:
        return cache.get(key)
    except Exception:  # the backend's own errors; the page is rendered instead
        current_app.logger.warning("page cache unreadable", exc_info=True)
        return None


def _store(key: str, body: bytes, ttl: int) -> None:
    try:
        cache.set(key, body, timeout=ttl)
    except Exception:
        current_app.logger.warning("page cache unwritable", exc_info=True)


def cached_for_visitors(view):
    scopes_of = SCOPES[view.__name__]

    @wraps(view)
    def wrapper(*args, **kwargs):
        ttl = current_app.config["PAGE_CACHE_TTL"]
        if not ttl or not _cacheable():
            return view(*args, **kwargs)
        snapshot_later = not db.session().in_transaction()
        tokens = versions.current(scopes_of(kwargs))
        if tokens is None:
            return view(*args, **kwargs)
        key = _key(tokens)
        body = _read(key)
        if body is not None:
            response = make_response(body)
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = make_response(view(*args, **kwargs))
        if snapshot_later and response.status_code == 200 and response.mimetype == "text/html":
            _store(key, response.get_data(), ttl)
        return response
    return wrapper

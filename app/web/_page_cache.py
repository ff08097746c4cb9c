"""Caching of whole pages for anonymous visitors, never stale.

The pages everyone sees alike (home, search results, book pages, the rules
page) are kept in the cache, keyed by language, path and query string, each
stored with the versions of what it shows (``SCOPES`` below; app/services/
page_versions.py). Every unit of work that changes one of those things bumps
its version once it commits, so the next visitor gets a fresh page at once;
PAGE_CACHE_TTL only bounds how long an unused copy takes up room. A visit
reads the page and the versions together, in one round trip to the cache,
and serves the copy only when its versions are the current ones.

Logged-in users, visitors with a pending flash message and non-200 answers
always get a freshly rendered page, so nothing personal is ever cached. When
the cache cannot be reached the page is rendered uncached. A page whose
database transaction began before its versions were read is not stored (it
may predate a change whose bump it already saw).
"""
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user

from app.extensions import cache
from app.i18n import page_locale
from app.models.base import db
from app.services import page_versions as versions
from app.web._page_cache_gate import CACHED_ENDPOINTS, local_copies, lookup, page_key

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


def _key() -> str:
    # One copy per language: the same path reads differently in each. The
    # same key as the gate's (app/web/_page_cache_gate.py), which serves hits
    # to visitors without a session before Flask runs.
    return page_key(page_locale(), request.environ)


def _store(key: str, tokens: tuple, body: bytes, ttl: int) -> None:
    local_copies(current_app).put(key, tokens, body)
    try:
        cache.set(key, (tokens, body), timeout=ttl)
    except Exception:
        current_app.logger.warning("page cache unwritable", exc_info=True)


def cached_for_visitors(view):
    scopes_of = SCOPES[view.__name__]
    CACHED_ENDPOINTS[f"web.{view.__name__}"] = scopes_of

    @wraps(view)
    def wrapper(*args, **kwargs):
        ttl = current_app.config["PAGE_CACHE_TTL"]
        if not ttl or not _cacheable():
            return view(*args, **kwargs)
        snapshot_later = not db.session().in_transaction()
        key = _key()
        found = lookup(local_copies(current_app), scopes_of(kwargs), key)
        if found is None:
            return view(*args, **kwargs)
        body, tokens = found
        if body is not None:
            response = make_response(body)
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = make_response(view(*args, **kwargs))
        if snapshot_later and response.status_code == 200 and response.mimetype == "text/html":
            _store(key, tokens, response.get_data(), ttl)
        return response
    return wrapper

"""Short-lived caching of whole pages for anonymous visitors.

The pages everyone sees alike (home, search results, book pages) are kept in
the cache for ``PAGE_CACHE_TTL`` seconds, keyed by path and query string.
Logged-in users, visitors with a pending flash message and non-200 answers
always get a freshly rendered page, so nothing personal is ever cached; a
visitor may see a gift list up to PAGE_CACHE_TTL seconds old.
"""
import hashlib
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user

from app.extensions import cache
from app.i18n import page_locale


def _cacheable() -> bool:
    return (request.method == "GET" and not current_user.is_authenticated
            and not session.get("_flashes"))


def cached_for_visitors(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        ttl = current_app.config["PAGE_CACHE_TTL"]
        if not ttl or not _cacheable():
            return view(*args, **kwargs)
        # One copy per language: the same path reads differently in each.
        key = f"page:{page_locale()}:" + hashlib.sha1(request.full_path.encode("utf-8", "replace")).hexdigest()
        body = cache.get(key)
        if body is not None:
            response = make_response(body)
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html":
            cache.set(key, response.get_data(), timeout=ttl)
        return response
    return wrapper

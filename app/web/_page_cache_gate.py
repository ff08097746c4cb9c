"""Answering a visitor's cached page before Flask runs.

A visitor with no session and no remember-me cookie sees the cached pages
(app/web/_page_cache.py) exactly as everyone else does, so the copy can be
served straight from the WSGI layer: the URL is matched to find the view and
its scopes, the page and the versions are read in one round trip, and a copy
made under the current versions is sent with the headers fisher gives every
page. Anything else -- a session (a flash, a form's token, a login), another
method, a host outside TRUSTED_HOSTS, a URL that is no cached view, a miss,
a cache that fails -- goes on to Flask unchanged, which renders the page and
stores it for the next visitor.

The cached views carry no rate limit (the gate answers before Flask-Limiter
would count the request) and set no cookie for a visitor; tests/
test_page_cache_gate.py checks that a hit from the gate has the same headers
as the page Flask renders.
"""
import hashlib

from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.wsgi import get_host

from app.i18n import LANGUAGES, LOCALE_COOKIE, accepted_language
from app.security import HEADERS
from app.services import page_versions as versions

CACHED_ENDPOINTS: dict[str, object] = {}  # "web.index": its scopes from the URL arguments


def visitor_locale(cookies, accept_language: str | None) -> str:
    """A visitor's page language, as app.i18n.select_locale chooses it."""
    chosen = cookies.get(LOCALE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return accepted_language(parse_accept_header(accept_language, LanguageAccept))


def page_key(locale: str, environ) -> str:
    """The cache key of the page this request asks for, in ``locale``: the
    host, the raw path and the query string, as the server received them."""
    text = "\n".join((environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                      environ.get("QUERY_STRING", "")))
    return f"page:{locale}:" + hashlib.sha1(text.encode("latin-1", "replace")).hexdigest()


def served_copy(stored, tokens) -> bytes | None:
    """The body of a stored copy when it was made under ``tokens``."""
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == tokens:
        return stored[1]
    return None


class PageCacheGate:
    """WSGI middleware in front of the Flask app ``app``."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app, self.app = wsgi_app, app
        self.session_cookies = {app.config.get("SESSION_COOKIE_NAME", "session"),
                                app.config.get("REMEMBER_COOKIE_NAME", "remember_token")}

    def __call__(self, environ, start_response):
        body = self._cached(environ) if environ.get("REQUEST_METHOD") == "GET" else None
        if body is None:
            return self.wsgi_app(environ, start_response)
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                   ("X-Page-Cache", "hit"), *HEADERS.items(), ("Vary", "Cookie")]
        start_response("200 OK", headers)
        return [body]

    def _cached(self, environ) -> bytes | None:
        if not self.app.config["PAGE_CACHE_TTL"]:
            return None
        cookies = parse_cookie(environ)
        if self.session_cookies.intersection(cookies):
            return None
        try:
            get_host(environ, self.app.config["TRUSTED_HOSTS"])
            endpoint, args = self.app.url_map.bind_to_environ(environ).match(method="GET")
        except (HTTPException, SecurityError):  # a redirect, a 404, an untrusted host: Flask answers
            return None
        scopes_of = CACHED_ENDPOINTS.get(endpoint)
        if scopes_of is None:
            return None
        key = page_key(visitor_locale(cookies, environ.get("HTTP_ACCEPT_LANGUAGE")), environ)
        with self.app.app_context():
            read = versions.current(scopes_of(args), also=key)
        return None if read is None else served_copy(*read)

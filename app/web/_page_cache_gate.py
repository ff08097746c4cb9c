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
import threading
from collections import OrderedDict

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


class LocalCopies:
    """This process's own copies of cached pages, beside the shared cache, so
    that a hit need not fetch the page's bytes: a visit still checks the
    current versions (app/services/page_versions.current), and a local copy
    is served only when it was made under exactly those versions.
    At most ``max_bytes`` of pages; the least recently served go first."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._copies: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self._lock:
            copy = self._copies.get(key)
            if copy is not None:
                self._copies.move_to_end(key)
            return copy

    def put(self, key: str, tokens: tuple, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            self._drop(key)
            self._copies[key] = (tokens, body)
            self.size += len(body)
            while self.size > self.max_bytes:
                self.size -= len(self._copies.popitem(last=False)[1][1])

    def drop(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: str) -> None:
        old = self._copies.pop(key, None)
        if old is not None:
            self.size -= len(old[1])


def local_copies(app) -> LocalCopies:
    """The app's LocalCopies (each worker its own: made empty before the fork)."""
    copies = app.extensions.get("fisher_page_copies")
    if copies is None:
        copies = app.extensions["fisher_page_copies"] = LocalCopies(app.config["PAGE_CACHE_LOCAL_BYTES"])
    return copies


def lookup(copies: LocalCopies, scopes, key: str) -> tuple | None:
    """``(body, versions)``: the page's body when a copy made under the current
    versions of ``scopes`` exists (this process's, else the shared cache's),
    else None; None instead of the pair when pages must not be cached now
    (app/services/page_versions.current). Runs in an app context."""
    local = copies.get(key)
    if local is not None:
        read = versions.current(scopes)
        if read is None:
            return None
        if local[0] == read[1]:
            return local[1], read[1]
        copies.drop(key)  # outdated here; the shared cache may hold the current one
    read = versions.current(scopes, also=key)
    if read is None:
        return None
    stored, tokens = read
    body = served_copy(stored, tokens)
    if body is not None:
        copies.put(key, tokens, body)
    return body, tokens


class PageCacheGate:
    """WSGI middleware in front of the Flask app ``app``."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app, self.app = wsgi_app, app
        self.copies = local_copies(app)
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
            found = lookup(self.copies, scopes_of(args), key)
        return None if found is None else found[0]

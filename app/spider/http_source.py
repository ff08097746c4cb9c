"""What every book source that answers over HTTP shares: bounded JSON GETs
and the answer cache.

Every call has a connect and a read timeout, a wall-clock budget however the
body trickles in, a size cap and a few retries of refused connections and
5xx answers. Answers are cached for ``ttl`` seconds, and the last good answer
is kept ``stale_ttl`` seconds to be served while the source is down.
"""
import hashlib
import json
import logging
import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.extensions import cache
from app.libs.book_record import RecordError, clean_record
from app.spider.source import BookPage, BookSourceError

log = logging.getLogger(__name__)
NOT_FOUND = object()  # what get_json answers for an allowed 404


def make_session(retries: int) -> requests.Session:
    """A session that retries idempotent GETs on refused connections and
    5xx answers with a short backoff (read timeouts are not retried, so a slow
    API costs one read timeout, not several). A ``Retry-After`` header is
    ignored: urllib3 would otherwise sleep as long as it says (up to 6 hours)."""
    retry = Retry(total=retries, connect=retries, read=0, status=retries,
                  backoff_factor=0.1, status_forcelist=(500, 502, 503, 504),
                  allowed_methods=("GET",), raise_on_status=False,
                  respect_retry_after_header=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "fisher/1.0"
    return session


def shared_session(app, name: str, retries: int) -> requests.Session:
    """One pooled session per source and app, made on first use."""
    key = f"{name}_session"
    session = app.extensions.get(key)
    if session is None:
        session = app.extensions[key] = make_session(retries)
    return session


@dataclass(frozen=True)
class HttpLimits:
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    total_timeout: float = 8.0  # wall-clock budget for one answer
    max_bytes: int = 2 * 1024 * 1024
    ttl: int = 3600  # seconds an answer is served from the cache
    stale_ttl: int = 7 * 86400  # how long the last good answer is kept for outages

    @classmethod
    def from_config(cls, cfg, prefix: str) -> "HttpLimits":
        return cls(cfg[f"{prefix}_CONNECT_TIMEOUT"], cfg[f"{prefix}_READ_TIMEOUT"],
                   cfg[f"{prefix}_TOTAL_TIMEOUT"], cfg[f"{prefix}_MAX_BYTES"],
                   cfg["BOOK_CACHE_TTL"], cfg["BOOK_STALE_TTL"])


class HttpSource:
    """Base of the HTTP book sources; ``name`` labels the source in logs and
    on pages ("Open Library 暂时不可用")."""
    name = "http"
    label = "HTTP"

    def __init__(self, base_url: str, session: requests.Session, limits: HttpLimits,
                 per_page: int = 15):
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.limits = limits
        self.per_page = per_page

    def cached(self, name: str, fetch) -> BookPage:
        """Answer from the cache while fresh; otherwise ask the source, and
        when it fails serve the last good answer if one is kept. The key holds
        the source's name as well as its base URL, so two sources on one host
        (or one test server) never answer from each other's cache."""
        digest = hashlib.sha1(f"{self.name}|{self.base_url}|{name}".encode()).hexdigest()
        key, stale_key = f"book:{digest}", f"book-stale:{digest}"
        hit = cache.get(key)
        if hit is not None:
            return BookPage(**hit)
        try:
            page = fetch()
        except BookSourceError as exc:
            stale = cache.get(stale_key)
            if stale is None:
                raise
            log.warning("%s failed (%s); serving the last good answer", self.label, exc)
            return BookPage(**stale)
        value = {"total": page.total, "books": page.books}
        cache.set(key, value, timeout=self.limits.ttl)
        cache.set(stale_key, value, timeout=self.limits.stale_ttl)
        return page

    def get_json(self, path: str, params: dict | None = None, allow_404: bool = False):
        """The decoded JSON answer of ``GET base_url + path``; NOT_FOUND for a
        404 when allowed; BookSourceError for every other failure."""
        url = self.base_url + path
        started = time.monotonic()
        timeout = (self.limits.connect_timeout, self.limits.read_timeout)
        try:
            with self.session.get(url, params=params, timeout=timeout, stream=True) as resp:
                if allow_404 and resp.status_code == 404:
                    return NOT_FOUND
                if resp.status_code != 200:
                    raise BookSourceError(f"{url} answered {resp.status_code}")
                body = self._read_capped(resp, started + self.limits.total_timeout)
        except requests.RequestException as exc:
            raise BookSourceError(f"{url} failed: {exc.__class__.__name__}") from exc
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            raise BookSourceError(f"{url} sent invalid JSON") from exc

    def _read_capped(self, resp, deadline: float) -> bytes:
        """The body, refused when larger than max_bytes or when it trickles in
        past the deadline (each read1 returns after one socket read, so a
        server sending a byte now and then cannot hold a worker)."""
        cap = self.limits.max_bytes
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise BookSourceError("answer too large")
        chunks, size = [], 0
        while chunk := resp.raw.read1(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > cap:
                raise BookSourceError("answer too large")
            if time.monotonic() > deadline:
                raise BookSourceError("answer too slow")
            chunks.append(chunk)
        return b"".join(chunks)

    def clean_books(self, objs: list) -> list[dict]:
        """Valid books of an answer (already in the Yushu shape); invalid
        ones are skipped."""
        books = []
        for obj in objs:
            try:
                books.append(clean_record(obj))
            except RecordError as exc:
                log.warning("%s sent an unusable book: %s", self.label, exc)
        return books

    def only_this_isbn(self, book: dict, isbn: str) -> BookPage:
        """The answer for ``isbn``: another book is no answer, since storing
        it would list a gift under an ISBN no book has."""
        if book["isbn"] != isbn:
            log.warning("%s answered ISBN %s with a book of ISBN %s", self.label, isbn, book["isbn"])
            return BookPage()
        return BookPage(1, [book], fetched=[book])

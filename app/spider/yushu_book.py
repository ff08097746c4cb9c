"""Client for a Yushu-compatible book API.

``GET {base}/v2/book/isbn/{isbn}`` returns one book object;
``GET {base}/v2/book/search?q=&count=&start=`` returns
``{"books": [...], "count": n, "start": n, "total": n}``. The client only
reads: every clean book the API returns comes back in ``BookPage.fetched``,
and ``services/books.py`` stores it in the local ``book`` table, so detail
pages do not fetch it again.
"""
import hashlib
import json
import logging
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.extensions import cache
from app.libs.book_record import RecordError, clean_record
from app.spider.source import BookPage, BookSourceError, stored_book

log = logging.getLogger(__name__)
_NOT_FOUND = object()  # what _get answers for an allowed 404


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


class YuShuBook:
    isbn_path = "/v2/book/isbn/{}"
    search_path = "/v2/book/search"

    def __init__(self, base_url: str, session: requests.Session, timeout: tuple[float, float],
                 max_bytes: int, per_page: int = 15, ttl: int = 3600, stale_ttl: int = 7 * 86400,
                 total_timeout: float = 8.0):
        self.ttl, self.stale_ttl, self.total_timeout = ttl, stale_ttl, total_timeout
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.per_page = per_page

    @classmethod
    def from_app(cls, app) -> "YuShuBook":
        cfg = app.config
        session = app.extensions.get("yushu_session")
        if session is None:
            session = app.extensions["yushu_session"] = make_session(cfg["YUSHU_RETRIES"])
        return cls(cfg["YUSHU_API_BASE_URL"], session,
                   (cfg["YUSHU_CONNECT_TIMEOUT"], cfg["YUSHU_READ_TIMEOUT"]),
                   cfg["YUSHU_MAX_BYTES"], cfg["PER_PAGE"], cfg["BOOK_CACHE_TTL"],
                   cfg["BOOK_STALE_TTL"], cfg["YUSHU_TOTAL_TIMEOUT"])

    # -- public interface (same as LocalCatalog) --------------------------
    def search_by_isbn(self, isbn: str) -> BookPage:
        known = stored_book(isbn)
        if known.first:
            return known
        return self._cached(f"isbn:{isbn}", lambda: self._fetch_isbn(isbn))

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        return self._cached(f"search:{page}:{keyword}", lambda: self._fetch_keyword(keyword, page))

    # -- internals --------------------------------------------------------
    def _cached(self, name: str, fetch) -> BookPage:
        """Answer from the cache while fresh; otherwise ask the API, and when
        the API fails serve the last good answer if one is kept."""
        digest = hashlib.sha1(f"{self.base_url}|{name}".encode()).hexdigest()
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
            log.warning("book API failed (%s); serving the last good answer", exc)
            return BookPage(**stale)
        value = {"total": page.total, "books": page.books}
        cache.set(key, value, timeout=self.ttl)
        cache.set(stale_key, value, timeout=self.stale_ttl)
        return page

    def _fetch_isbn(self, isbn: str) -> BookPage:
        data = self._get(self.isbn_path.format(isbn), allow_404=True)
        if data is _NOT_FOUND or data == {}:
            return BookPage()
        if not isinstance(data, dict):
            raise BookSourceError("ISBN answer is not a book object")
        try:
            book = clean_record(data)
        except RecordError as exc:
            raise BookSourceError(f"ISBN answer is not a usable book: {exc}") from exc
        if book["isbn"] != isbn:
            # Another book is no answer: storing it would list a gift under
            # an ISBN no book has.
            log.warning("book API answered ISBN %s with a book of ISBN %s", isbn, book["isbn"])
            return BookPage()
        return BookPage(1, [book], fetched=[book])

    def _fetch_keyword(self, keyword: str, page: int) -> BookPage:
        params = {"q": keyword, "count": self.per_page, "start": (page - 1) * self.per_page}
        data = self._get(self.search_path, params=params)
        if not isinstance(data, dict) or not isinstance(data.get("books"), list):
            raise BookSourceError("search answer has no book list")
        total = data.get("total", 0)
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise BookSourceError("search answer has no valid total")
        books = self._clean_books(data["books"])
        return BookPage(max(total, len(books)), books, fetched=books)

    def _get(self, path: str, params: dict | None = None, allow_404: bool = False):
        url = self.base_url + path
        started = time.monotonic()
        try:
            with self.session.get(url, params=params, timeout=self.timeout, stream=True) as resp:
                if allow_404 and resp.status_code == 404:
                    return _NOT_FOUND
                if resp.status_code != 200:
                    raise BookSourceError(f"{url} answered {resp.status_code}")
                body = self._read_capped(resp, started + self.total_timeout)
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
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise BookSourceError("answer too large")
        chunks, size = [], 0
        while chunk := resp.raw.read1(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > self.max_bytes:
                raise BookSourceError("answer too large")
            if time.monotonic() > deadline:
                raise BookSourceError("answer too slow")
            chunks.append(chunk)
        return b"".join(chunks)

    def _clean_books(self, objs: list) -> list[dict]:
        """Valid books of an answer; invalid ones are skipped."""
        books = []
        for obj in objs:
            try:
                books.append(clean_record(obj))
            except RecordError as exc:
                log.warning("book API sent an unusable book: %s", exc)
        return books

"""Google Books as a book source.

Both lookups use ``GET {base}/books/v1/volumes``: ``q=isbn:{isbn}`` for an
ISBN and ``q={keyword}&startIndex=&maxResults=`` for a keyword. The answer is
``{"totalItems": n, "items": [{"volumeInfo": {...}}, ...]}``, without
``items`` when nothing matched. ``key`` is sent only when
``GOOGLE_BOOKS_API_KEY`` is set: without one Google still answers, within a
smaller daily quota.
"""
from app.libs.book_record import RecordError, clean_record
from app.spider.http_source import HttpLimits, HttpSource, shared_session
from app.spider.mapping import https, pick_isbn
from app.spider.source import BookPage, BookSourceError


class GoogleBooks(HttpSource):
    name = "googlebooks"
    label = "Google Books"
    volumes_path = "/books/v1/volumes"

    def __init__(self, base_url, session, limits, per_page=15, api_key=None):
        super().__init__(base_url, session, limits, per_page)
        self.api_key = api_key

    @classmethod
    def from_app(cls, app) -> "GoogleBooks":
        cfg = app.config
        return cls(cfg["GOOGLE_BOOKS_BASE_URL"], shared_session(app, "googlebooks", cfg["BOOK_HTTP_RETRIES"]),
                   HttpLimits.from_config(cfg, "BOOK_HTTP"), cfg["PER_PAGE"], cfg["GOOGLE_BOOKS_API_KEY"])

    def search_by_isbn(self, isbn: str) -> BookPage:
        return self.cached(f"isbn:{isbn}", lambda: self._fetch_isbn(isbn))

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        return self.cached(f"search:{page}:{keyword}", lambda: self._fetch_keyword(keyword, page))

    def _volumes(self, params: dict) -> tuple[list, int]:
        """The items and totalItems of one volumes answer, checked."""
        if self.api_key:
            params["key"] = self.api_key
        data = self.get_json(self.volumes_path, params=params)
        if not isinstance(data, dict):
            raise BookSourceError("volumes answer is not an object")
        items = data.get("items", [])
        if not isinstance(items, list):
            raise BookSourceError("volumes answer has no item list")
        total = data.get("totalItems", len(items))
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise BookSourceError("volumes answer has no valid totalItems")
        return items, total

    def _fetch_isbn(self, isbn: str) -> BookPage:
        items, _total = self._volumes({"q": f"isbn:{isbn}"})
        if not items:
            return BookPage()
        # Google may list other editions too; the volume that has this ISBN
        # is the answer, and the first one stands for "another book" otherwise.
        records = [volume_record(item, isbn) for item in items]
        record = next((r for r in records if isinstance(r, dict) and r.get("isbn") == isbn), records[0])
        try:
            book = clean_record(record)
        except RecordError as exc:
            raise BookSourceError(f"ISBN answer is not a usable book: {exc}") from exc
        return self.only_this_isbn(book, isbn)

    def _fetch_keyword(self, keyword: str, page: int) -> BookPage:
        items, total = self._volumes({"q": keyword, "startIndex": (page - 1) * self.per_page,
                                      "maxResults": self.per_page})
        books = self.clean_books([volume_record(item) for item in items])
        return BookPage(max(total, len(books)), books, fetched=books)


def volume_record(item, wanted: str | None = None):
    """A Yushu-shape record from one volume's volumeInfo, stored under its
    ISBN-13 (an ISBN-10 converted when it has only that)."""
    info = item.get("volumeInfo") if isinstance(item, dict) else None
    if not isinstance(info, dict):
        return info
    ids = info.get("industryIdentifiers")
    ids = ids if isinstance(ids, list) else []
    isbns = [i.get("identifier") for kind in ("ISBN_13", "ISBN_10") for i in ids
             if isinstance(i, dict) and i.get("type") == kind]
    links = info.get("imageLinks")
    links = links if isinstance(links, dict) else {}
    return {
        "isbn": pick_isbn(isbns, wanted),
        "title": info.get("title"),
        "subtitle": info.get("subtitle"),
        "author": info.get("authors"),
        "publisher": info.get("publisher"),
        "pubdate": info.get("publishedDate"),
        "pages": info.get("pageCount") or None,  # 0 means unknown
        "image": https(links.get("thumbnail") or links.get("smallThumbnail")),
        "summary": info.get("description"),
    }

"""Client for a Yushu-compatible book API.

``GET {base}/v2/book/isbn/{isbn}`` returns one book object;
``GET {base}/v2/book/search?q=&count=&start=`` returns
``{"books": [...], "count": n, "start": n, "total": n}``. The client only
reads: every clean book the API returns comes back in ``BookPage.fetched``,
and ``services/books.py`` stores it in the local ``book`` table, so detail
pages do not fetch it again.
"""
from app.libs.book_record import RecordError, clean_record
from app.spider.http_source import NOT_FOUND, HttpLimits, HttpSource, shared_session
from app.spider.source import BookPage, BookSourceError


class YuShuBook(HttpSource):
    name = "yushu"
    label = "鱼书 API"
    isbn_path = "/v2/book/isbn/{}"
    search_path = "/v2/book/search"

    @classmethod
    def from_app(cls, app) -> "YuShuBook":
        cfg = app.config
        return cls(cfg["YUSHU_API_BASE_URL"], shared_session(app, "yushu", cfg["YUSHU_RETRIES"]),
                   HttpLimits.from_config(cfg, "YUSHU"), cfg["PER_PAGE"])

    def search_by_isbn(self, isbn: str) -> BookPage:
        return self.cached(f"isbn:{isbn}", lambda: self._fetch_isbn(isbn))

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        return self.cached(f"search:{page}:{keyword}", lambda: self._fetch_keyword(keyword, page))

    def _fetch_isbn(self, isbn: str) -> BookPage:
        data = self.get_json(self.isbn_path.format(isbn), allow_404=True)
        if data is NOT_FOUND or data == {}:
            return BookPage()
        if not isinstance(data, dict):
            raise BookSourceError("ISBN answer is not a book object")
        try:
            book = clean_record(data)
        except RecordError as exc:
            raise BookSourceError(f"ISBN answer is not a usable book: {exc}") from exc
        return self.only_this_isbn(book, isbn)

    def _fetch_keyword(self, keyword: str, page: int) -> BookPage:
        params = {"q": keyword, "count": self.per_page, "start": (page - 1) * self.per_page}
        data = self.get_json(self.search_path, params=params)
        if not isinstance(data, dict) or not isinstance(data.get("books"), list):
            raise BookSourceError("search answer has no book list")
        total = data.get("total", 0)
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise BookSourceError("search answer has no valid total")
        books = self.clean_books(data["books"])
        return BookPage(max(total, len(books)), books, fetched=books)

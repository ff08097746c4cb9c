"""Open Library as a book source.

An ISBN is looked up with the books API,
``GET {base}/api/books?bibkeys=ISBN:{isbn}&format=json&jscmd=data``, which
answers an object keyed by the bibkey asked (``{}`` when it has no such
book). A keyword goes to ``GET {base}/search.json?q=&limit=&offset=&fields=``,
which answers ``{"numFound": n, "docs": [...]}``. Search docs are works, not
editions: a work lists the ISBNs of all its editions, so the record takes its
first ISBN-13 (and the first publisher), and a doc without a valid ISBN is
skipped, since a book here is an ISBN.
"""
import logging

from app.libs.book_record import RecordError, clean_record
from app.spider.http_source import HttpLimits, HttpSource, shared_session
from app.spider.mapping import first, https, names_of, pick_isbn, text_of
from app.spider.source import BookPage, BookSourceError

log = logging.getLogger(__name__)
SEARCH_FIELDS = ("key,title,subtitle,author_name,publisher,first_publish_year,publish_date,"
                 "number_of_pages_median,isbn,cover_i")


class OpenLibrary(HttpSource):
    name = "openlibrary"
    label = "Open Library"
    books_path = "/api/books"
    search_path = "/search.json"

    def __init__(self, base_url, session, limits, per_page=15, covers_url="https://covers.openlibrary.org"):
        super().__init__(base_url, session, limits, per_page)
        self.covers_url = covers_url.rstrip("/")

    @classmethod
    def from_app(cls, app) -> "OpenLibrary":
        cfg = app.config
        return cls(cfg["OPENLIBRARY_BASE_URL"], shared_session(app, "openlibrary", cfg["BOOK_HTTP_RETRIES"]),
                   HttpLimits.from_config(cfg, "BOOK_HTTP"), cfg["PER_PAGE"], cfg["OPENLIBRARY_COVERS_URL"])

    def search_by_isbn(self, isbn: str) -> BookPage:
        return self.cached(f"isbn:{isbn}", lambda: self._fetch_isbn(isbn))

    def search_by_keyword(self, keyword: str, page: int = 1) -> BookPage:
        return self.cached(f"search:{page}:{keyword}", lambda: self._fetch_keyword(keyword, page))

    def _fetch_isbn(self, isbn: str) -> BookPage:
        bibkey = f"ISBN:{isbn}"
        data = self.get_json(self.books_path, params={"bibkeys": bibkey, "format": "json", "jscmd": "data"})
        if not isinstance(data, dict):
            raise BookSourceError("books answer is not an object")
        if bibkey not in data:
            if data:
                log.warning("%s answered %s with other keys %s", self.label, bibkey, list(data)[:3])
            return BookPage()
        try:
            book = clean_record(self.edition_record(data[bibkey], isbn))
        except RecordError as exc:
            raise BookSourceError(f"ISBN answer is not a usable book: {exc}") from exc
        return self.only_this_isbn(book, isbn)

    def _fetch_keyword(self, keyword: str, page: int) -> BookPage:
        params = {"q": keyword, "limit": self.per_page, "offset": (page - 1) * self.per_page,
                  "fields": SEARCH_FIELDS}
        data = self.get_json(self.search_path, params=params)
        if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
            raise BookSourceError("search answer has no doc list")
        total = data.get("numFound", data.get("num_found", 0))
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise BookSourceError("search answer has no valid numFound")
        books = self.clean_books([self.search_record(doc) for doc in data["docs"]])
        return BookPage(max(total, len(books)), books, fetched=books)

    @staticmethod
    def edition_record(entry, isbn: str):
        """A Yushu-shape record from one books-API entry. Its ISBN is the one
        asked when the entry lists it, another listed one when not (so the
        answer is refused as another book's), and the bibkey's when it lists
        none."""
        if not isinstance(entry, dict):
            return entry
        ids = entry.get("identifiers")
        ids = ids if isinstance(ids, dict) else {}
        candidates = [value for name in ("isbn_13", "isbn_10") if isinstance(ids.get(name), list)
                      for value in ids[name]]
        cover = entry.get("cover")
        cover = cover if isinstance(cover, dict) else {}
        return {
            "isbn": pick_isbn(candidates, isbn) if candidates else isbn,
            "title": text_of(entry.get("title")),
            "subtitle": text_of(entry.get("subtitle")),
            "author": names_of(entry.get("authors")),
            "publisher": first(names_of(entry.get("publishers"))),
            "pubdate": entry.get("publish_date"),
            "pages": entry.get("number_of_pages") or entry.get("pagination"),
            "image": https(cover.get("large") or cover.get("medium")),
            "summary": _summary(entry),
        }

    def search_record(self, doc):
        """A Yushu-shape record from one search doc (a work)."""
        if not isinstance(doc, dict):
            return doc
        cover_id = doc.get("cover_i")
        has_cover = isinstance(cover_id, int) and not isinstance(cover_id, bool) and cover_id > 0
        return {
            "isbn": pick_isbn(doc.get("isbn")),
            "title": text_of(doc.get("title")),
            "subtitle": text_of(doc.get("subtitle")),
            "author": doc.get("author_name"),
            "publisher": first(doc.get("publisher")),
            "pubdate": doc.get("first_publish_year") or first(doc.get("publish_date")),
            "pages": doc.get("number_of_pages_median"),
            "image": f"{self.covers_url}/b/id/{cover_id}-L.jpg" if has_cover else None,
        }


def _summary(entry: dict):
    """What the books API has of a summary: a description, notes, or the
    first excerpt, each a string or ``{"value": text}``."""
    for name in ("description", "notes"):
        if entry.get(name):
            return text_of(entry[name])
    excerpt = first(entry.get("excerpts"))
    if isinstance(excerpt, dict):
        return text_of(excerpt.get("text"))
    return excerpt

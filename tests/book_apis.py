"""Fake Open Library and Google Books answers in their documented shapes, and
one adapter per API so a test can be written once for both (see
test_book_http_sources.py).

Open Library: the books API (``/api/books?bibkeys=ISBN:..&jscmd=data``)
answers ``{"ISBN:<isbn>": edition}``; search.json answers ``{"numFound",
"start", "docs": [work, ...]}``. Google Books: ``/books/v1/volumes`` answers
``{"kind", "totalItems", "items": [{"volumeInfo": ...}]}``, without items
when nothing matched.
"""
import json
import urllib.parse

from pytest_httpserver.httpserver import QueryMatcher

from tests.helpers import HUOZHE, SANTI, isbn13

ISBN = SANTI
OTHER_ISBN = HUOZHE
COVERS = "https://covers.example.org"  # never fetched: only written into image addresses


def isbn10(isbn: str) -> str:
    """The ISBN-10 of a 978 ISBN-13."""
    body = isbn[3:12]
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


def numbered_isbn(n: int) -> str:
    return isbn13(f"978030640{n:03d}")


def raw_json(obj) -> str:
    """JSON text with non-ASCII escaped, so a lone surrogate in ``obj``
    reaches the client as a ``\\udXXX`` escape, as a broken API would send it."""
    return json.dumps(obj, ensure_ascii=True)


class QueryHas(QueryMatcher):
    """Matches a request whose ``name`` parameter satisfies ``test`` (Google
    answers ISBN and keyword lookups on one path)."""

    def __init__(self, name: str, test):
        self.name, self.test = name, test

    def get_comparing_values(self, request_query_string: bytes):
        query = dict(urllib.parse.parse_qsl(request_query_string.decode()))
        return bool(self.test(query.get(self.name, ""))), True


# --- Open Library -----------------------------------------------------------

def ol_edition(isbn: str = ISBN, **fields) -> dict:
    """A books API (jscmd=data) edition, listing its ISBN-13 and ISBN-10."""
    edition = {
        "key": "/books/OL1M",
        "title": "三体", "subtitle": "地球往事",
        "authors": [{"key": "/authors/OL1A", "name": "刘慈欣"}],
        "publishers": [{"name": "重庆出版社"}], "publish_places": [{"name": "重庆"}],
        "publish_date": "2008", "number_of_pages": 302, "pagination": "302 p.",
        "identifiers": {"isbn_13": [isbn], "isbn_10": [isbn10(isbn)], "openlibrary": ["OL1M"]},
        "notes": {"type": "/type/text", "value": "文化大革命中的一次秘密军事工程。"},
        "cover": {"small": "https://covers.openlibrary.org/b/id/1-S.jpg",
                  "medium": "https://covers.openlibrary.org/b/id/1-M.jpg",
                  "large": "http://covers.openlibrary.org/b/id/1-L.jpg"},
    }
    edition.update(fields)
    return edition


def ol_books_answer(edition: dict, isbn: str = ISBN) -> dict:
    return {f"ISBN:{isbn}": edition}


def ol_doc(n: int, **fields) -> dict:
    """A search.json doc (a work): it lists the ISBN-10 of another edition
    before this edition's ISBN-13, as works list the ISBNs of all editions."""
    isbn = numbered_isbn(n)
    doc = {"key": f"/works/OL{n}W", "title": f"Python Book {n}", "subtitle": f"Part {n}",
           "author_name": [f"Author {n}", "Co Author"], "publisher": [f"Press {n}", "Other Press"],
           "first_publish_year": 2000 + n, "publish_date": [f"{2000 + n}"],
           "number_of_pages_median": 100 + n, "isbn": [isbn10(numbered_isbn(n + 500)), isbn],
           "cover_i": 1000 + n}
    doc.update(fields)
    return doc


def ol_search_answer(docs: list, total: int | None = None, start: int = 0) -> dict:
    return {"numFound": len(docs) if total is None else total, "start": start,
            "numFoundExact": True, "docs": docs}


# --- Google Books -----------------------------------------------------------

def gb_volume(isbn: str = ISBN, **info) -> dict:
    """A volume with both industry identifiers and an http thumbnail."""
    volume_info = {
        "title": "三体", "subtitle": "地球往事", "authors": ["刘慈欣"], "publisher": "重庆出版社",
        "publishedDate": "2008-01", "description": "文化大革命中的一次秘密军事工程。",
        "industryIdentifiers": [{"type": "ISBN_10", "identifier": isbn10(isbn)},
                                {"type": "ISBN_13", "identifier": isbn}],
        "pageCount": 302, "printType": "BOOK", "language": "zh",
        "imageLinks": {"smallThumbnail": "http://books.google.com/books/content?id=v1&zoom=5",
                       "thumbnail": "http://books.google.com/books/content?id=v1&zoom=1"},
    }
    volume_info.update(info)
    return {"kind": "books#volume", "id": f"v{isbn}", "volumeInfo": volume_info}


def gb_numbered(n: int, **info) -> dict:
    return gb_volume(numbered_isbn(n), **{"title": f"Python Book {n}", "authors": [f"Author {n}"], **info})


def gb_answer(items: list, total: int | None = None) -> dict:
    answer = {"kind": "books#volumes", "totalItems": len(items) if total is None else total}
    if items:
        answer["items"] = items
    return answer


# --- one adapter per API ----------------------------------------------------

class OpenLibraryApi:
    name, label = "openlibrary", "Open Library"
    total_key = "numFound"

    def config(self, base: str) -> dict:
        return {"OPENLIBRARY_BASE_URL": base, "OPENLIBRARY_COVERS_URL": COVERS}

    def expect_isbn(self, server):
        return server.expect_request("/api/books")

    def expect_search(self, server):
        return server.expect_request("/search.json")

    def isbn_answer(self, isbn: str = ISBN, book_isbn: str | None = None, **fields) -> dict:
        """The books API's answer for ``isbn``, describing ``book_isbn``'s edition."""
        return ol_books_answer(ol_edition(book_isbn or isbn, **fields), isbn)

    def search_answer(self, books: list[dict], total: int | None = None) -> dict:
        """A search answer of numbered docs, each ``{"n": n, **fields}``."""
        return ol_search_answer([ol_doc(b.pop("n"), **b) for b in map(dict, books)], total)

    def bad_list_answer(self) -> dict:
        return {"numFound": 1, "docs": {"0": ol_doc(1)}}


class GoogleBooksApi:
    name, label = "googlebooks", "Google Books"
    total_key = "totalItems"
    path = "/books/v1/volumes"

    def config(self, base: str) -> dict:
        return {"GOOGLE_BOOKS_BASE_URL": base}

    def expect_isbn(self, server):
        return server.expect_request(self.path, query_string=QueryHas("q", lambda q: q.startswith("isbn:")))

    def expect_search(self, server):
        return server.expect_request(self.path, query_string=QueryHas("q", lambda q: not q.startswith("isbn:")))

    def isbn_answer(self, isbn: str = ISBN, book_isbn: str | None = None, **fields) -> dict:
        return gb_answer([gb_volume(book_isbn or isbn, **fields)])

    def search_answer(self, books: list[dict], total: int | None = None) -> dict:
        return gb_answer([gb_numbered(b.pop("n"), **b) for b in map(dict, books)], total)

    def bad_list_answer(self) -> dict:
        return {"totalItems": 1, "items": {"0": gb_numbered(1)}}


APIS = [OpenLibraryApi(), GoogleBooksApi()]

"""/api/v1 books: one by ISBN, and the keyword search.

``GET /books/{isbn}`` asks the chain of book sources as the book page does
(and keeps what a remote source found); ``GET /books?q=`` is the local
catalog's ranked keyword search (an ISBN query is that one book), paged by
an offset cursor since the order is a ranking, not an id.
"""
from flask import current_app, jsonify

from app.api.paging import next_offset, offset_of, page_response
from app.api.problems import problem
from app.api.schemas.book import Book, BookPage, BookSearch
from app.api.spec import operation
from app.api.v1 import api_v1
from app.libs.book_record import BOOK_FIELDS
from app.libs.covers import local_cover
from app.libs.helper import normalize_isbn
from app.libs.site_url import site_url_for
from app.models.book_search import search_books_from
from app.models.offers import offer_counts
from app.services import books as book_service
from app.spider import BookSourceError
from app.spider.source import stored_book


def bad_isbn(text: str):
    return problem(400, f"{text[:40]} 不是有效的 ISBN", kind="invalid-isbn", title="Not an ISBN")


def unknown_book(isbn: str):
    return problem(404, f"还没有哪个书源知道 ISBN {isbn}", kind="unknown-book", title="Unknown book")


def book_json(record: dict, offered: int) -> dict:
    """A book record as the Book model: lists for names, "" for no value."""
    book = {field: record.get(field) for field in BOOK_FIELDS}
    book["author"], book["translator"] = list(book["author"] or []), list(book["translator"] or [])
    cover = local_cover(current_app, book["isbn"])
    book["image"] = site_url_for("web.stored_cover", name=cover) if cover else (book["image"] or "")
    book = {key: ("" if value is None else value) for key, value in book.items()}
    return {**book, "offered": offered}


def books_json(records: list[dict]) -> list[dict]:
    counts = offer_counts([record["isbn"] for record in records])
    return [book_json(record, counts.get(record["isbn"], 0)) for record in records]


@api_v1.get("/books/<isbn>")
@operation("getBook", ok=Book, errors=(404, 503), tags=("books",))
def get_book(isbn: str):
    """The book with this ISBN (ISBN-10 or -13, hyphens allowed), from the
    first book source that knows it; 503 when none knows it and one could
    not answer."""
    number = normalize_isbn(isbn)
    if number is None:
        return bad_isbn(isbn)
    try:
        record = book_service.find_by_isbn(number)
    except BookSourceError:
        return problem(503, "书源暂时不可用，请稍后再试", kind="source-unavailable",
                       title="Book source unavailable")
    if record is None:
        return unknown_book(number)
    return jsonify(books_json([record])[0])


@api_v1.get("/books")
@operation("searchBooks", query=BookSearch, ok=BookPage, paginated=True, tags=("books",))
def search_books(query: BookSearch):
    """Books of the local catalog matching a keyword (best first: title,
    then authors, then the rest; pinyin and traditional characters too), or
    the one book with that ISBN."""
    offset = offset_of(query)
    isbn = normalize_isbn(query.q)
    if isbn:
        found = stored_book(isbn)
        total, records = found.total, found.books[offset:offset + query.limit]
    else:
        total, matched = search_books_from(query.q.strip(), offset, query.limit)
        records = [book.to_dict() for book in matched]
    return page_response(books_json(records), next_offset(query, offset, total), total=total)

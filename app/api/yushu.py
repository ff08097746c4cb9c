"""The Yushu book API, answered from fisher's own book table.

Old Yushu clients -- fisher's own ``YuShuBook`` source among them -- can use
a fisher site as their API: ``GET /v2/book/isbn/<isbn>`` gives one book and
``GET /v2/book/search?q=&count=&start=`` a slice of the keyword search. The
answers come from the local catalog alone (never a remote source, so a
request here causes no outbound call), are read-only, open to any origin,
cacheable for five minutes and rate limited per client address
(``YUSHU_API_RATE_LIMIT``). Errors are JSON (see ``app/api/errors``).
"""
import re

from flask import Blueprint, current_app, jsonify, request

from app.api.errors import api_error
from app.extensions import limiter
from app.libs.book_record import BOOK_FIELDS
from app.libs.covers import local_cover
from app.libs.helper import normalize_isbn
from app.libs.site_url import site_url_for
from app.models.book_search import search_books_from
from app.spider.source import stored_book

yushu_api = Blueprint("yushu_api", __name__, url_prefix="/v2/book")

COUNT_DEFAULT, COUNT_MAX = 15, 100
START_MAX = 10000
QUERY_MAX = 100
MAX_AGE = 300
_INTEGER = re.compile(r"-?[0-9]{1,9}")  # ASCII digits only: int() also takes "٣" and " 3"


class BadRequest(ValueError):
    """A parameter the API cannot use; the message says which."""


def api_rate_limit() -> str:
    return current_app.config["YUSHU_API_RATE_LIMIT"]


# One allowance per client address for both paths; preflights are not counted.
_limited = limiter.shared_limit(api_rate_limit, scope="yushu-api", methods=["GET", "HEAD"])


@yushu_api.get("/isbn/<isbn>")
@_limited
def book_by_isbn(isbn):
    number = normalize_isbn(isbn)
    if number is None:
        return api_error(400, "invalid isbn")
    book = stored_book(number).first
    if book is None:
        return api_error(404, "book not found")
    return _cacheable(yushu_book(book))


@yushu_api.get("/search")
@_limited
def search():
    try:
        query, count, start = _search_params(request.args)
    except BadRequest as exc:
        return api_error(400, str(exc))
    total, books = _matches(query, start, count)
    return _cacheable({"books": [yushu_book(b) for b in books], "count": count,
                       "start": start, "total": total})


@yushu_api.after_request
def open_to_every_origin(response):
    """Any page may read these answers (they hold nothing private); a
    preflight learns that only reading is allowed."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def yushu_book(record: dict) -> dict:
    """One book in the Yushu shape. The image is fisher's own copy of the
    cover when it has one (an absolute URL on SITE_URL), else the stored
    image address (a client such as another fisher may fetch it itself)."""
    book = {field: record.get(field) for field in BOOK_FIELDS}
    book["author"], book["translator"] = list(book["author"] or []), list(book["translator"] or [])
    cover = local_cover(current_app, book["isbn"])
    book["image"] = site_url_for("web.stored_cover", name=cover) if cover else (book["image"] or "")
    return {key: ("" if value is None else value) for key, value in book.items()}


def _search_params(args) -> tuple[str, int, int]:
    """(q, count, start) of a search request; BadRequest for unusable ones.
    A count outside 1..100 is brought inside it; a start must be 0..10000."""
    query = args.get("q", "").strip()
    if not query:
        raise BadRequest("q is required")
    if len(query) > QUERY_MAX:
        raise BadRequest(f"q longer than {QUERY_MAX} characters")
    count = min(max(_integer(args, "count", COUNT_DEFAULT), 1), COUNT_MAX)
    start = _integer(args, "start", 0)
    if not 0 <= start <= START_MAX:
        raise BadRequest(f"start must be between 0 and {START_MAX}")
    return query, count, start


def _integer(args, name: str, default: int) -> int:
    text = args.get(name)
    if text is None or text == "":
        return default
    if not _INTEGER.fullmatch(text):
        raise BadRequest(f"{name} must be an integer")
    return int(text)


def _matches(query: str, start: int, count: int) -> tuple[int, list[dict]]:
    """(total, records from ``start``): an ISBN query is that one book."""
    isbn = normalize_isbn(query)
    if isbn:
        found = stored_book(isbn)
        return found.total, found.books[start:start + count]
    total, books = search_books_from(query, start, count)
    return total, [book.to_dict() for book in books]


def _cacheable(body: dict):
    response = jsonify(body)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response

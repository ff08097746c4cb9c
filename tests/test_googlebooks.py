"""GoogleBooks against a real local HTTP server (pytest-httpserver): volumes
mapped to book records, stored, paged, and the API key sent only when set
(failures are in test_book_http_sources.py)."""
import pytest
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.spider.googlebooks import GoogleBooks
from tests.book_apis import (
    ISBN, OTHER_ISBN, gb_answer, gb_numbered, gb_volume, isbn10, numbered_isbn)
from tests.yushu_api import api_requests, book_count

PATH = "/books/v1/volumes"


def _stored(app, isbn: str) -> dict | None:
    with app.app_context():
        book = db.session.scalar(select(Book).where(Book.isbn == isbn))
        return book.to_dict() if book else None


def _args(httpserver) -> list[dict]:
    """The query parameters of each volumes request the server saw."""
    return [dict(req.args) for req in api_requests(httpserver, PATH)]


def test_isbn_lookup_maps_the_volume_and_stores_it(remote_app, httpserver):
    """``q=isbn:<isbn>`` is asked once; every field of volumeInfo lands in the
    book table, the thumbnail on https, and a second detail view asks nothing."""
    httpserver.expect_request(PATH, query_string={"q": f"isbn:{ISBN}"}).respond_with_json(
        gb_answer([gb_volume()]))
    app = remote_app("googlebooks")
    client = app.test_client()
    first = client.get(f"/book/{ISBN}/detail")
    assert first.status_code == 200
    assert "重庆出版社" in first.get_data(as_text=True)
    assert client.get(f"/book/{ISBN}/detail").status_code == 200
    assert len(api_requests(httpserver, PATH)) == 1
    book = _stored(app, ISBN)
    assert book == dict(book, title="三体", subtitle="地球往事", author=["刘慈欣"], translator=[],
                        publisher="重庆出版社", pubdate="2008-01", pages="302",
                        image="https://books.google.com/books/content?id=v1&zoom=1",
                        summary="文化大革命中的一次秘密军事工程。")


@pytest.mark.parametrize("key", [None, "", "k-123"])
def test_api_key_sent_only_when_set(remote_app, httpserver, key):
    """Both lookups carry ``key`` exactly when GOOGLE_BOOKS_API_KEY is set."""
    httpserver.expect_request(PATH).respond_with_json(gb_answer([gb_volume()]))
    app = remote_app("googlebooks", GOOGLE_BOOKS_API_KEY=key)
    with app.app_context():
        source = GoogleBooks.from_app(app)
        source.search_by_isbn(ISBN)
        source.search_by_keyword("三体")
    sent = [args.get("key") for args in _args(httpserver)]
    assert sent == [key or None, key or None]


def test_isbn_answer_listing_other_editions_first(remote_app, httpserver):
    """When Google lists other editions too, the volume with the asked ISBN is taken."""
    httpserver.expect_request(PATH).respond_with_json(
        gb_answer([gb_volume(OTHER_ISBN, title="活着"), gb_volume(ISBN)]))
    app = remote_app("googlebooks")
    with app.app_context():
        assert GoogleBooks.from_app(app).search_by_isbn(ISBN).first["title"] == "三体"


def test_isbn10_only_volume_is_stored_as_isbn13(remote_app, httpserver):
    """A volume with only an ISBN_10 identifier is stored under its ISBN-13,
    in an ISBN lookup and in a search."""
    ids = [{"type": "ISBN_10", "identifier": isbn10(ISBN)}, {"type": "OTHER", "identifier": "UOM:1"}]
    httpserver.expect_request(PATH).respond_with_json(gb_answer([gb_volume(industryIdentifiers=ids)]))
    app = remote_app("googlebooks")
    with app.app_context():
        source = GoogleBooks.from_app(app)
        assert source.search_by_isbn(ISBN).first["isbn"] == ISBN
        assert [b["isbn"] for b in source.search_by_keyword("三体").books] == [ISBN]


def test_keyword_search_maps_and_stores_every_volume(remote_app, httpserver):
    """Page 1 asks startIndex=0 and maxResults=15; volumes without an ISBN
    are skipped, the others listed and stored; totalItems is the total."""
    no_isbn = gb_numbered(3, industryIdentifiers=[{"type": "OTHER", "identifier": "OCLC:1"}])
    httpserver.expect_request(PATH, query_string={"q": "python", "startIndex": "0", "maxResults": "15"}
                              ).respond_with_json(gb_answer([gb_numbered(1), no_isbn, gb_numbered(2)], 3))
    app = remote_app("googlebooks")
    text = app.test_client().get("/book/search?q=python").get_data(as_text=True)
    assert "共 3 本" in text
    assert text.count('class="book-card') == 2
    assert book_count(app) == 2
    assert _stored(app, numbered_isbn(2))["author"] == ["Author 2"]


def test_keyword_search_page_two_asks_for_start_index(remote_app, httpserver):
    """Page 2 asks startIndex=15 and shows its books and pagination."""
    httpserver.expect_request(PATH, query_string={"q": "python", "startIndex": "15", "maxResults": "15"}
                              ).respond_with_json(gb_answer([gb_numbered(16), gb_numbered(17)], 40))
    app = remote_app("googlebooks")
    text = app.test_client().get("/book/search?q=python&page=2").get_data(as_text=True)
    assert "共 40 本" in text
    assert "Python Book 16" in text and "Python Book 17" in text
    assert "/book/search?q=python&amp;page=3" in text


def test_no_items_is_not_found(remote_app, httpserver):
    """An answer without items (totalItems 0) is no such book: 404, nothing
    stored, no source named unavailable; a keyword search is empty."""
    httpserver.expect_request(PATH).respond_with_json({"kind": "books#volumes", "totalItems": 0})
    app = remote_app("googlebooks")
    client = app.test_client()
    assert client.get(f"/book/{ISBN}/detail").status_code == 404
    text = client.get("/book/search?q=无此书").get_data(as_text=True)
    assert "没有找到相关的书" in text and "暂时不可用" not in text
    assert book_count(app) == 0


def test_sparse_volume(remote_app, httpserver):
    """A volume with only a title and an ISBN is a book; pageCount 0 means
    unknown pages and a missing imageLinks no image."""
    ids = [{"type": "ISBN_13", "identifier": ISBN}]
    volume = {"kind": "books#volume", "volumeInfo": {"title": "三体", "industryIdentifiers": ids,
                                                     "pageCount": 0}}
    httpserver.expect_request(PATH).respond_with_json(gb_answer([volume]))
    app = remote_app("googlebooks")
    with app.app_context():
        book = GoogleBooks.from_app(app).search_by_isbn(ISBN).first
    assert (book["title"], book["pages"], book["image"], book["author"]) == ("三体", "", "", [])

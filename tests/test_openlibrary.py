"""OpenLibrary against a real local HTTP server (pytest-httpserver): the books
API and search.json mapped to book records, stored, and paged (failures are
in test_book_http_sources.py)."""
import pytest
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.spider.openlibrary import SEARCH_FIELDS, OpenLibrary
from tests.book_apis import (
    COVERS, ISBN, OTHER_ISBN, isbn10, numbered_isbn, ol_books_answer, ol_doc, ol_edition, ol_search_answer)
from tests.yushu_api import api_requests, book_count

BOOKS_PATH, SEARCH_PATH = "/api/books", "/search.json"


def _stored(app, isbn: str) -> dict | None:
    with app.app_context():
        book = db.session.scalar(select(Book).where(Book.isbn == isbn))
        return book.to_dict() if book else None


def test_isbn_lookup_maps_the_edition_and_stores_it(remote_app, httpserver):
    """The books API is asked for the bibkey as JSON data; every field of the
    edition lands in the book table, the cover on https, and a second detail
    view asks nothing more."""
    httpserver.expect_request(BOOKS_PATH, query_string={
        "bibkeys": f"ISBN:{ISBN}", "format": "json", "jscmd": "data"}).respond_with_json(
        ol_books_answer(ol_edition()))
    app = remote_app("openlibrary")
    client = app.test_client()
    first = client.get(f"/book/{ISBN}/detail")
    assert first.status_code == 200
    assert "三体" in first.get_data(as_text=True)
    assert client.get(f"/book/{ISBN}/detail").status_code == 200
    assert len(api_requests(httpserver, BOOKS_PATH)) == 1
    book = _stored(app, ISBN)
    assert book == dict(book, isbn=ISBN, title="三体", subtitle="地球往事", author=["刘慈欣"],
                        translator=[], publisher="重庆出版社", pubdate="2008", pages="302",
                        image="https://covers.openlibrary.org/b/id/1-L.jpg",
                        summary="文化大革命中的一次秘密军事工程。")


def test_isbn_lookup_of_an_edition_listing_only_an_isbn10(remote_app, httpserver):
    """An edition that lists only its ISBN-10 is stored under the ISBN-13 asked."""
    edition = ol_edition(identifiers={"isbn_10": [isbn10(ISBN)]})
    httpserver.expect_request(BOOKS_PATH).respond_with_json(ol_books_answer(edition))
    app = remote_app("openlibrary")
    with app.app_context():
        assert OpenLibrary.from_app(app).search_by_isbn(ISBN).first["isbn"] == ISBN


@pytest.mark.parametrize("fields, summary", [
    ({"notes": "译自中文。"}, "译自中文。"),
    ({"notes": None, "excerpts": [{"text": "第一句。", "comment": "", "first_sentence": True}]}, "第一句。"),
    ({"notes": None, "description": {"type": "/type/text", "value": "一部小说。"}}, "一部小说。"),
    ({"notes": None}, ""),
])
def test_summary_from_what_the_edition_has(remote_app, httpserver, fields, summary):
    """The summary is the description, the notes or the first excerpt, as
    text or ``{"value": ...}``, and empty when the edition has none."""
    httpserver.expect_request(BOOKS_PATH).respond_with_json(ol_books_answer(ol_edition(**fields)))
    app = remote_app("openlibrary")
    with app.app_context():
        assert OpenLibrary.from_app(app).search_by_isbn(ISBN).first["summary"] == summary


@pytest.mark.parametrize("answer", [{}, ol_books_answer(ol_edition(OTHER_ISBN), OTHER_ISBN)],
                         ids=["empty object", "another bibkey"])
def test_unknown_isbn_is_not_found(remote_app, httpserver, answer):
    """``{}`` (or an answer for another bibkey) is no such book: the detail
    page is a 404, nothing is stored and no source is named unavailable."""
    httpserver.expect_request(BOOKS_PATH).respond_with_json(answer)
    app = remote_app("openlibrary")
    with app.app_context():
        assert OpenLibrary.from_app(app).search_by_isbn(ISBN).first is None
    client = app.test_client()
    assert client.get(f"/book/{ISBN}/detail").status_code == 404
    search = client.get(f"/book/search?q={ISBN}").get_data(as_text=True)
    assert "共 0 本" in search and "暂时不可用" not in search
    assert book_count(app) == 0


def test_keyword_search_maps_every_field(remote_app, httpserver):
    """A search doc becomes a record: its first ISBN-13 (another edition's
    ISBN-10 listed before it is not taken), the first publisher, the first publish year, the
    median page count and the cover built from cover_i; all are stored."""
    httpserver.expect_request(SEARCH_PATH, query_string={
        "q": "python", "limit": "15", "offset": "0", "fields": SEARCH_FIELDS}).respond_with_json(
        ol_search_answer([ol_doc(1), ol_doc(2)], total=2))
    app = remote_app("openlibrary")
    resp = app.test_client().get("/book/search?q=python")
    assert resp.status_code == 200
    assert resp.get_data(as_text=True).count('class="book-card') == 2
    book = _stored(app, numbered_isbn(1))
    assert book == dict(book, title="Python Book 1", subtitle="Part 1", author=["Author 1", "Co Author"],
                        publisher="Press 1", pubdate="2001", pages="101",
                        image=f"{COVERS}/b/id/1001-L.jpg", summary="")
    assert _stored(app, numbered_isbn(2))["image"] == f"{COVERS}/b/id/1002-L.jpg"


def test_keyword_search_page_two_asks_for_offset(remote_app, httpserver):
    """Page 2 asks search.json for offset=15 and shows numFound as the total."""
    httpserver.expect_request(SEARCH_PATH, query_string={
        "q": "python", "limit": "15", "offset": "15", "fields": SEARCH_FIELDS}).respond_with_json(
        ol_search_answer([ol_doc(16), ol_doc(17)], total=40, start=15))
    app = remote_app("openlibrary")
    text = app.test_client().get("/book/search?q=python&page=2").get_data(as_text=True)
    assert "共 40 本" in text
    assert "Python Book 16" in text and "Python Book 17" in text
    assert len(api_requests(httpserver, SEARCH_PATH)) == 1


def test_search_docs_with_isbn10_only_or_no_isbn(remote_app, httpserver):
    """A doc listing only ISBN-10s is stored under the ISBN-13; docs with no
    valid ISBN (none, a wrong check digit, not a list) are skipped."""
    only10 = ol_doc(1, isbn=[isbn10(numbered_isbn(1))])
    docs = [only10, ol_doc(2, isbn=None), ol_doc(3, isbn=["9780306400000"]), ol_doc(4, isbn=numbered_isbn(4))]
    del docs[1]["isbn"]
    httpserver.expect_request(SEARCH_PATH).respond_with_json(ol_search_answer(docs))
    app = remote_app("openlibrary")
    with app.app_context():
        found = OpenLibrary.from_app(app).search_by_keyword("python")
    assert [b["isbn"] for b in found.books] == [numbered_isbn(1)]
    assert book_count(app) == 0  # the source only reads; nothing went through the web app


def test_search_doc_fallbacks(remote_app, httpserver):
    """Without first_publish_year the first publish_date is the date; a
    cover_i that is not a positive integer gives no image rather than a made-up
    address; an answer without numFound counts its books."""
    doc = ol_doc(1, first_publish_year=None, publish_date=["May 2003"], cover_i="../../etc")
    httpserver.expect_request(SEARCH_PATH).respond_with_json({"docs": [doc, ol_doc(2, cover_i=True)]})
    app = remote_app("openlibrary")
    with app.app_context():
        found = OpenLibrary.from_app(app).search_by_keyword("python")
    assert found.total == 2
    assert [(b["pubdate"], b["image"]) for b in found.books] == [("May 2003", ""), ("2002", "")]

"""YuShuBook against a real local HTTP server (pytest-httpserver): good and
unusual answers, and what the web pages show for each (failures and retries
are in test_yushu_book_failures.py)."""
import json

import pytest
from sqlalchemy import func, select

from app.models.base import db
from app.models.book import Book
from app.models.gift import Gift
from app.spider import BookSourceError
from app.services import books
from app.spider.yushu_book import YuShuBook
from tests.helpers import isbn13, login_client, make_user
from tests.yushu_api import (
    ISBN, ISBN_PATH, SANTI_ANSWER, SEARCH_PATH, UNAVAILABLE, api_book, api_requests, assert_unavailable_pages,
    book_count)


def test_isbn_lookup_success_is_stored_locally(make_app, httpserver):
    """A found ISBN is cleaned, stored in the book table, and never fetched
    from the API again."""
    httpserver.expect_request(ISBN_PATH).respond_with_json(SANTI_ANSWER)
    app = make_app()
    with app.app_context():
        found = books.by_isbn(ISBN)
        assert found.total == 1
        assert found.first["title"] == "三体"
        assert found.first["author"] == ["刘慈欣"]
        assert "category" not in found.first and "id" not in found.first
        stored = db.session.scalar(select(Book).where(Book.isbn == ISBN))
        assert (stored.title, stored.price, stored.image) == ("三体", "23.00元", SANTI_ANSWER["image"])
        again = books.by_isbn(ISBN)
        assert again.first["title"] == "三体"
    assert len(api_requests(httpserver)) == 1


def test_isbn_detail_page_fetches_once(make_app, httpserver):
    """The detail page shows the API book; a second view is served locally."""
    httpserver.expect_request(ISBN_PATH).respond_with_json(SANTI_ANSWER)
    client = make_app().test_client()
    first = client.get(f"/book/{ISBN}/detail")
    assert first.status_code == 200
    assert "三体" in first.get_data(as_text=True)
    assert "重庆出版社" in first.get_data(as_text=True)
    second = client.get(f"/book/{ISBN}/detail")
    assert second.status_code == 200
    assert len(api_requests(httpserver)) == 1


def test_isbn_answer_with_isbn10_is_normalised(make_app, httpserver):
    """An API book whose ISBN is written as ISBN-10 is stored as ISBN-13."""
    httpserver.expect_request(ISBN_PATH).respond_with_json(dict(SANTI_ANSWER, isbn="7-5366-9293-5"))
    app = make_app()
    with app.app_context():
        assert books.by_isbn(ISBN).first["isbn"] == ISBN
        assert db.session.scalar(select(Book.isbn)) == ISBN


def test_keyword_search_sends_paging_params(make_app, httpserver):
    """Page n asks the API for q, count=15 and start=(n-1)*15 and shows its
    total, books and pagination."""
    answer = {"books": [api_book(1), api_book(2)], "count": 15, "start": 15, "total": 40}
    httpserver.expect_request(SEARCH_PATH, query_string={"q": "python", "count": "15",
                                                         "start": "15"}).respond_with_json(answer)
    app = make_app()
    resp = app.test_client().get("/book/search?q=python&page=2")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "共 40 本" in text
    assert "Python 第1册" in text and "Python 第2册" in text
    assert "/book/search?q=python&amp;page=3" in text
    assert "/book/search?q=python&amp;page=1" in text
    assert len(api_requests(httpserver)) == 1
    assert book_count(app) == 2


def test_keyword_search_first_page_and_chinese_query(make_app, httpserver):
    """Page 1 starts at 0 and a Chinese keyword reaches the API intact."""
    httpserver.expect_request(SEARCH_PATH, query_string={"q": "三体", "count": "15", "start": "0"}
                              ).respond_with_json({"books": [SANTI_ANSWER], "total": 1})
    app = make_app()
    with app.app_context():
        found = YuShuBook.from_app(app).search_by_keyword("三体", 1)
    assert (found.total, [b["title"] for b in found.books]) == (1, ["三体"])


def test_search_results_are_stored_for_detail_pages(make_app, httpserver):
    """Books from a search answer are stored, so their detail pages need no
    further API call."""
    httpserver.expect_request(SEARCH_PATH).respond_with_json({"books": [SANTI_ANSWER], "total": 1})
    client = make_app().test_client()
    assert client.get("/book/search?q=三体").status_code == 200
    resp = client.get(f"/book/{ISBN}/detail")
    assert resp.status_code == 200 and "刘慈欣" in resp.get_data(as_text=True)
    assert [req.path for req in api_requests(httpserver)] == [SEARCH_PATH]


def test_empty_search_result(make_app, httpserver):
    """An answer with no books shows the empty state (200)."""
    httpserver.expect_request(SEARCH_PATH).respond_with_json(
        {"books": [], "count": 15, "start": 0, "total": 0})
    app = make_app()
    with app.app_context():
        found = YuShuBook.from_app(app).search_by_keyword("无此书")
        assert (found.total, found.books) == (0, [])
    resp = app.test_client().get("/book/search?q=无此书")
    assert resp.status_code == 200
    assert "没有找到相关的书" in resp.get_data(as_text=True)


def test_missing_total_falls_back_to_book_count(make_app, httpserver):
    """Without a total (or with one too small) the number of books is used."""
    httpserver.expect_request(SEARCH_PATH).respond_with_json(
        {"books": [api_book(1), api_book(2), api_book(3)], "total": 1})
    app = make_app()
    with app.app_context():
        assert YuShuBook.from_app(app).search_by_keyword("python").total == 3


@pytest.mark.parametrize("answer", [
    lambda s: s.respond_with_json({"msg": "book not found"}, status=404),
    lambda s: s.respond_with_json({}),
])
def test_unknown_isbn_is_not_found(make_app, httpserver, answer):
    """A 404 (or an empty object) for an ISBN means no such book: the detail
    page is a 404 and an ISBN search is empty, not an error."""
    unknown = isbn13("978000000001")
    answer(httpserver.expect_request(f"/v2/book/isbn/{unknown}"))
    app = make_app()
    with app.app_context():
        found = YuShuBook.from_app(app).search_by_isbn(unknown)
        assert (found.total, found.first) == (0, None)
    client = app.test_client()
    detail = client.get(f"/book/{unknown}/detail")
    assert detail.status_code == 404
    assert "页面不存在" in detail.get_data(as_text=True)
    search = client.get(f"/book/search?q={unknown}")
    assert search.status_code == 200
    assert "共 0 本" in search.get_data(as_text=True)
    assert book_count(app) == 0


def test_invalid_book_objects_skipped(make_app, httpserver):
    """Unusable books in a search answer are skipped (and not stored); the
    good ones are returned and the API total is kept."""
    good1, good2 = api_book(1), api_book(2)
    answer = {"total": 9, "books": [
        good1,
        {"title": "没有 ISBN"},
        {"isbn": "9787115420001", "title": "校验位错"},
        "a string",
        None,
        [api_book(3)],
        {"isbn": isbn13("978711542004"), "title": ""},
        {"isbn": isbn13("978711542005"), "title": "作者错", "author": [1, 2]},
        {"isbn": isbn13("978711542006"), "title": "书" * 300},
        good2,
    ]}
    httpserver.expect_request(SEARCH_PATH).respond_with_json(answer)
    app = make_app()
    with app.app_context():
        found = books.by_keyword("python")
        assert found.total == 9
        assert [b["isbn"] for b in found.books] == [good1["isbn"], good2["isbn"]]
        assert sorted(db.session.scalars(select(Book.isbn))) == sorted([good1["isbn"], good2["isbn"]])
    resp = app.test_client().get("/book/search?q=python")
    assert resp.status_code == 200
    assert resp.get_data(as_text=True).count('class="book-card') == 2


LONE_SURROGATE = '{"isbn": "%s", "title": "三体\\ud800", "author": ["刘慈欣"]}' % ISBN


def test_lone_surrogate_isbn_answer_is_a_bad_answer(make_app, httpserver):
    """An ISBN answer whose text decodes to a lone surrogate is a bad answer: nothing is
    stored, the detail page is the friendly 503 and the search says the API was unavailable,
    never a 500."""
    httpserver.expect_request(ISBN_PATH).respond_with_data(LONE_SURROGATE, content_type="application/json")
    app = make_app()
    with app.app_context():
        with pytest.raises(BookSourceError, match="lone surrogate"):
            YuShuBook.from_app(app).search_by_isbn(ISBN)
    assert_unavailable_pages(app)
    assert book_count(app) == 0


def test_lone_surrogate_book_in_search_is_skipped(make_app, httpserver):
    """A search answer with one lone-surrogate book keeps and stores the good ones."""
    good = api_book(1)
    body = '{"total": 2, "books": [%s, %s]}' % (json.dumps(good), LONE_SURROGATE)
    httpserver.expect_request(SEARCH_PATH).respond_with_data(body, content_type="application/json")
    app = make_app()
    resp = app.test_client().get("/book/search?q=python")
    assert resp.status_code == 200
    assert resp.get_data(as_text=True).count('class="book-card') == 1
    with app.app_context():
        assert db.session.scalars(select(Book.isbn)).all() == [good["isbn"]]


def test_isbn_answer_for_another_book_is_not_found(make_app, httpserver):
    """An ISBN answer describing a book with a different ISBN is "not found": nothing is
    stored, the detail page is a 404 and listing it as a gift is refused, so no orphan gift."""
    other = isbn13("978750636543")
    httpserver.expect_request(ISBN_PATH).respond_with_json(dict(SANTI_ANSWER, isbn=other, title="活着"))
    app = make_app()
    with app.app_context():
        found = YuShuBook.from_app(app).search_by_isbn(ISBN)
        assert (found.total, found.first) == (0, None)
        client = login_client(app, make_user("爱丽丝", "alice@example.com"))
    assert client.get(f"/book/{ISBN}/detail").status_code == 404
    assert client.post(f"/gifts/book/{ISBN}").status_code == 404
    assert client.post(f"/wishes/book/{ISBN}").status_code == 404
    assert "共 0 本" in client.get(f"/book/search?q={ISBN}").get_data(as_text=True)
    assert client.get("/my/gifts").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Gift)) == 0
    assert book_count(app) == 0


def test_duplicate_books_in_one_answer(make_app, httpserver):
    """The same ISBN twice in one answer is stored once and listed once, without an error."""
    httpserver.expect_request(SEARCH_PATH).respond_with_json(
        {"total": 2, "books": [api_book(1), api_book(1, title="另一版")]})
    app = make_app()
    with app.app_context():
        assert [b["isbn"] for b in books.by_keyword("python").books] == [api_book(1)["isbn"]]
    assert book_count(app) == 1

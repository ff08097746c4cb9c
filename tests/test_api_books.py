"""/api/v1/books: one book by ISBN through the book sources, the keyword search with cursor pages."""
import pytest

from tests.api_helpers import all_pages, assert_problem
from tests.helpers import (
    BAD_CHECK_DIGIT, HONGLOU, SANTI, SANTI2, UNKNOWN_VALID_ISBN, add_books, make_gift, numbered_books)


def test_book_by_isbn_has_the_catalog_fields(alice_api):
    """GET /books/{isbn} gives the stored book with names as lists and no copies on offer."""
    resp = alice_api.get(f"/api/v1/books/{HONGLOU}")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    book = resp.get_json()
    assert book["isbn"] == HONGLOU and book["title"] == "红楼梦"
    assert isinstance(book["author"], list) and book["translator"] == [] and book["offered"] == 0


@pytest.mark.parametrize("written", ["7-5366-9293-5", "7536692935", "978-7-5366-9293-0"])
def test_isbn10_and_hyphens_name_the_same_book(alice_api, written):
    """ISBN-10 and hyphenated forms find the book under its ISBN-13."""
    assert alice_api.get(f"/api/v1/books/{written}").get_json()["isbn"] == SANTI


def test_offered_counts_the_copies_on_offer(alice_api, bob):
    """A book someone gives away says how many copies are on offer."""
    make_gift(bob, SANTI)
    assert alice_api.get(f"/api/v1/books/{SANTI}").get_json()["offered"] == 1


def test_unknown_and_invalid_isbns_are_problems(alice_api):
    """An unknown valid ISBN is 404 unknown-book; a bad check digit is 400 invalid-isbn."""
    assert_problem(alice_api.get(f"/api/v1/books/{UNKNOWN_VALID_ISBN}"), 404, "unknown-book")
    assert_problem(alice_api.get(f"/api/v1/books/{BAD_CHECK_DIGIT}"), 400, "invalid-isbn")
    assert_problem(alice_api.get("/api/v1/books/" + "9" * 300), 400, "invalid-isbn")


def test_search_finds_by_keyword_best_first(alice_api):
    """?q=三体 lists 三体 before 三体Ⅱ, with the total."""
    body = alice_api.get("/api/v1/books?q=三体").get_json()
    assert [book["isbn"] for book in body["items"]][:2] == [SANTI, SANTI2]
    assert body["total"] == len(body["items"]) and body["next_cursor"] is None


def test_search_by_isbn_is_that_book(alice_api):
    """An ISBN query answers with the one book."""
    body = alice_api.get("/api/v1/books?q=978-7-5366-9293-0").get_json()
    assert [book["isbn"] for book in body["items"]] == [SANTI] and body["total"] == 1


def test_search_pages_follow_the_cursor_and_link(app, alice_api):
    """45 matching books come over cursor pages each exactly once."""
    add_books(numbered_books(45))
    items = all_pages(alice_api, "/api/v1/books?q=测试书", limit=10)
    assert len(items) == 45 and len({book["isbn"] for book in items}) == 45


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20", "q=x&limit=0", "q=x&limit=101", "q=x&limit=abc",
                                   "q=" + "长" * 101, "q=x&cursor=", "q=x&cursor=" + "a" * 201])
def test_bad_search_parameters_are_400_problems(alice_api, query):
    """Missing or blank q, a limit outside 1..100 and empty or long cursors are 400 invalid-request."""
    body = assert_problem(alice_api.get(f"/api/v1/books?{query}"), 400, "invalid-request")
    assert body["errors"] and all(error["loc"] for error in body["errors"])


@pytest.mark.parametrize("cursor", ["!!!", "bm90IGpzb24", "eyJiZWZvcmUiOjF9", "eyJvZmZzZXQiOi0xfQ",
                                    "eyJvZmZzZXQiOiJ4In0", "W10"])
def test_cursors_not_made_by_the_api_are_400(alice_api, cursor):
    """Undecodable, non-JSON, wrong-field, negative and non-integer cursors are 400 invalid-cursor."""
    assert_problem(alice_api.get(f"/api/v1/books?q=三体&cursor={cursor}"), 400, "invalid-cursor")


def test_books_need_a_token(client, books):
    """Without a token the book operations are 401."""
    assert_problem(client.get(f"/api/v1/books/{SANTI}"), 401, "missing-token")
    assert_problem(client.get("/api/v1/books?q=三体"), 401, "missing-token")


def test_read_token_reads_books(alice_reader):
    """A read-only token may read books."""
    assert alice_reader.get(f"/api/v1/books/{SANTI}").status_code == 200

"""Importing a wish list (/personal/import) from a Goodreads library export or
a plain ISBN list: every line gets an outcome, nothing is added twice, and
files that are not text, too long or too large are refused with a message."""
import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from stdnum import isbn as stdisbn

from app.models.wish import Wish
from tests.helpers import (BAD_CHECK_DIGIT, BAINIAN, HONGLOU, HUOZHE, PYTHON, SANTI, UNKNOWN_VALID_ISBN,
                           add_books, live, login_client, make_gift, make_user, text_of, unchanged)
from tests.yushu_api import ISBN_PATH, SANTI_ANSWER, api_requests

GOODREADS_HEADER = ("Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,"
                    "Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,"
                    "Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,"
                    "Private Notes,Read Count,Owned Copies").split(",")


def goodreads_csv(rows: list[dict]) -> bytes:
    """A Goodreads export: every documented column, ISBNs written ="…" as Goodreads does."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GOODREADS_HEADER)
    for n, row in enumerate(rows, start=1):
        values = {"Book Id": str(n), "Author": "某人", "My Rating": "0", "Average Rating": "4.1",
                  **row, "ISBN": f'="{row.get("ISBN", "")}"', "ISBN13": f'="{row.get("ISBN13", "")}"'}
        writer.writerow(values.get(name, "") for name in GOODREADS_HEADER)
    return out.getvalue().encode("utf-8")


def upload(client, data: bytes, name="list.txt", **extra):
    return client.post("/personal/import", data={"file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def outcomes(resp) -> list[tuple[int, str]]:
    """(line, outcome) of each row of the result table."""
    return [(int(line), outcome) for outcome, line in re.findall(
        r'<tr data-outcome="(\w+)"><td>(\d+)</td>', text_of(resp))]


def wished(user) -> list[str]:
    return [wish.isbn for wish in live(Wish, uid=user.id)]


def test_import_requires_login(client):
    """Both the form and the upload send an anonymous visitor to log in."""
    for resp in (client.get("/personal/import"), upload(client, SANTI.encode())):
        assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


def test_goodreads_export_imports_only_the_to_read_shelf(as_alice, alice):
    """to-read rows are added (ISBN13 first, else ISBN); other shelves are ignored; a row without ISBN is reported."""
    data = goodreads_csv([
        {"Title": "三体", "ISBN13": SANTI, "Exclusive Shelf": "to-read"},
        {"Title": "活着", "ISBN13": HUOZHE, "Exclusive Shelf": "read", "My Review": "好书,\n真的"},
        {"Title": "Python编程, 第二版", "ISBN": stdisbn.to_isbn10(PYTHON), "Exclusive Shelf": "to-read"},
        {"Title": "红楼梦", "ISBN13": HONGLOU, "Exclusive Shelf": "currently-reading"},
        {"Title": "Kindle 版", "Exclusive Shelf": "to-read"},
    ])
    resp = upload(as_alice, data, "goodreads_library_export.csv")
    assert resp.status_code == 200
    assert outcomes(resp) == [(2, "added"), (5, "added"), (7, "invalid")]
    assert wished(alice) == [SANTI, PYTHON]
    assert "Goodreads" in text_of(resp) and "Kindle 版" in text_of(resp)


def test_plain_isbn_list_takes_isbn10_hyphens_and_comments(as_alice, alice):
    """Hyphenated ISBN-13s and ISBN-10s are added; blank lines and # comments are skipped."""
    data = "\n".join(["# 豆瓣书单：想读", "", stdisbn.format(SANTI), stdisbn.to_isbn10(HUOZHE), "   ",
                      f"{BAINIAN}  # 百年孤独"]).encode()
    resp = upload(as_alice, data)
    assert outcomes(resp) == [(3, "added"), (4, "added"), (6, "added")]
    assert wished(alice) == [SANTI, HUOZHE, BAINIAN]


def test_unknown_and_invalid_lines_are_reported_with_their_numbers(as_alice, alice):
    """A valid ISBN no source knows is "unknown"; a bad check digit or plain text is "invalid"."""
    resp = upload(as_alice, f"{UNKNOWN_VALID_ISBN}\n{BAD_CHECK_DIGIT}\nnot an isbn\n{SANTI}\n".encode())
    assert outcomes(resp) == [(1, "unknown"), (2, "invalid"), (3, "invalid"), (4, "added")]
    assert "找不到这本书" in text_of(resp) and "ISBN 无效" in text_of(resp)
    assert wished(alice) == [SANTI]


def test_reimport_adds_nothing(as_alice, alice):
    """The same file again: every book is "already on your list" and no row changes."""
    data = f"{SANTI}\n{HUOZHE}\n{SANTI}\n".encode()
    assert outcomes(upload(as_alice, data)) == [(1, "added"), (2, "added"), (3, "already")]
    with unchanged():
        assert outcomes(upload(as_alice, data)) == [(1, "already"), (2, "already"), (3, "already")]


def test_a_book_i_give_is_already_there(as_alice, alice):
    """A book on my gift list is reported, not added to my wishes."""
    make_gift(alice, HONGLOU)
    resp = upload(as_alice, f"{HONGLOU}\n".encode())
    assert outcomes(resp) == [(1, "already")] and wished(alice) == []


@pytest.mark.parametrize("data, message", [
    ("三体\n".encode("gbk"), "不是 UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是文本文件"),
    (b"# only a comment\n\n", "没有 ISBN"),
    (goodreads_csv([{"Title": "活着", "ISBN13": HUOZHE, "Exclusive Shelf": "read"}]), "to-read"),
])
def test_a_file_without_anything_to_import_is_refused(as_alice, alice, data, message):
    """Non-UTF-8 text, binary data, or nothing to import: a 400 with a message, nothing stored."""
    with unchanged():
        resp = upload(as_alice, data)
    assert resp.status_code == 400 and message in text_of(resp)


def test_no_file_is_refused(as_alice, alice):
    """Submitting the form without a file asks for one."""
    resp = as_alice.post("/personal/import", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "请选择要导入的文件" in text_of(resp)


@pytest.fixture
def small_app(app_factory):
    """An app allowing 3 books and 200 bytes per file, its sample books and a user."""
    app = app_factory(WISH_IMPORT_MAX_LINES=3, WISH_IMPORT_MAX_BYTES=200)
    with app.app_context():
        add_books()
        app.user = make_user("爱丽丝", "alice@example.com")
        yield app


def test_too_many_lines_are_refused_whole(small_app):
    """A file naming more books than WISH_IMPORT_MAX_LINES adds none of them and says the limit."""
    client = login_client(small_app, small_app.user)
    with unchanged():
        resp = upload(client, "\n".join([SANTI, HUOZHE, BAINIAN, PYTHON]).encode())
    assert resp.status_code == 400 and "一次最多导入 3 本书" in text_of(resp)
    assert outcomes(upload(client, "\n".join([SANTI, HUOZHE, BAINIAN]).encode())) == [
        (1, "added"), (2, "added"), (3, "added")]


def test_oversized_file_gets_a_message_and_a_huge_body_a_413(small_app):
    """Just over WISH_IMPORT_MAX_BYTES: the form says so; far beyond the request cap: 413."""
    client = login_client(small_app, small_app.user)
    with unchanged():
        resp = upload(client, ((SANTI + "\n") * 20).encode())
        assert resp.status_code == 400 and "文件太大" in text_of(resp)
        huge = upload(client, b"#" * (small_app.config["MAX_CONTENT_LENGTH"] + 1000))
        assert huge.status_code == 413


def test_a_file_over_the_general_body_cap_still_reaches_the_form(as_alice, alice, app):
    """The import's body cap is its own (WISH_IMPORT_MAX_BYTES), not the site's 64 KB."""
    data = b"# a long comment\n" * (2 * app.config["MAX_CONTENT_LENGTH"] // 17) + SANTI.encode()
    assert app.config["MAX_CONTENT_LENGTH"] < len(data) < app.config["WISH_IMPORT_MAX_BYTES"]
    resp = upload(as_alice, data)
    assert outcomes(resp) == [(data.count(b"\n") + 1, "added")]


def test_upload_needs_the_csrf_token(app_factory):
    """With CSRF on, an upload without the form's token is refused; with it, it works."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        add_books()
        user = make_user("爱丽丝", "alice@example.com")
        client = login_client(app, user)
        with unchanged():
            assert upload(client, SANTI.encode()).status_code == 400
        page = text_of(client.get("/personal/import"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert outcomes(upload(client, SANTI.encode(), csrf_token=token)) == [(1, "added")]


def test_remote_books_are_stored_and_a_failing_source_is_reported(make_app, httpserver):
    """A book only the remote source knows is fetched and added; a source error is "source unavailable"."""
    app = make_app()
    with app.app_context():
        user = make_user("爱丽丝", "alice@example.com")
        httpserver.expect_request(ISBN_PATH).respond_with_json(SANTI_ANSWER)
        httpserver.expect_request(f"/v2/book/isbn/{HUOZHE}").respond_with_data("boom", status=500)
        resp = upload(login_client(app, user), f"{SANTI}\n{HUOZHE}\n".encode())
        assert outcomes(resp) == [(1, "added"), (2, "unavailable")]
        assert "书籍来源暂时无法访问" in text_of(resp) and wished(user) == [SANTI]


def test_after_a_source_failure_only_stored_books_are_looked_up(make_app, httpserver):
    """Once the source has failed, unstored books are reported unavailable without
    asking it again (no timeout per line); books stored here are still added."""
    app = make_app()
    with app.app_context():
        add_books([{"isbn": HONGLOU, "title": "红楼梦"}])
        user = make_user("爱丽丝", "alice@example.com")
        httpserver.expect_request(f"/v2/book/isbn/{HUOZHE}").respond_with_data("boom", status=500)
        resp = upload(login_client(app, user), f"{HUOZHE}\n{BAINIAN}\n{HONGLOU}\n".encode())
        assert outcomes(resp) == [(1, "unavailable"), (2, "unavailable"), (3, "added")]
        assert [req.path for req in api_requests(httpserver)] == [f"/v2/book/isbn/{HUOZHE}"]


def test_the_personal_page_links_export_and_import(as_alice, alice):
    """The personal page offers both the download and the import."""
    page = text_of(as_alice.get("/personal"))
    assert 'href="/personal/export"' in page and 'href="/personal/import"' in page


def test_imports_are_limited_per_account(app_factory):
    """WISH_IMPORT_RATE_LIMIT counts uploads per account, not per address: over it, 429;
    another account from the same address may still import."""
    app = app_factory(WISH_IMPORT_RATE_LIMIT="2 per hour")
    with app.app_context():
        add_books()
        alice, bob = make_user("爱丽丝"), make_user("鲍勃")
        as_alice, as_bob = login_client(app, alice), login_client(app, bob)
        assert [upload(as_alice, SANTI.encode()).status_code for _ in range(3)] == [200, 200, 429]
        assert upload(as_bob, SANTI.encode()).status_code == 200
        assert as_alice.get("/personal/import").status_code == 200

"""The book pages: search, detail and ISBN redirects."""
import re

import pytest
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.spider.local_catalog import LocalCatalog
from tests.helpers import SANTI, add_books, numbered_books, text_of

FULL = {"isbn": "9787544291170", "title": "霍乱时期的爱情", "subtitle": "新译本",
        "author": ["加西亚·马尔克斯"], "translator": ["杨玲", "某校对"],
        "publisher": "南海出版公司", "pubdate": "2012-9", "price": "39.50元", "pages": "401页",
        "binding": "精装", "summary": "一段跨越半个多世纪的爱情史诗。",
        "image": "https://img.example.com/cover/s11284102.jpg"}


def assert_friendly(resp, status):
    """The answer has the status and is a rendered page, not a traceback."""
    assert resp.status_code == status
    assert resp.mimetype == "text/html"
    assert "Traceback" not in text_of(resp)
    assert "<html" in text_of(resp)


def test_search_page_shows_books(client, books):
    """The result page shows the query, total, and each book's cover, title,
    author, publisher and price, linking to its detail page."""
    resp = client.get("/book/search", query_string={"q": "刘慈欣"})
    assert resp.status_code == 200
    text = text_of(resp)
    assert "“刘慈欣” 的搜索结果" in text
    assert "共 2 本" in text
    assert "三体</a>" in text and "三体Ⅱ</a>" in text
    assert "刘慈欣 / 重庆出版社 / 23.00" in text
    assert "刘慈欣 / 重庆出版社 / 32.00" in text
    assert f'href="/book/{SANTI}/detail"' in text
    assert re.search(rf'<img [^>]*src="/covers/drawn/{SANTI}.svg\?[^"]*title=', text)
    assert 'alt="《三体》封面"' in text


def test_search_page_never_loads_an_offsite_image(client):
    """A book whose image lies on another host shows the drawn cover until a copy is stored."""
    add_books([FULL])
    text = text_of(client.get("/book/search", query_string={"q": "霍乱"}))
    assert FULL["image"] not in text
    assert re.search(rf'<img [^>]*src="/covers/drawn/{FULL["isbn"]}\.svg\?', text)
    assert f'data-fallback="/covers/drawn/{FULL["isbn"]}.svg?' in text


def test_search_query_is_escaped(client, books):
    """The query is shown escaped, never as markup."""
    text = text_of(client.get("/book/search", query_string={"q": "<script>x</script>"}))
    assert "<script>x</script>" not in text
    assert "&lt;script&gt;x&lt;/script&gt;" in text


@pytest.fixture
def many(app):
    add_books(numbered_books(31))


def test_search_pagination_links(client, many):
    """With 31 results, page 1 links to pages 2 and 3 (and no page 4), the
    previous link is disabled and page 1 is current."""
    text = text_of(client.get("/book/search", query_string={"q": "测试书"}))
    assert "共 31 本" in text
    links = set(re.findall(r'href="/book/search\?q=[^"&]+&amp;page=(-?\d+)"', text))
    assert {"2", "3"} <= links
    assert "4" not in links
    assert re.search(r'page-item disabled">\s*<[^>]*>上一页', text)
    assert re.search(r'page-item active" aria-current="page">\s*<a class="page-link"[^>]*page=1"', text)


def test_search_pagination_middle_and_last(client, many):
    """Page 2 links back to 1 and on to 3; page 3 has next disabled."""
    middle = text_of(client.get("/book/search", query_string={"q": "测试书", "page": 2}))
    assert re.search(r'page-item ">\s*<a class="page-link"[^>]*page=1">上一页', middle)
    assert re.search(r'page-item ">\s*<a class="page-link"[^>]*page=3">下一页', middle)
    last = text_of(client.get("/book/search", query_string={"q": "测试书", "page": 3}))
    assert re.search(r'page-item disabled">\s*<[^>]*>下一页', last)


def test_no_pagination_for_one_page(client, books):
    """A single page of results has no pagination bar."""
    text = text_of(client.get("/book/search", query_string={"q": "三体"}))
    assert "共 2 本" in text
    assert "pagination" not in text


def test_search_empty_state(client, books):
    """No match shows total 0 and the empty-state advice."""
    resp = client.get("/book/search", query_string={"q": "根本不存在的书"})
    assert resp.status_code == 200
    text = text_of(resp)
    assert "共 0 本" in text
    assert "没有找到相关的书" in text
    assert "book-card" not in text


@pytest.mark.parametrize("params, message", [
    ({}, "请输入书名、作者或 ISBN"),
    ({"q": ""}, "请输入书名、作者或 ISBN"),
    ({"q": "   "}, "请输入书名、作者或 ISBN"),
    ({"q": "\u3000\t"}, "请输入书名、作者或 ISBN"),
    ({"q": "长" * 31}, "关键字长度须在 1 到 30 个字符之间"),
    ({"q": "三体", "page": "0"}, "页码须在 1 到 99 之间"),
    ({"q": "三体", "page": "100"}, "页码须在 1 到 99 之间"),
    ({"q": "三体", "page": "-1"}, "页码须在 1 到 99 之间"),
    ({"q": "三体", "page": "abc"}, "页码须在 1 到 99 之间"),
    ({"q": "三体", "page": "1.5"}, "页码须在 1 到 99 之间"),
])
def test_invalid_search_is_400_with_message(client, books, params, message):
    """Bad queries and page numbers give 400 with a readable message."""
    resp = client.get("/book/search", query_string=params)
    assert_friendly(resp, 400)
    assert message in text_of(resp)
    assert "book-card" not in text_of(resp)


def test_thirty_character_query_allowed(client, books):
    """30 characters is the longest accepted query."""
    assert client.get("/book/search", query_string={"q": "长" * 30}).status_code == 200


def test_query_whitespace_is_stripped(client, books):
    """Surrounding spaces do not change the search."""
    text = text_of(client.get("/book/search", query_string={"q": "  余华  "}))
    assert "“余华” 的搜索结果" in text
    assert "共 1 本" in text


@pytest.fixture
def spy(monkeypatch):
    """Record which LocalCatalog lookup the search page uses."""
    calls = []
    by_isbn, by_keyword = LocalCatalog.search_by_isbn, LocalCatalog.search_by_keyword

    def isbn_lookup(self, isbn):
        calls.append(("isbn", isbn))
        return by_isbn(self, isbn)

    def keyword_lookup(self, keyword, page=1):
        calls.append(("keyword", keyword))
        return by_keyword(self, keyword, page)

    monkeypatch.setattr(LocalCatalog, "search_by_isbn", isbn_lookup)
    monkeypatch.setattr(LocalCatalog, "search_by_keyword", keyword_lookup)
    return calls


@pytest.mark.parametrize("query, isbn, title", [
    ("9787536692930", SANTI, "三体"),
    ("7536692935", SANTI, "三体"),
    ("978-7-5366-9293-0", SANTI, "三体"),
    ("7-5366-9293-5", SANTI, "三体"),
    (" 978 7536692930 ", SANTI, "三体"),
    ("080442957X", "9780804429573", "以 X 结尾"),
    ("0-8044-2957-x", "9780804429573", "以 X 结尾"),
])
def test_isbn_search_uses_isbn_lookup(client, books, spy, query, isbn, title):
    """A valid ISBN-13/10 (hyphens, spaces, X check digit) is looked up as
    its ISBN-13, not searched as keywords."""
    add_books([{"isbn": "9780804429573", "title": "以 X 结尾"}])
    resp = client.get("/book/search", query_string={"q": query})
    assert resp.status_code == 200
    assert spy == [("isbn", isbn)]
    text = text_of(resp)
    assert "共 1 本" in text
    assert f"{title}</a>" in text


def test_unknown_isbn_search_is_empty(client, books, spy):
    """A valid ISBN that no source knows says so and offers to add the book."""
    resp = client.get("/book/search", query_string={"q": "9787115428011"})
    assert resp.status_code == 200
    assert spy == [("isbn", "9787115428011")]
    assert "还没有哪个书源知道 ISBN 9787115428011" in text_of(resp)
    assert "登录后添加这本书" in text_of(resp)


def test_bad_checksum_is_a_keyword(client, books, spy):
    """13 digits with a wrong check digit are searched as a keyword."""
    client.get("/book/search", query_string={"q": "9787536692931"})
    assert spy == [("keyword", "9787536692931")]


def test_detail_shows_every_field(client):
    """The detail page shows title, subtitle, authors, translators,
    publisher, date, pages, price, binding, ISBN, summary and a cover."""
    add_books([FULL])
    resp = client.get(f"/book/{FULL['isbn']}/detail")
    assert resp.status_code == 200
    text = text_of(resp)
    for value in ("霍乱时期的爱情", "新译本", "加西亚·马尔克斯", "杨玲、某校对", "南海出版公司",
                  "2012-9", "401页", "39.50元", "精装", FULL["isbn"], FULL["summary"]):
        assert value in text, value
    for label in ("作者", "译者", "出版社", "出版年", "页数", "定价", "装帧", "ISBN"):
        assert re.search(rf">\s*{label}\s*</dt>", text), label
    assert 'alt="《霍乱时期的爱情》封面"' in text
    assert "<title>霍乱时期的爱情" in text


def test_detail_leaves_out_empty_fields(client):
    """Empty fields have no row, and a missing summary says so."""
    add_books([{"isbn": SANTI, "title": "三体"}])
    text = text_of(client.get(f"/book/{SANTI}/detail"))
    assert not re.search(r">\s*译者\s*</dt>", text)
    assert not re.search(r">\s*装帧\s*</dt>", text)
    assert "暂无简介。" in text
    assert f'src="/covers/drawn/{SANTI}.svg?' in text


def test_detail_escapes_book_text(client):
    """Book text is escaped on the detail page."""
    add_books([{"isbn": SANTI, "title": "<b>粗体</b>", "summary": "<script>alert(1)</script>"}])
    text = text_of(client.get(f"/book/{SANTI}/detail"))
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>粗体</b>" not in text


def test_visitor_book_page_sets_no_session_cookie(app_factory):
    """A visitor's book page builds no gift form, so no CSRF token and no session cookie."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        add_books([{"isbn": SANTI, "title": "三体"}])
    resp = app.test_client().get(f"/book/{SANTI}/detail")
    assert resp.status_code == 200
    assert "登录后赠送或请求此书" in text_of(resp)
    assert "Set-Cookie" not in resp.headers


def test_unknown_isbn_detail_is_404(client, books):
    """A valid ISBN that is not in the catalog gives the 404 page."""
    resp = client.get("/book/9787115428011/detail")
    assert_friendly(resp, 404)
    assert "页面不存在" in text_of(resp)


def test_deleted_book_detail_is_404(client, books):
    """A soft-deleted book's page is a 404."""
    book = db.session.scalar(select(Book).where(Book.isbn == SANTI))
    with db.auto_commit():
        book.delete()
    assert_friendly(client.get(f"/book/{SANTI}/detail"), 404)


@pytest.mark.parametrize("isbn", ["123", "9787536692931", "abc", "97875366929300", "x" * 40,
                                  "753669293X"])
def test_invalid_isbn_detail_is_404(client, books, isbn):
    """Something that is not a valid ISBN gives the 404 page."""
    resp = client.get(f"/book/{isbn}/detail")
    assert_friendly(resp, 404)
    assert "页面不存在" in text_of(resp)


@pytest.mark.parametrize("isbn", ["7536692935", "978-7-5366-9293-0", "7-5366-9293-5"])
def test_other_isbn_spellings_redirect_to_isbn13(client, books, isbn):
    """ISBN-10 and hyphenated ISBNs 301-redirect to the ISBN-13 URL."""
    resp = client.get(f"/book/{isbn}/detail")
    assert resp.status_code == 301
    assert resp.headers["Location"] == f"/book/{SANTI}/detail"
    assert client.get(resp.headers["Location"]).status_code == 200


def test_lowercase_x_redirects(client):
    """A lower-case x check digit redirects to the ISBN-13 too."""
    resp = client.get("/book/080442957x/detail")
    assert resp.status_code == 301
    assert resp.headers["Location"] == "/book/9780804429573/detail"

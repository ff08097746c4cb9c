"""The page frame (nav, footer, flashes, confirm dialog), every error page and
the API reference page in English; Chinese stays the default, unchanged."""
import re
from pathlib import Path

import pytest
from flask import flash, redirect
from flask_babel import gettext
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.exceptions import abort

from app.models.base import db
from app.models.user import User
from app.services import drift as drifts
from tests.helpers import DRIFT_FORM, SANTI, add_books, login_client, make_gift, make_user
from tests.i18n_helpers import CJK, chinese_left, english
from tests.test_database_outage import failing_after_user_is_loaded

FISHER_JS = Path(__file__).resolve().parents[1] / "app" / "static" / "js" / "fisher.js"
MISSING = "/no-such-page"
SWITCH = ()  # the footer switch names each language in itself (allowed by chinese_left)


def text(resp) -> str:
    return resp.get_data(as_text=True)


def lang_of(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def raising(app, error, endpoint="web.index"):
    """Make ``endpoint``'s view raise ``error``."""
    def view(*_args, **_kwargs):
        raise error
    app.view_functions[endpoint] = view


def english_user(nickname="alice", email="alice@example.com", beans=0):
    """A stored user whose account language is English."""
    user = make_user(nickname, email, beans=beans)
    with db.auto_commit():
        db.session.get(User, user.id).locale = "en"
    return user


@pytest.fixture
def requested(app):
    """bob asked for alice's gift: alice (English) has an unread notice and a drift waiting on her."""
    add_books()
    alice = english_user(beans=2)
    bob = make_user("bob", "bob@example.com", beans=1)
    drifts.request_gift(bob, make_gift(alice, SANTI).id, dict(DRIFT_FORM))
    return alice


# -- the frame ---------------------------------------------------------------
def test_visitor_frame_is_english(client):
    """A visitor's nav, footer, search box and confirm dialog are English, with no Chinese left."""
    page = text(english(client).get(MISSING))
    assert lang_of(page) == "en" and chinese_left(page, SWITCH) == []
    for words in ("Books on offer", "Log in", "Sign up", 'aria-label="Main navigation"', "Search books",
                  'placeholder="Title, author or ISBN"', "Giving a book earns 0.5 beans; requesting a book costs 1 bean",
                  "<title>Page not found · Fisher</title>", 'content="Fisher: give the books'):
        assert words in page, words


def test_signed_in_nav_is_english_with_its_badges(app, requested):
    """A signed-in English reader's nav names the lists, counts what waits and is unread, and shows beans in English."""
    page = text(login_client(app, requested).get(MISSING))
    assert lang_of(page) == "en" and chinese_left(page, SWITCH) == []
    assert re.search(r'data-testid="waiting-count">1<span class="visually-hidden"> waiting for me</span>', page)
    assert re.search(r'data-testid="unread-count">1<span class="visually-hidden"> unread</span>', page)
    for words in ("My gifts", "My wishes", "Drifts", "Notices", "Personal center: ", 'title="My beans"',
                  "Log out", "2 beans"):
        assert words in page, words


def test_flash_frame_is_english(app, client):
    """A flash shown on an English page has an English dismiss button (and its message in English)."""
    def flashing():
        flash(gettext("这次操作没有生效"), "warning")
        return redirect(MISSING)
    app.view_functions["web.index"] = flashing
    page = text(english(client).get("/", follow_redirects=True))
    assert 'aria-label="Dismiss notice"' in page and "That action did not take effect" in page
    assert chinese_left(page, SWITCH) == []


def test_confirm_dialog_words_come_from_the_page(client):
    """The confirm dialog's title, buttons and default go-ahead label are rendered in the page's language."""
    page = text(english(client).get(MISSING))
    modal = page[page.index('id="confirm-modal"'):]
    assert "Please confirm" in modal and ">Cancel</button>" in modal and 'aria-label="Close"' in modal
    assert 'data-default-label="OK">OK</button>' in modal


def test_fisher_js_has_no_words_of_its_own():
    """fisher.js holds no Chinese text outside comments: every word of the dialog comes from the page."""
    code = re.sub(r"//[^\n]*|/\*.*?\*/", "", FISHER_JS.read_text(encoding="utf-8"), flags=re.S)
    assert CJK.findall(code) == []
    assert "data-default-label" in code


# -- the error pages ---------------------------------------------------------
def test_404_is_english(client):
    """An unknown path is the 404 page in English."""
    resp = english(client).get(MISSING)
    assert resp.status_code == 404 and "The page or book you are looking for does not exist" in text(resp)


def test_405_stays_english(client):
    """A wrong method keeps Werkzeug's own answer with its Allow header: English, no Chinese."""
    resp = english(client).post("/api/docs")
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"] and chinese_left(text(resp), SWITCH) == []


def test_413_is_english(client):
    """A body past MAX_CONTENT_LENGTH is the 413 page in English."""
    resp = english(client).post("/login", data={"email": "x" * (70 * 1024)})
    page = text(resp)
    assert resp.status_code == 413 and "What you sent is too large" in page and chinese_left(page, SWITCH) == []


def test_429_is_english_with_its_wait(app_factory):
    """Past a low login limit the 429 page says in English how long to wait, and Retry-After agrees."""
    client = english(app_factory(LOGIN_RATE_LIMIT="1 per minute").test_client())
    client.post("/login", data={"email": "x@example.com", "password": "bad-pass"})
    resp = client.post("/login", data={"email": "x@example.com", "password": "bad-pass"})
    page = text(resp)
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) <= 60
    assert "You are sending requests too often; please try again in about 1 minute." in page
    assert chinese_left(page, SWITCH) == []


def test_wait_text_counts_minutes_and_hours_in_english(app):
    """The wait is written with English plurals: 1 minute, 5 minutes, 2 hours; none without a time."""
    from app.web._error_page import wait_text
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert [wait_text(s) for s in (30, 300, 2 * 3600, None)] == [
            "please try again in about 1 minute", "please try again in about 5 minutes",
            "please try again in about 2 hours", None]
    with app.app_context(), app.test_request_context():
        assert wait_text(300) == "请在约 5 分钟后重试"


@pytest.mark.parametrize("code, heading", [
    (400, "Bad request"), (409, "This drift's status has already changed"), (413, "What you sent is too large"),
    (429, "Too many requests"), (500, "Server error"), (503, "Book data temporarily unavailable")])
def test_each_error_page_is_english(app, client, code, heading):
    """Every error page the site renders itself is English in English mode, back link included."""
    app.view_functions["web.index"] = lambda: abort(code)
    resp = english(client).get("/")
    page = text(resp)
    assert resp.status_code == code and f"<h1 class=\"h4\">{heading}</h1>" in page
    assert "Back to the home page" in page and chinese_left(page, SWITCH) == []


def test_500_from_a_raising_view_is_english_for_a_signed_in_reader(app):
    """A view that raises gives the English 500 page, with the reader's nav read from memory."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    me = login_client(app, english_user())

    def failing():
        from flask_login import current_user
        assert current_user.nickname == "alice"  # loaded before the failure, as most views do
        raise RuntimeError("boom")
    app.view_functions["web.index"] = failing
    resp = me.get("/")
    page = text(resp)
    assert resp.status_code == 500 and "We have noted the problem" in page and "alice" in page
    assert chinese_left(page, SWITCH) == []


def test_csrf_failure_says_so_in_english(app_factory):
    """A form sent without its CSRF token is the 400 page with the CSRF message in English."""
    client = english(app_factory(WTF_CSRF_ENABLED=True).test_client())
    page = text(client.post("/login", data={"email": "x@example.com", "password": "bad-pass"}))
    assert "The page has expired or the form is invalid" in page and chinese_left(page, SWITCH) == []


def test_busy_409_is_english(app, client):
    """A lock conflict that outlived its retries is the English "try again" page."""
    raising(app, OperationalError("UPDATE gift", {}, Exception(1213, "Deadlock found")))
    resp = english(client).get("/")
    page = text(resp)
    assert resp.status_code == 409 and "That action did not take effect" in page and chinese_left(page, SWITCH) == []


@pytest.mark.parametrize("how", ["cookie", "header"])
def test_db_down_503_is_english_for_a_visitor(app, client, how):
    """With the database gone a visitor's 503 page follows the cookie or Accept-Language, asking nothing."""
    raising(app, OperationalError("SELECT 1", {}, Exception("server has gone away")))
    if how == "cookie":
        resp = english(client).get("/", headers={"Accept-Language": "zh-CN"})
    else:
        resp = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    page = text(resp)
    assert resp.status_code == 503 and lang_of(page) == "en"
    assert "Service temporarily unavailable" in page and chinese_left(page, SWITCH) == []


def test_db_down_503_keeps_a_signed_in_readers_language_without_a_query(app):
    """After a database failure a reader whose account says English (no cookie, a Chinese browser) gets the
    English 503, and nothing more is asked of the database."""
    client = login_client(app, english_user())
    statements, restore = failing_after_user_is_loaded(db.engine, OperationalError)
    try:
        resp = client.get("/my/gifts", headers={"Accept-Language": "zh-CN"})
    finally:
        restore()
    page = text(resp)
    assert resp.status_code == 503 and lang_of(page) == "en" and "Service temporarily unavailable" in page
    assert chinese_left(page, SWITCH) == [] and len(statements) == 1, statements[1:]


def test_500_after_a_database_error_keeps_a_signed_in_readers_language(app_factory):
    """A 500 after a database error shows the English reader's nav in English, from memory."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        client = login_client(app, english_user())
        statements, restore = failing_after_user_is_loaded(db.engine, ProgrammingError)
    try:
        resp = client.get("/my/gifts", headers={"Accept-Language": "zh-CN"})
    finally:
        with app.app_context():
            restore()
    page = text(resp)
    assert resp.status_code == 500 and "Server error" in page and "alice" in page
    assert chinese_left(page, SWITCH) == [] and len(statements) == 1, statements[1:]


# -- the API reference page --------------------------------------------------
def strings_of(value):
    """Every string in a JSON document (what the OpenAPI document says, kept as written)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item)


def test_api_docs_page_words_are_english(client):
    """/api/docs in English: its headings, table columns, limits and tag titles are English;
    the operations' summaries come from the OpenAPI document as written."""
    page = text(english(client).get("/api/docs"))
    document_words = list(strings_of(client.get("/api/v1/openapi.json").get_json()))
    assert chinese_left(page, [*SWITCH, *document_words]) == []
    for words in ("fisher API reference", "The JSON API lives at <code>/api/v1</code>", ">Parameters</h4>",
                  ">Responses</h4>", '<th scope="col">Required</th>', "Books (books)", "Drifts (drifts)",
                  "characters", "default 20", "Schemas",
                  '<code>Link: &lt;…&gt;; rel="next"</code>'):
        assert words in page, words


# -- Chinese stays the default ----------------------------------------------
def test_chinese_frame_by_default(app, requested):
    """Without a choice the frame and the 404 page are Chinese as before."""
    visitor = text(app.test_client().get(MISSING))
    assert lang_of(visitor) == "zh-CN"
    for words in ("可赠送的书", "登录", "注册", "页面不存在", "回到首页", "赠送一本书得 0.5 个鱼豆，请求一本书花 1 个鱼豆",
                  "<title>页面不存在 · 鱼书</title>", 'data-default-label="确定">确定</button>', "请确认"):
        assert words in visitor, words
    bob = db.session.scalar(db.select(User).filter_by(nickname="bob"))
    page = text(login_client(app, bob).get(MISSING))
    assert "赠送清单" in page and "鱼漂" in page and "退出" in page and "0 个鱼豆" in page


@pytest.mark.parametrize("code, heading", [
    (400, "请求无效"), (409, "这笔交易的状态已经变化"), (413, "提交的内容太大"), (429, "操作太频繁"),
    (500, "服务器出错了"), (503, "书籍数据暂时不可用")])
def test_error_pages_stay_chinese_by_default(app, client, code, heading):
    """The error pages are Chinese with no language chosen."""
    app.view_functions["web.index"] = lambda: abort(code)
    page = text(client.get("/"))
    assert f"<h1 class=\"h4\">{heading}</h1>" in page and "回到首页" in page


def test_db_down_stays_chinese_by_default(app, client):
    """The database-down 503 is Chinese by default."""
    raising(app, OperationalError("SELECT 1", {}, Exception("server has gone away")))
    page = text(client.get("/"))
    assert lang_of(page) == "zh-CN" and "数据库暂时无法访问，你的操作没有生效，请稍后再试。" in page


def test_429_wait_stays_chinese_by_default(app_factory):
    """The 429 page's wait is Chinese by default."""
    limited = app_factory(LOGIN_RATE_LIMIT="1 per minute").test_client()
    limited.post("/login", data={"email": "x@example.com", "password": "bad-pass"})
    page = text(limited.post("/login", data={"email": "x@example.com", "password": "bad-pass"}))
    assert "你的请求太频繁了，请在约 1 分钟后重试。" in page


def test_api_docs_page_stays_chinese_by_default(client):
    """/api/docs without a choice keeps its Chinese words and limits."""
    page = text(client.get("/api/docs"))
    assert "fisher API 文档" in page and "字符" in page and "书（books）" in page and "<th scope=\"col\">必填</th>" in page

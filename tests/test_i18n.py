"""Choosing the page language (account, cookie, Accept-Language, Chinese) and the footer's switch."""
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from io import BytesIO
from pathlib import Path
from sqlalchemy import select

from app.models.base import db
from app.models.user import User
from tests.helpers import login_client, make_user

TRANSLATIONS = Path(__file__).resolve().parents[1] / "app" / "translations" / "en" / "LC_MESSAGES"


def lang_of(resp) -> str:
    page = resp.get_data(as_text=True)
    return page[page.index("<html lang=\"") + 12:].split('"', 1)[0]


def test_chinese_is_the_default(client):
    """With no choice and no Accept-Language the page is Chinese (html lang zh-CN)."""
    resp = client.get("/")
    assert lang_of(resp) == "zh-CN" and "跳到正文" in resp.get_data(as_text=True)


@pytest.mark.parametrize("header, lang", [("en-US,en;q=0.9", "en"), ("en-GB", "en"), ("zh-CN,zh;q=0.9", "zh-CN"),
                                          ("fr-FR,en;q=0.5", "en"), ("fr-FR", "zh-CN"), ("zh-TW,en;q=0.2", "zh-CN"),
                                          ("*", "zh-CN"), ("garbage;;q=x", "zh-CN")])
def test_accept_language_picks_the_best_match(client, header, lang):
    """Accept-Language chooses between Chinese and English; anything else is Chinese."""
    assert lang_of(client.get("/", headers={"Accept-Language": header})) == lang


def test_english_page_is_translated(client):
    """In English the translated strings of the page are English."""
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Skip to content" in page and "跳到正文" not in page


def test_cookie_beats_accept_language(client):
    """A visitor's locale cookie wins over the browser's Accept-Language; an unknown value is ignored."""
    client.set_cookie("locale", "zh")
    assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "zh-CN"
    client.set_cookie("locale", "klingon")
    assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "en"


def test_account_choice_beats_cookie_and_header(app):
    """A signed-in reader's saved language wins over the cookie and Accept-Language."""
    user = make_user("爱丽丝", "alice@example.com")
    with db.auto_commit():
        db.session.get(User, user.id).locale = "en"
    client = login_client(app, user)
    client.set_cookie("locale", "zh")
    assert lang_of(client.get("/", headers={"Accept-Language": "zh-CN"})) == "en"


def test_switch_sets_the_cookie_and_goes_back(client):
    """POST /language as a visitor sets a year-long locale cookie and redirects to the page it came from."""
    resp = client.post("/language", data={"locale": "en", "next": "/gifts?page=2"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/gifts?page=2"
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("locale=en;") and "Max-Age=31536000" in cookie and "HttpOnly" in cookie
    assert lang_of(client.get("/")) == "en"


@pytest.mark.parametrize("data", [{}, {"locale": ""}, {"locale": "fr"}, {"locale": "en' or 1=1"}])
def test_switch_refuses_unknown_languages(client, data):
    """A missing or unknown language is a 400 and sets no cookie."""
    resp = client.post("/language", data=data)
    assert resp.status_code == 400 and "Set-Cookie" not in resp.headers or "locale=" not in resp.headers.get(
        "Set-Cookie", "")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", ""])
def test_switch_never_redirects_elsewhere(client, target):
    """An unsafe or empty next goes to the home page."""
    resp = client.post("/language", data={"locale": "en", "next": target})
    assert resp.headers["Location"] == "/"


def test_signed_in_switch_saves_the_account(app):
    """A signed-in reader's switch saves the language on the account."""
    user = make_user("爱丽丝", "alice@example.com")
    login_client(app, user).post("/language", data={"locale": "en", "next": "/"})
    assert db.session.scalar(select(User.locale).where(User.id == user.id)) == "en"


def test_signed_in_switch_needs_the_csrf_token(app_factory):
    """With CSRF on, a visitor's switch works without a token, a signed-in reader's is a 400 and saves nothing."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        assert app.test_client().post("/language", data={"locale": "en"}).status_code == 302
        user = make_user("爱丽丝", "alice@example.com")
        resp = login_client(app, user).post("/language", data={"locale": "en"})
        assert resp.status_code == 400
        assert db.session.scalar(select(User.locale).where(User.id == user.id)) is None


def test_footer_switch_marks_the_current_language(client):
    """The footer offers both languages, each in its own language, the current one disabled."""
    page = client.get("/gifts", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="en" class="btn btn-link btn-sm p-0 ms-2" lang="en"\n        aria-current="true" disabled' in page
    assert '<input type="hidden" name="next" value="/gifts">' in page and ">中文</button>" in page


def test_page_cache_keeps_one_copy_per_language(app_factory):
    """With the page cache on, an English visitor never gets the Chinese copy of a page, nor the reverse."""
    app = app_factory(PAGE_CACHE_TTL=60)
    with app.app_context():
        client = app.test_client()
        for _ in range(2):
            assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "en"
            assert lang_of(client.get("/", headers={"Accept-Language": "zh"})) == "zh-CN"
        assert client.get("/", headers={"Accept-Language": "en"}).headers.get("X-Page-Cache") == "hit"


def test_compiled_catalog_matches_its_source():
    """messages.mo is the compilation of messages.po (run pybabel compile after editing it)."""
    with open(TRANSLATIONS / "messages.po", "rb") as source:
        catalog = read_po(source, locale="en")
    compiled = BytesIO()
    write_mo(compiled, catalog)
    assert compiled.getvalue() == (TRANSLATIONS / "messages.mo").read_bytes()


def test_every_message_has_an_english_translation():
    """No entry of the English catalog is left untranslated or fuzzy."""
    with open(TRANSLATIONS / "messages.po", "rb") as source:
        catalog = read_po(source, locale="en")
    missing = [message.id for message in catalog if message.id and (not message.string or message.fuzzy)]
    assert missing == []


def test_constant_amounts_follow_each_page_language(client):
    """{{ 1|beans }} is not frozen into the template in the language of the first page that compiled it."""
    assert "请求一本书花 1 个鱼豆" in client.get("/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "costs 1 bean" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)

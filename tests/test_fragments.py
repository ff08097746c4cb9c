"""Book cards kept per content (app/web/_fragments.py) and templates
translated when compiled (app/libs/template_i18n.py): pages must read exactly
as when every card and message was rendered afresh."""
import re

import pytest

from app.libs import template_i18n
from app.libs.beans import beans_text
from app.models.base import db
from app.models.book import Book
from app.web import _fragments
from app.web._fragments import KeptFragments, kept_cards
from sqlalchemy import select
from tests.helpers import HUOZHE, SANTI, add_books, login_client, make_gift, make_user, make_wish, minutes_ago, text_of
from tests.i18n_helpers import english

TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"|(value=")[^"]+("[^>]*name="csrf_token")')


def masked(text: str) -> str:
    """A page with its CSRF tokens (signed with the time) blanked."""
    return TOKEN.sub(lambda m: (m.group(1) or m.group(2)) + "-" + ('"' if m.group(1) else m.group(3)), text)


@pytest.fixture
def scene(app):
    """Two users, gifts and wishes on the sample books."""
    add_books()
    alice, bob = make_user("爱丽丝"), make_user("鲍勃")
    make_gift(alice, SANTI, create_time=minutes_ago(5))
    make_gift(bob, HUOZHE, create_time=minutes_ago(3))
    make_wish(bob, SANTI)
    return alice, bob


PAGES = ["/", "/about", "/book/search?q=三体", "/book/search?q=刘慈欣", f"/book/{SANTI}/detail",
         f"/book/search?q={SANTI}", "/login", "/register", "/gifts"]
MEMBER_PAGES = ["/", "/my/gifts", "/my/wishes", "/pending", "/personal", f"/book/{SANTI}/detail", "/notices"]


def pages_of(client, paths) -> dict:
    out = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        out[path] = masked(text_of(response))
    return out


@pytest.mark.parametrize("language", ["zh", "en"])
def test_compiled_translations_render_the_pages_as_run_time_ones(app, scene, monkeypatch, language):
    """Every page, for a visitor and a member, in each language, is the same HTML with messages translated at compile time and cards, URLs and layout parts kept, as with all of them made afresh."""
    alice, _bob = scene
    visitor, member = app.test_client(), login_client(app, alice)
    if language == "en":
        english(visitor), english(member)
    folded = pages_of(visitor, PAGES), pages_of(member, MEMBER_PAGES)
    monkeypatch.setattr(template_i18n.TranslatedEnvironment, "_current_language", staticmethod(lambda: None))
    monkeypatch.setitem(app.jinja_env.globals, "url_for", app.url_for)
    monkeypatch.setattr(_fragments, "_keeping", lambda _app: False)  # nothing kept: every card, URL and part drawn
    run_time = pages_of(visitor, PAGES), pages_of(member, MEMBER_PAGES)
    for mine, theirs in zip(folded, run_time):
        for path in mine:
            assert mine[path] == theirs[path], path
    if language == "en":
        assert "Most recent gifts" in folded[0]["/"] or "Recent gifts" in folded[0]["/"]


def test_each_language_compiles_its_own_templates(app, scene):
    """A Chinese page and an English page alternate without either taking the other's words."""
    zh, en = app.test_client(), english(app.test_client())
    for _ in range(2):
        assert "首页" in text_of(zh.get("/")) and "Home" not in re.sub(r"<[^>]+>", "", text_of(zh.get("/")))
        assert "<title>Home" in text_of(en.get("/"))
    assert set(app.jinja_env.__dict__["_copies"]) == {"zh", "en"}


def test_a_mail_in_the_recipients_language_is_compiled_in_it(app):
    """Rendering under force_locale (a mail to an English reader during a Chinese request) uses the English templates."""
    from flask import render_template
    from flask_babel import force_locale
    with app.test_request_context("/"):
        assert "首页" in render_template("main/index.html", form=None, recent=[])
        with force_locale("en"):
            page = render_template("main/index.html", form=None, recent=[])
        assert "<title>Home" in page and "首页" not in page


def test_an_edited_book_shows_at_once_on_its_card(app, scene):
    """A kept card is keyed by what it shows: the next page after a title is edited shows the new title."""
    client = app.test_client()
    assert "三体" in text_of(client.get("/book/search?q=刘慈欣"))
    with db.auto_commit():
        db.session.scalar(select(Book).where(Book.isbn == SANTI)).title = "三体（典藏版）"
    page = text_of(client.get("/book/search?q=刘慈欣"))
    assert ">三体（典藏版）</a>" in page and ">三体</a>" not in page


def test_a_stored_cover_shows_at_once_on_its_card(app_factory, tmp_path):
    """A cover stored after the card and the book page's cover were kept replaces the drawn one on the next pages."""
    covers = tmp_path / "covers"
    covers.mkdir()
    app = app_factory(COVERS_DIR=str(covers))
    with app.app_context():
        add_books()
        make_gift(make_user("爱丽丝"), SANTI)
        client = app.test_client()
        assert f"/covers/{SANTI}.jpg" not in text_of(client.get("/"))
        assert f"/covers/{SANTI}.jpg" not in text_of(client.get(f"/book/{SANTI}/detail"))
        (covers / f"{SANTI}.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 64)
        assert f'src="/covers/{SANTI}.jpg"' in text_of(client.get("/"))
        assert f'src="/covers/{SANTI}.jpg"' in text_of(client.get(f"/book/{SANTI}/detail"))


def test_the_callers_part_of_a_card_is_never_kept(app, scene):
    """What the page adds to a card (the gifter's name) is drawn each time: the newest gifter replaces the older."""
    client = app.test_client()
    assert "爱丽丝 赠送" in text_of(client.get("/"))
    make_gift(make_user("卡罗尔"), SANTI)
    page = text_of(client.get("/"))
    assert "卡罗尔 赠送" in page and "爱丽丝 赠送" not in page


def test_each_member_gets_their_own_withdraw_form_in_a_kept_card(app, scene):
    """Two members listing the same book see one card drawn once, each with a form carrying their own CSRF token."""
    alice, _bob = scene
    carol = make_user("卡罗尔")
    make_gift(carol, SANTI)
    tokens = []
    for user in (alice, carol):
        page = text_of(login_client(app, user).get("/my/gifts"))
        assert ">三体</a>" in page
        tokens.append(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert tokens[0] and tokens[1] and not set(tokens[0]) & set(tokens[1])


def test_cards_are_drawn_once_per_content(app, scene, monkeypatch):
    """Showing the same books again draws no card anew; another language draws its own."""
    drawn = []
    real = _fragments._render
    monkeypatch.setattr(_fragments, "_render", lambda book: drawn.append(book.isbn) or real(book))
    client = app.test_client()
    client.get("/")
    first = sorted(drawn)
    assert first == sorted([SANTI, HUOZHE])
    client.get("/"), client.get("/gifts")
    assert sorted(drawn) == first
    english(client).get("/")
    assert sorted(drawn) == sorted(first * 2)


def test_cards_are_drawn_afresh_while_templates_reload(app_factory, monkeypatch):
    """With template auto-reload on (editing templates), no card is kept."""
    app = app_factory(TEMPLATES_AUTO_RELOAD=True)
    with app.app_context():
        add_books()
        make_gift(make_user("爱丽丝"), SANTI)
        client = app.test_client()
        client.get("/"), client.get("/")
        assert len(kept_cards(app)) == 0


def test_kept_fragments_drop_the_least_recently_used():
    """The map holds at most its size, dropping what was used longest ago."""
    kept = KeptFragments(2)
    kept.put("a", 1), kept.put("b", 2)
    assert kept.get("a") == 1
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c"), len(kept)) == (1, None, 3, 2)


def test_bean_amounts_are_written_in_each_pages_language(app):
    """Written amounts are kept per language: Chinese, English, then Chinese again each read right."""
    from flask_babel import force_locale
    with app.test_request_context("/"):
        assert beans_text(1) == "1 个鱼豆"
        with force_locale("en"):
            assert (beans_text(1), beans_text(0.5), beans_text(2, signed=True)) == ("1 bean", "0.5 beans", "+2 beans")
        assert beans_text(0.5) == "0.5 个鱼豆"


def test_kept_urls_follow_the_root_path(app, scene):
    """A site served under a root path gets its URLs under it, even after the same pages were built at the root."""
    client = app.test_client()
    assert f'href="/book/{SANTI}/detail"' in text_of(client.get("/"))
    page = text_of(client.get("/", environ_overrides={"SCRIPT_NAME": "/fisher"}))
    assert f'href="/fisher/book/{SANTI}/detail"' in page and 'href="/book/' not in page


def test_kept_urls_keep_the_order_of_their_values(app):
    """Two URLs with the same values in another order are each built as Flask builds them."""
    from flask import url_for

    from app.web._fragments import kept_url_for
    with app.test_request_context("/"):
        one = kept_url_for("web.search", q="三体", page=2)
        other = kept_url_for("web.search", page=2, q="三体")
        assert (one, other) == (url_for("web.search", q="三体", page=2), url_for("web.search", page=2, q="三体"))
        assert kept_url_for("web.search", q="x", _anchor="top") == url_for("web.search", q="x", _anchor="top")


def nav_of(page: str) -> str:
    return page[page.index("<header>"):page.index("</header>")]


def test_each_member_sees_their_own_navigation(app, scene):
    """The kept navigation is each member's: their name and beans, and a visitor's has neither."""
    alice, bob = scene
    with db.auto_commit():
        alice.beans, bob.beans = 3, 0.5
    pages = [nav_of(text_of(login_client(app, user).get("/gifts"))) for user in (alice, bob)]
    visitor = nav_of(text_of(app.test_client().get("/gifts")))
    assert "爱丽丝" in pages[0] and "3 个鱼豆" in pages[0] and "鲍勃" not in pages[0]
    assert "鲍勃" in pages[1] and "0.5 个鱼豆" in pages[1] and "爱丽丝" not in pages[1]
    assert "爱丽丝" not in visitor and "鲍勃" not in visitor and "/login" in visitor


def test_the_navigation_shows_a_new_notice_and_new_beans_at_once(app, scene):
    """A notice written and beans changed after the navigation was kept show on the next page."""
    from app.services.notices import notify
    alice, _bob = scene
    client = login_client(app, alice)
    assert 'data-testid="unread-count"' not in nav_of(text_of(client.get("/gifts")))
    with db.auto_commit():
        notify(alice.id, "wish_available", isbn=SANTI, book_title="三体", actor="鲍勃")
        alice.beans = 7
    nav = nav_of(text_of(client.get("/gifts")))
    assert 'data-testid="unread-count">1<' in nav and "7 个鱼豆" in nav


def test_the_navigation_shows_new_beans_alone_at_once(app, scene):
    """Beans changed (and nothing else) after the navigation was kept show on the next page."""
    alice, _bob = scene
    client = login_client(app, alice)
    assert "0 个鱼豆" in nav_of(text_of(client.get("/gifts")))
    with db.auto_commit():
        alice.beans = 2.5
    assert "2.5 个鱼豆" in nav_of(text_of(client.get("/gifts")))


def test_the_navigation_marks_the_page_it_is_on(app, scene):
    """The active link and the search box's words follow the page, whatever was kept before."""
    client = app.test_client()
    client.get("/gifts")
    nav = nav_of(text_of(client.get("/book/search?q=刘慈欣")))
    assert 'value="刘慈欣"' in nav and 'aria-current="page"' not in nav
    nav = nav_of(text_of(client.get("/gifts")))
    assert 'value=""' in nav and 'aria-current="page">' in nav


def test_a_kept_logout_form_carries_a_token_that_works(app_factory):
    """With CSRF on, the logout form of a kept navigation carries this session's token, and logging out with it works."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        users = [make_user("爱丽丝"), make_user("鲍勃")]
        clients = [login_client(app, user) for user in users]
        tokens = []
        for client in clients:
            for _ in range(2):
                page = text_of(client.get("/gifts"))
            tokens.append(re.search(r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                                    page).group(1))
        assert tokens[0] != tokens[1] and "fisher-csrf-token" not in page
        assert clients[0].post("/logout", data={"csrf_token": tokens[1]}).status_code == 400
        assert clients[0].post("/logout", data={"csrf_token": tokens[0]}).status_code == 302


def test_the_footer_returns_to_the_page_it_is_on(app, scene):
    """The language switch's return address is the page's own, after another page's footer was kept."""
    client = app.test_client()
    client.get("/gifts")
    page = text_of(client.get("/book/search?q=三体"))
    footer = page[page.index("<footer"):]
    assert 'name="next" value="/book/search?q=三体"' in footer


def test_a_kept_gift_form_lists_the_book_with_its_own_token(app_factory):
    """With CSRF on, each member's kept gift form on a book page carries their token, and listing the book with it works."""
    from app.models.gift import Gift
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        add_books()
        for nickname in ("爱丽丝", "鲍勃"):
            client = login_client(app, make_user(nickname))
            for _ in range(2):
                page = text_of(client.get(f"/book/{SANTI}/detail"))
            form = page[page.index('data-testid="gift-form"'):]
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            response = client.post(f"/gifts/book/{SANTI}",
                                   data={"csrf_token": token, "condition": "", "note": ""})
            assert response.status_code == 302
        assert len(db.session.scalars(select(Gift).where(Gift.isbn == SANTI)).all()) == 2

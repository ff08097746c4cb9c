"""Issue 16, a first visit that explains itself: the welcome page after
registering, the rules (about) page in the footer, and the book page's request
buttons that show their cost and say why a request is not possible yet."""
import pytest

from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.drift import Drift
from tests.helpers import SANTI, add_books, login_client, make_gift, make_user, register, text_of
from tests.i18n_helpers import chinese_left, english

SWITCH = "语言"  # the footer's language switch is labelled "Language / 语言" in both languages on purpose


# -- the welcome page ---------------------------------------------------------
def test_registration_lands_on_the_welcome_page(client, auth):
    """Registering redirects to /welcome, which explains the beans with the config's numbers."""
    resp = auth.register()
    assert resp.status_code == 302 and resp.headers["Location"] == "/welcome"
    page = text_of(client.get("/welcome"))
    assert "欢迎来到鱼书，爱丽丝" in page
    assert "每把一本书加入赠送清单，获得 0.5 个鱼豆。" in page
    assert "请求一本书花 1 个鱼豆" in page
    assert "每收到两本书，你需要送出一本书，才能继续请求" in page
    assert 'action="/book/search"' in page and 'href="/"' in page


def test_welcome_numbers_come_from_the_config(app_factory):
    """Another BEANS_UPLOAD_ONE_BOOK shows on the welcome page."""
    app = app_factory(BEANS_UPLOAD_ONE_BOOK=1.5)
    client = app.test_client()
    register(client, "carol@example.com", "carol")
    page = text_of(client.get("/welcome"))
    assert "获得 1.5 个鱼豆" in page and "0.5 个鱼豆。" not in page


def test_visitor_is_sent_to_login_from_welcome(client):
    """/welcome is for signed-in users; a visitor is redirected to the login page."""
    resp = client.get("/welcome")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_welcome_in_english(client, auth):
    """The welcome page reads fully in English with the English numbers."""
    english(client)
    auth.register(email="dora@example.com", nickname="dora")
    page = text_of(client.get("/welcome"))
    assert chinese_left(page, allowed=[SWITCH]) == []
    assert "Welcome to Fisher, dora" in page
    assert "You earn 0.5 beans for each book you put on your gift list." in page
    assert "Requesting a book costs 1 bean" in page and "For every two books you receive" in page


# -- the book page's request buttons ------------------------------------------
@pytest.fixture
def offered(app, books):
    """alice offers 三体; returns the gift."""
    alice = make_user("alice", "alice@example.com")
    return make_gift(alice, SANTI)


def book_page(app, user, lang=None):
    client = login_client(app, user)
    if lang == "en":
        english(client)
    return text_of(client.get(f"/book/{SANTI}/detail"))


def received_books(user, gift, count):
    """``count`` finished drifts in which ``user`` received ``gift``'s book."""
    with db.auto_commit():
        for _ in range(count):
            db.session.add(Drift(recipient_name="x", address="x", mobile="x", isbn=SANTI, book_title="三体",
                                 requester_id=user.id, requester_nickname=user.nickname,
                                 gifter_id=gift.uid, gifter_nickname="alice", gift_id=gift.id,
                                 pending=PendingStatus.RECEIVED))


def test_no_beans_shows_cost_and_how_to_earn_without_a_button(app, offered):
    """With 0 beans the gift shows the cost and how to earn beans, and no request link."""
    bob = make_user("bob", "bob@example.com")
    page = book_page(app, bob)
    assert 'data-testid="cannot-request"' in page
    assert "请求此书需要 1 个鱼豆，你现在有 0 个鱼豆。" in page
    assert "把一本读过的书加入赠送清单，获得 +0.5 个鱼豆。" in page
    assert f"/gifts/{offered.id}/request" not in page and "向 TA 请求此书" not in page


def test_one_bean_shows_the_button_and_its_cost(app, offered):
    """With 1 bean the request button is there, with its cost next to it."""
    bob = make_user("bob", "bob@example.com", beans=1)
    page = book_page(app, bob)
    assert f'href="/gifts/{offered.id}/request"' in page and "向 TA 请求此书" in page
    assert '<small class="text-body-secondary" data-testid="request-cost">花 1 个鱼豆</small>' in page
    assert 'data-testid="cannot-request"' not in page


def test_ratio_rule_hides_the_button_even_with_beans(app, offered):
    """Two books received and none given: beans to spare, but no button, and how many to give."""
    bob = make_user("bob", "bob@example.com", beans=5)
    received_books(bob, offered, 2)
    page = book_page(app, bob)
    assert "每收到两本书需要送出一本：再送出 1 本书后才能请求。" in page
    assert "你现在有" not in page  # beans are not the problem
    assert f"/gifts/{offered.id}/request" not in page


def test_visitor_keeps_the_login_link(app, offered):
    """A visitor still sees "log in to request", pointing at the request page after login."""
    page = text_of(app.test_client().get(f"/book/{SANTI}/detail"))
    assert "登录后请求此书" in page and f"next=/gifts/{offered.id}/request" in page
    assert 'data-testid="cannot-request"' not in page and 'data-testid="request-cost"' not in page


@pytest.mark.parametrize("beans, received, expected", [
    (0, 0, "Requesting this book costs 1 bean; you have 0 beans."),
    (1, 0, "Costs 1 bean"),
    (5, 2, "give 1 more book before you can request"),
])
def test_book_page_request_states_in_english(app, offered, beans, received, expected):
    """Each request state of the book page reads fully in English."""
    bob = make_user("bob", "bob@example.com", beans=beans)
    received_books(bob, offered, received)
    page = book_page(app, bob, "en")
    assert chinese_left(page, allowed=["alice", "bob", SWITCH]) == []
    assert expected in page
    if beans == 0:
        assert "Put a book you have read on your gift list to earn +0.5 beans." in page


# -- the about page -----------------------------------------------------------
def test_about_page_explains_the_rules_with_config_numbers(app_factory):
    """Beans, the lifecycle and the address policy, each number from the config."""
    app = app_factory(DRIFT_RESPONSE_DAYS=4, DRIFT_MAIL_DAYS=6, DRIFT_RECEIVE_DAYS=22,
                      ADDRESS_RETENTION_DAYS=31, BEANS_UPLOAD_ONE_BOOK=1.5)
    page = text_of(app.test_client().get("/about"))
    assert "获得 1.5 个鱼豆" in page and "请求一本书花 1 个鱼豆" in page
    assert "赠书人需在 4 天内同意或拒绝" in page and "赠书人需在 6 天内寄出" in page
    assert "如果 22 天内没有确认" in page and "交易结束 31 天后" in page
    assert "只在赠书人同意请求之后、这次交易结束之前可以看到" in page
    assert "撤回" in page and "过期" in page and "退还" in page


def test_footer_links_to_about(client):
    """Every page's footer links to the rules page."""
    page = text_of(client.get("/"))
    assert '<a href="/about" data-testid="footer-about">规则说明</a>' in page
    assert "赠送一本书得 0.5 个鱼豆，请求一本书花 1 个鱼豆" in page


def test_about_in_english(app, client):
    """The about page, footer included, reads fully in English."""
    page = text_of(english(client).get("/about"))
    assert chinese_left(page, allowed=[SWITCH]) == []
    assert "Fisher's rules" in page and "within 3 days" in page and "within 5 days" in page
    assert "within 21 days" in page and "30 days after it closes" in page
    assert '<a href="/about" data-testid="footer-about">Rules</a>' in page


def test_about_for_a_signed_in_user(app):
    """A signed-in user gets the about page too (fresh, never from the visitors' cache)."""
    bob = make_user("bob", "bob@example.com")
    resp = login_client(app, bob).get("/about")
    assert resp.status_code == 200 and "鱼书的规则" in text_of(resp)


def test_about_is_cached_for_visitors(app_factory):
    """A visitor's second visit within PAGE_CACHE_TTL is served from the cache."""
    client = app_factory(PAGE_CACHE_TTL=30).test_client()
    first, second = client.get("/about"), client.get("/about")
    assert "X-Page-Cache" not in first.headers and second.headers["X-Page-Cache"] == "hit"

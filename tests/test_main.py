"""The home page's recent gifts (and its query), and the book page's trade
section: counts, buttons, gifters and wishers."""
import re

from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.models.bean_ledger import change_beans
from app.models.page_queries import recent_gifts
from tests.helpers import (
    BAINIAN, HONGLOU, HUOZHE, PYTHON, SANTI, SANTI2, add_books, make_gift, make_user, make_wish, minutes_ago,
    text_of, unchanged)


def titles_on(text: str) -> list[str]:
    """Book titles linked from book cards, in page order."""
    return re.findall(r'<h2 class="h6 mb-1"><a href="/book/\d+/detail">([^<]+)</a>', text)


# -- home page -----------------------------------------------------------------

def test_index_renders(client):
    """The home page has a search box posting q to /book/search."""
    resp = client.get("/")
    assert resp.status_code == 200
    text = text_of(resp)
    assert 'action="/book/search"' in text
    assert 'name="q"' in text


def _home_scene(alice, bob):
    """Two users list 三体 (鲍勃 last), 活着 is older, the rest are withdrawn or given."""
    make_gift(alice, SANTI, create_time=minutes_ago(10))
    make_gift(bob, SANTI, create_time=minutes_ago(2))
    make_gift(alice, HUOZHE, create_time=minutes_ago(5))
    make_gift(alice, BAINIAN, deleted=True)
    make_gift(bob, HONGLOU, launched=True)
    make_wish(bob, PYTHON)


def test_home_shows_recent_gifts_once_per_book_newest_first(client, alice, bob):
    """Live, unlaunched gifts, one per ISBN, newest first, with the newest gifter."""
    _home_scene(alice, bob)
    with unchanged():
        text = text_of(client.get("/"))
        assert titles_on(text) == ["三体", "活着"]
        assert re.search(r">三体</a>.*?鲍勃 赠送.*?>活着</a>.*?爱丽丝 赠送", text, re.S)


def test_recent_gifts_query(alice, bob):
    """recent_gifts returns rows of card columns, gifter id and nickname: newest gift of each ISBN, newest first."""
    _home_scene(alice, bob)
    rows = recent_gifts(30)
    assert [(r.isbn, r.uid, r.title, r.nickname) for r in rows] == [
        (SANTI, bob.id, "三体", "鲍勃"), (HUOZHE, alice.id, "活着", "爱丽丝")]
    assert [r.isbn for r in recent_gifts(1)] == [SANTI]


def test_recent_gifts_falls_back_to_an_older_live_gift(alice, bob):
    """When a book's newest gift is withdrawn or given, its older live gift is shown."""
    make_gift(alice, SANTI, create_time=minutes_ago(10))
    make_gift(bob, SANTI, create_time=minutes_ago(5), deleted=True)
    make_gift(alice, HUOZHE, create_time=minutes_ago(8))
    make_gift(bob, HUOZHE, create_time=minutes_ago(3), launched=True)
    rows = recent_gifts(30)
    assert [(r.isbn, r.nickname) for r in rows] == [(HUOZHE, "爱丽丝"), (SANTI, "爱丽丝")]


def test_recent_gifts_leave_out_a_deleted_book(alice):
    """A gift whose book record was deleted is not listed (the soft-delete rule holds for column reads)."""
    make_gift(alice, SANTI, create_time=minutes_ago(10))
    make_gift(alice, HUOZHE, create_time=minutes_ago(8))
    with db.auto_commit():
        db.session.scalar(select(Book).where(Book.isbn == SANTI)).status = 0
    assert [r.isbn for r in recent_gifts(30)] == [HUOZHE]


def test_home_respects_recent_book_count(app_factory):
    """No more than RECENT_BOOK_COUNT books are shown: the newest ones."""
    app = app_factory(RECENT_BOOK_COUNT=3)
    with app.app_context():
        add_books()
        gifter = make_user("爱丽丝")
        for age, isbn in enumerate([SANTI, SANTI2, HUOZHE, BAINIAN, HONGLOU]):
            make_gift(gifter, isbn, create_time=minutes_ago(age + 1))
        assert titles_on(text_of(app.test_client().get("/"))) == ["三体", "三体Ⅱ", "活着"]


def test_home_empty_state(client, alice):
    """With no live gift the home page says nobody has listed one yet."""
    make_gift(alice, SANTI, deleted=True)
    make_gift(alice, HUOZHE, launched=True)
    text = text_of(client.get("/"))
    assert "还没有人赠送书" in text and titles_on(text) == []


# -- book page -----------------------------------------------------------------

def detail(client, isbn=SANTI) -> str:
    resp = client.get(f"/book/{isbn}/detail")
    assert resp.status_code == 200
    return text_of(resp)


def test_book_page_counts_live_open_wishes_and_gifts(as_alice, alice, bob):
    """"N 人想要 / M 人可赠送" count live, unlaunched rows of this book only."""
    carol, dave = make_user("卡罗尔"), make_user("戴夫")
    make_wish(bob, SANTI)
    make_wish(carol, SANTI)
    make_wish(dave, SANTI, deleted=True)
    make_wish(alice, SANTI, launched=True)
    make_gift(dave, SANTI)
    make_gift(carol, SANTI, launched=True)
    make_gift(bob, HUOZHE)
    with unchanged():
        text = detail(as_alice)
        assert "2 人想要" in text and "1 人可赠送" in text


def test_book_page_offers_both_buttons_when_in_neither_list(as_alice, alice, bob):
    """A book in neither of my lists shows "赠送此书" and "加入到心愿清单" forms."""
    make_gift(bob, HUOZHE)
    make_wish(alice, HUOZHE, deleted=True)
    text = detail(as_alice)
    assert f'action="/gifts/book/{SANTI}"' in text and "赠送此书" in text
    assert f'action="/wishes/book/{SANTI}"' in text and "加入到心愿清单" in text
    assert "已添加至" not in text
    assert "0 人想要" in text and "0 人可赠送" in text


def test_book_page_marks_book_in_my_gifts(as_alice, alice):
    """A book I offer shows "已添加至赠送清单" instead of the buttons, and counts me."""
    make_gift(alice, SANTI)
    text = detail(as_alice)
    assert "已添加至赠送清单" in text and "1 人可赠送" in text
    assert "赠送此书</button>" not in text and "加入到心愿清单" not in text


def test_book_page_marks_book_in_my_wishes(as_alice, alice):
    """A book I wish for shows "已添加至心愿清单" instead of the buttons, and counts me."""
    make_wish(alice, SANTI)
    text = detail(as_alice)
    assert "已添加至心愿清单" in text and "1 人想要" in text
    assert "赠送此书</button>" not in text and "加入到心愿清单" not in text


def test_book_page_lists_gifters_with_request_links(as_alice, alice, bob):
    """When others offer the book I wish for, each gifter has a "向 TA 请求此书" link."""
    with db.auto_commit():
        change_beans(alice.id, 1, "test_grant")  # the link shows only to someone who may request
    carol = make_user("卡罗尔")
    make_wish(alice, SANTI)
    bob_gift = make_gift(bob, SANTI, create_time=minutes_ago(10))
    carol_gift = make_gift(carol, SANTI, create_time=minutes_ago(5))
    make_wish(carol, HUOZHE)
    make_wish(make_user("戴夫"), SANTI)
    text = detail(as_alice)
    links = re.findall(r'href="/gifts/(\d+)/request"[^>]*>向 TA 请求此书', text)
    assert links == [str(bob_gift.id), str(carol_gift.id)]
    assert re.search(r"鲍勃.*?卡罗尔", text, re.S)
    assert "向 TA 赠送此书" not in text and "/satisfy/wish/" not in text


def test_book_page_lists_wishers_with_give_buttons_for_a_gifter(as_alice, alice, bob):
    """When I offer the book, each other wisher has a "向 TA 赠送此书" button; no request links."""
    carol = make_user("卡罗尔")
    make_gift(alice, SANTI)
    make_gift(carol, SANTI)
    wish = make_wish(bob, SANTI)
    make_wish(carol, HUOZHE)
    text = detail(as_alice)
    assert re.findall(r'action="/satisfy/wish/(\d+)"', text) == [str(wish.id)]
    assert "向 TA 赠送此书" in text and "鲍勃" in text
    assert "向 TA 请求此书" not in text and "/request\"" not in text


def test_book_page_anonymous_sees_login_link(client, alice):
    """An anonymous visitor gets a login link instead of the list buttons."""
    make_gift(alice, SANTI)
    text = detail(client)
    assert f'href="/login?next=/book/{SANTI}/detail"' in text
    assert "赠送此书</button>" not in text and "加入到心愿清单" not in text
    assert "/gifts/book/" not in text and "/wishes/book/" not in text
    assert "1 人可赠送" in text

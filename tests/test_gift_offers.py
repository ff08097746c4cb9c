"""GET /gifts, every copy on offer now (with its filters), and what search
results say about copies on offer ("N 人可赠送", only books someone gives)."""
import re

import pytest

from app.services import drift as drifts
from tests.helpers import (
    BAINIAN, DRIFT_FORM, HUOZHE, SANTI, SANTI2, add_books, login_client, make_gift, make_user,
    make_wish, minutes_ago, numbered_books, text_of)


def offered_titles(page: str) -> list[str]:
    """The titles of the listed copies, in order."""
    items = re.findall(r'data-testid="offer">(.*?)</li>', page, re.S)
    return [re.search(r'<h2 class="h6 mb-1"><a [^>]*>([^<]+)</a>', item).group(1) for item in items]


@pytest.fixture
def people(app, books):
    """爱丽丝 and 鲍勃 (with beans to request), the sample books in the catalog."""
    return make_user("爱丽丝", beans=5), make_user("鲍勃", beans=5)


def test_lists_every_copy_on_offer_newest_first(client, people):
    """Each live copy shows once, newest first, two copies of one book included."""
    alice, bob = people
    make_gift(alice, SANTI, create_time=minutes_ago(30))
    make_gift(bob, SANTI, create_time=minutes_ago(20))
    make_gift(alice, HUOZHE, create_time=minutes_ago(10))
    page = text_of(client.get("/gifts"))
    assert offered_titles(page) == ["活着", "三体", "三体"]
    assert "共 3 本" in page


def test_withdrawn_given_and_promised_copies_are_not_on_offer(client, people):
    """Withdrawn and given copies are left out, and so is a copy whose gifter accepted a
    request; a copy with a request still waiting stays on offer."""
    alice, bob = people
    make_gift(alice, SANTI, deleted=True)
    make_gift(alice, SANTI2, launched=True)
    promised = make_gift(alice, HUOZHE)
    waiting = make_gift(alice, BAINIAN)
    drifts.accept(alice, drifts.request_gift(bob, promised.id, DRIFT_FORM).id)
    drifts.request_gift(bob, waiting.id, DRIFT_FORM)
    assert offered_titles(text_of(client.get("/gifts"))) == ["百年孤独"]


def test_pages_of_fifteen(app, client, people):
    """Sixteen copies make a full first page and a second page of one."""
    alice, _bob = people
    add_books(numbered_books(16))
    for n, record in enumerate(numbered_books(16)):
        make_gift(alice, record["isbn"], create_time=minutes_ago(100 - n))
    first, second = text_of(client.get("/gifts")), text_of(client.get("/gifts?page=2"))
    assert len(offered_titles(first)) == 15 and offered_titles(second) == ["测试书 01"]
    assert "第 1 / 2 页" in first and "/gifts?page=2" in first


def test_wanted_filter_keeps_books_someone_else_wants(client, people):
    """有人想要 keeps copies of books another user wishes for, and shows how many want it."""
    alice, bob = people
    make_gift(alice, SANTI)
    make_gift(alice, HUOZHE)
    make_wish(bob, HUOZHE)
    make_wish(make_user("卡罗尔"), HUOZHE)
    make_wish(bob, BAINIAN)  # nobody gives this one
    page = text_of(client.get("/gifts?wanted=1"))
    assert offered_titles(page) == ["活着"] and "2 人想要" in page
    assert offered_titles(text_of(client.get("/gifts"))) == ["活着", "三体"]


def test_keyword_filter(client, people):
    """A keyword keeps the copies of matching books, by title or author."""
    alice, bob = people
    make_gift(alice, SANTI)
    make_gift(bob, SANTI2)
    make_gift(alice, HUOZHE)
    assert sorted(offered_titles(text_of(client.get("/gifts?q=三体")))) == ["三体", "三体Ⅱ"]
    assert offered_titles(text_of(client.get("/gifts?q=余华"))) == ["活着"]
    page = text_of(client.get("/gifts?q=不存在"))
    assert offered_titles(page) == [] and "现在没有符合条件的赠书" in page


@pytest.mark.parametrize("query", ["page=0", "page=100", "page=x", "q=" + "长" * 31])
def test_bad_filters_are_400_with_a_message(client, people, query):
    """A page out of range or a keyword too long is answered with the form's message."""
    resp = client.get(f"/gifts?{query}")
    assert resp.status_code == 400 and ("页码" in text_of(resp) or "关键字最多" in text_of(resp))


def test_own_copies_are_marked_and_others_can_be_requested(app, people):
    """A gifter sees their own copy marked; another user gets the request link."""
    alice, bob = people
    gift = make_gift(alice, SANTI)
    assert "这是你赠送的" in text_of(login_client(app, alice).get("/gifts"))
    page = text_of(login_client(app, bob).get("/gifts"))
    assert f"/gifts/{gift.id}/request" in page and "这是你赠送的" not in page


def test_empty_site_says_nobody_gives_yet(client, people):
    """With no gifts the page says so and points to the search."""
    assert "现在还没有人赠送书" in text_of(client.get("/gifts"))


def test_search_results_count_copies_on_offer(client, people):
    """Each result says how many copies are on offer now; a promised copy does not count."""
    alice, bob = people
    make_gift(alice, SANTI)
    make_gift(bob, SANTI)
    promised = make_gift(alice, SANTI2)
    drifts.accept(alice, drifts.request_gift(bob, promised.id, DRIFT_FORM).id)
    page = text_of(client.get("/book/search?q=三体"))
    assert page.count('data-testid="offer-count"') == 1 and "2 人可赠送" in page


def test_search_can_keep_only_books_someone_gives(client, people):
    """With offered=1 only the books with a copy on offer are listed, and the page links
    keep the filter."""
    alice, _bob = people
    make_gift(alice, SANTI2)
    page = text_of(client.get("/book/search?q=三体&offered=1"))
    assert "三体Ⅱ" in page and f"/book/{SANTI}/detail" not in page
    assert "共 1 本" in page and "显示全部" in page
    assert f"/book/{SANTI}/detail" in text_of(client.get("/book/search?q=三体"))


def test_offered_search_pages_keep_the_filter(app, client, people):
    """Page links of an offered=1 search carry offered=1."""
    alice, _bob = people
    records = numbered_books(20, body="978711900")
    add_books(records)
    for record in records:
        make_gift(alice, record["isbn"])
    page = text_of(client.get("/book/search?q=测试书&offered=1"))
    assert "共 20 本" in page and re.search(r'href="/book/search\?q=[^"]*offered=1[^"]*page=2"|'
                                              r'href="/book/search\?q=[^"]*page=2[^"]*offered=1"', page)

"""The gift list: listing and withdrawing gifts, the bean accounting, the
"my gifts" page and the wish-alert notices (and their email) sent when a gift is listed."""
import queue
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.models.base import db
from app.models.bean_ledger import BeanLedger, BeanReason, change_beans
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.notice import MailState, Notice
from app.models.user import User
from app.services.notices import MAIL_GROUP_KEYS
from tests.helpers import (
    BAD_CHECK_DIGIT, BAINIAN, DRIFT_FORM, DUPLICATE, HONGLOU, HUOZHE, SANTI, SANTI2, UNKNOWN_VALID_ISBN, add_books,
    beans_of, live, login_client, make_gift, make_user, make_wish, minutes_ago, snapshot, text_of, unchanged)

HALF = Decimal("0.5")


def list_gift(client, isbn):
    return client.post(f"/gifts/book/{isbn}", follow_redirects=True)


# -- POST /gifts/book/<isbn> ---------------------------------------------------

def test_save_gift_requires_login(client, books):
    """An anonymous visitor is sent to the login page and nothing is stored."""
    resp = client.post(f"/gifts/book/{SANTI}")
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"
    assert live(Gift) == []


def test_save_gift_lists_it_and_earns_half_a_bean(as_alice, alice):
    """Listing a gift stores a live, unlaunched row and adds 0.5 beans with a ledger row."""
    resp = as_alice.post(f"/gifts/book/{SANTI}")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/book/{SANTI}/detail"
    [gift] = live(Gift, uid=alice.id)
    assert gift.isbn == SANTI and gift.launched is False
    assert beans_of(alice) == (HALF, HALF)
    [entry] = live(BeanLedger, uid=alice.id)
    assert (entry.delta, entry.reason, entry.gift_id) == (HALF, BeanReason.LIST_GIFT, gift.id)
    assert "已添加至赠送清单，获得 0.5 个鱼豆" in text_of(as_alice.get(resp.headers["Location"]))


@pytest.mark.parametrize("isbn", [BAD_CHECK_DIGIT, "not-an-isbn", "978753669293"])
def test_save_gift_refuses_invalid_isbn(as_alice, alice, isbn):
    """An invalid ISBN is a 404 and stores nothing."""
    with unchanged():
        assert as_alice.post(f"/gifts/book/{isbn}").status_code == 404


def test_save_gift_refuses_book_unknown_to_source(as_alice, alice):
    """A valid ISBN the book source does not know is a 404 and stores nothing."""
    with unchanged():
        assert as_alice.post(f"/gifts/book/{UNKNOWN_VALID_ISBN}").status_code == 404


def test_save_gift_twice_is_refused(as_alice, alice):
    """A second gift of the same book is refused with a flash; one row, 0.5 beans."""
    list_gift(as_alice, SANTI)
    with unchanged():
        resp = list_gift(as_alice, SANTI)
        assert resp.status_code == 200 and DUPLICATE in text_of(resp)
    assert beans_of(alice) == (HALF, HALF)


def test_save_gift_of_a_wished_book_is_refused(as_alice, alice):
    """A book already in my wish list cannot be listed as a gift."""
    as_alice.post(f"/wishes/book/{SANTI}")
    with unchanged():
        resp = list_gift(as_alice, SANTI)
        assert DUPLICATE in text_of(resp)
    assert live(Gift) == []


def test_withdrawn_or_given_gift_does_not_block_a_new_one(as_alice, alice):
    """A withdrawn gift or one already given away does not count as a duplicate."""
    list_gift(as_alice, SANTI)
    as_alice.post(f"/gifts/{live(Gift)[0].id}/withdraw")
    make_gift(alice, HUOZHE, launched=True)
    assert DUPLICATE not in text_of(list_gift(as_alice, SANTI))
    assert DUPLICATE not in text_of(list_gift(as_alice, HUOZHE))
    assert [(g.isbn, g.launched) for g in live(Gift)] == [(HUOZHE, True), (SANTI, False),
                                                          (HUOZHE, False)]


def test_same_book_listed_by_two_users(as_alice, as_bob, alice, bob):
    """Another user's gift of the same book does not block mine."""
    list_gift(as_bob, SANTI)
    assert DUPLICATE not in text_of(list_gift(as_alice, SANTI))
    assert sorted(g.uid for g in live(Gift, isbn=SANTI)) == sorted([alice.id, bob.id])


@pytest.mark.parametrize("path", [f"/gifts/book/{SANTI}", "/gifts/1/withdraw"])
def test_gift_changes_refuse_get(as_alice, alice, path):
    """The gift routes that change data answer GET with 405."""
    make_gift(alice, SANTI)
    with unchanged():
        assert as_alice.get(path).status_code == 405


# -- POST /gifts/<gid>/withdraw -------------------------------------------------

def test_withdraw_gift_soft_deletes_and_takes_back_beans(as_alice, alice):
    """Withdrawing my gift soft-deletes it and takes back the 0.5 beans, in the ledger too."""
    list_gift(as_alice, SANTI)
    gid = live(Gift)[0].id
    resp = as_alice.post(f"/gifts/{gid}/withdraw", follow_redirects=True)
    assert "已从赠送清单撤回" in text_of(resp)
    assert live(Gift) == []
    assert [g.status for g in snapshot()["gift"]] == [0]
    assert beans_of(alice) == (0, 0)
    assert [(e.delta, e.reason) for e in live(BeanLedger, uid=alice.id)] == [
        (HALF, BeanReason.LIST_GIFT), (-HALF, BeanReason.WITHDRAW_GIFT)]


def test_withdraw_someone_elses_gift_is_404(as_alice, as_bob, alice, bob):
    """Another user's gift id is a 404 and changes nothing."""
    list_gift(as_bob, SANTI)
    with unchanged():
        assert as_alice.post(f"/gifts/{live(Gift)[0].id}/withdraw").status_code == 404


def test_withdraw_unknown_gift_is_404(as_alice, alice):
    """A gift id that does not exist is a 404."""
    list_gift(as_alice, SANTI)
    with unchanged():
        assert as_alice.post("/gifts/999/withdraw").status_code == 404


def test_withdraw_twice_takes_beans_back_once(as_alice, alice):
    """A gift already withdrawn is a 404; the beans are taken back only once."""
    list_gift(as_alice, SANTI)
    list_gift(as_alice, HUOZHE)
    gid = live(Gift, isbn=SANTI)[0].id
    as_alice.post(f"/gifts/{gid}/withdraw")
    with unchanged():
        assert as_alice.post(f"/gifts/{gid}/withdraw").status_code == 404
    assert beans_of(alice) == (HALF, HALF)


def test_withdraw_given_gift_is_404(as_alice, alice):
    """A gift already given away cannot be withdrawn."""
    gift = make_gift(alice, SANTI, launched=True)
    with unchanged():
        assert as_alice.post(f"/gifts/{gift.id}/withdraw").status_code == 404


def test_withdraw_requires_login(client, alice):
    """An anonymous withdraw is sent to login and changes nothing."""
    gift = make_gift(alice, SANTI)
    with unchanged():
        resp = client.post(f"/gifts/{gift.id}/withdraw")
        assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


def test_withdraw_refused_while_a_drift_waits(app, as_alice, alice):
    """While someone's request for the gift waits, it cannot be withdrawn; afterwards it can."""
    carol = make_user("卡罗尔", beans=1)
    as_carol = login_client(app, carol)
    list_gift(as_alice, SANTI)
    gid = live(Gift)[0].id
    resp = as_carol.post(f"/gifts/{gid}/request", data=DRIFT_FORM)
    assert resp.status_code == 302 and resp.headers["Location"] == "/pending"
    [drift] = live(Drift, gift_id=gid)
    with unchanged():
        resp = as_alice.post(f"/gifts/{gid}/withdraw", follow_redirects=True)
        assert "这个礼物正处于交易状态，请先前往鱼漂完成该交易" in text_of(resp)
    assert beans_of(alice) == (HALF, HALF)
    assert "有待处理的鱼漂" in text_of(as_alice.get("/my/gifts"))
    as_carol.post(f"/drift/{drift.id}/withdraw")
    as_alice.post(f"/gifts/{gid}/withdraw")
    assert live(Gift) == [] and beans_of(alice) == (0, 0)


def debt_of(user) -> Decimal:
    db.session.expire_all()
    return db.session.get(User, user.id).bean_debt


def reasons_of(user) -> list[str]:
    return [row.reason for row in live(BeanLedger, uid=user.id)]


def test_withdraw_at_zero_beans_succeeds_and_records_the_debt(app, as_alice, as_bob, alice):
    """With 0 beans the gift is still withdrawn: nothing is taken (never negative), the
    0.5 is owed, and the next credit pays the debt first, as ledger rows."""
    list_gift(as_alice, SANTI)
    list_gift(as_alice, HUOZHE)
    list_gift(as_bob, BAINIAN)
    resp = as_alice.post(f"/gifts/{live(Gift, isbn=BAINIAN)[0].id}/request", data=DRIFT_FORM)
    assert resp.status_code == 302
    assert beans_of(alice) == (0, 0)
    resp = as_alice.post(f"/gifts/{live(Gift, isbn=SANTI)[0].id}/withdraw", follow_redirects=True)
    assert "已从赠送清单撤回" in text_of(resp)
    assert [g.isbn for g in live(Gift, uid=alice.id)] == [HUOZHE]
    assert beans_of(alice) == (0, 0) and debt_of(alice) == HALF
    assert reasons_of(alice) == ["list_gift", "list_gift", "request"]  # nothing taken yet
    list_gift(as_alice, HONGLOU)  # +0.5, all of it repays the debt
    assert beans_of(alice) == (0, 0) and debt_of(alice) == 0
    assert reasons_of(alice)[-2:] == [BeanReason.LIST_GIFT, BeanReason.REPAY_DEBT]


def test_withdraw_takes_back_what_the_balance_allows(app, as_alice, alice):
    """With less than the listing bean, what there is is taken and only the rest owed."""
    list_gift(as_alice, SANTI)
    with db.auto_commit():
        change_beans(alice.id, Decimal("-0.3"), "test_spend")
    as_alice.post(f"/gifts/{live(Gift, isbn=SANTI)[0].id}/withdraw")
    assert live(Gift) == []
    assert beans_of(alice) == (0, 0) and debt_of(alice) == Decimal("0.3")
    assert live(BeanLedger, uid=alice.id)[-1].delta == Decimal("-0.2")


def test_listing_and_withdrawing_cannot_farm_beans(app, as_alice, as_bob, alice, bob):
    """Spending the listing beans, then withdrawing and relisting gifts over and over, never
    leaves more than the gifts still listed are worth: beans − debt stays 0.5 per listed gift
    minus the held request, the balance never goes negative, and a refund pays the debt."""
    list_gift(as_alice, SANTI)
    list_gift(as_alice, HUOZHE)
    list_gift(as_bob, BAINIAN)
    assert as_alice.post(f"/gifts/{live(Gift, isbn=BAINIAN)[0].id}/request",
                         data=DRIFT_FORM).status_code == 302

    def worth() -> Decimal:
        balance, ledger = beans_of(alice)
        assert balance == ledger and balance >= 0
        return balance - debt_of(alice)

    for _ in range(5):
        for isbn in (SANTI, HUOZHE):
            as_alice.post(f"/gifts/{live(Gift, isbn=isbn, uid=alice.id)[0].id}/withdraw")
            assert worth() == HALF * len(live(Gift, uid=alice.id)) - 1
        for isbn in (SANTI, HUOZHE):
            list_gift(as_alice, isbn)
            assert worth() == HALF * len(live(Gift, uid=alice.id)) - 1
    for isbn in (SANTI, HUOZHE):
        as_alice.post(f"/gifts/{live(Gift, isbn=isbn, uid=alice.id)[0].id}/withdraw")
    assert beans_of(alice) == (0, 0) and debt_of(alice) == 1
    [drift] = live(Drift)
    assert as_bob.post(f"/drift/{drift.id}/reject").status_code == 302  # +1 refund, all owed
    assert beans_of(alice) == (0, 0) and debt_of(alice) == 0


# -- GET /my/gifts ---------------------------------------------------------------

def test_my_gifts_lists_live_unlaunched_gifts_newest_first(as_alice, alice, bob):
    """My live, unlaunched gifts, newest first, with book details and how many want each."""
    carol, dave = make_user("卡罗尔"), make_user("戴夫")
    make_gift(alice, SANTI, create_time=minutes_ago(30))
    make_gift(alice, HUOZHE, create_time=minutes_ago(10))
    make_gift(alice, BAINIAN, deleted=True)
    make_gift(alice, SANTI2, launched=True)
    make_gift(bob, HONGLOU)
    make_wish(bob, SANTI)
    make_wish(carol, SANTI)
    make_wish(dave, SANTI, deleted=True)
    make_wish(dave, HUOZHE, launched=True)
    with unchanged():
        resp = as_alice.get("/my/gifts")
        text = text_of(resp)
        assert resp.status_code == 200 and "2 本" in text
        assert text.index(">活着</a>") < text.index(">三体</a>")
        assert "刘慈欣 / 重庆出版社 / 23.00" in text and "余华 / 作家出版社 / 20.00元" in text
        assert "2 人想要" in text and "暂时没有人想要" in text
        for absent in ("三体Ⅱ", "百年孤独", "红楼梦"):
            assert absent not in text


def test_my_gifts_empty_state(as_alice, alice, bob):
    """With no gifts (others' and deleted ones don't count) the page invites a search."""
    make_gift(alice, SANTI, deleted=True)
    make_gift(bob, HUOZHE)
    text = text_of(as_alice.get("/my/gifts"))
    assert "还没有赠送的书" in text and "三体" not in text and "活着" not in text


def test_my_gifts_requires_login(client):
    """An anonymous visitor is sent to login."""
    resp = client.get("/my/gifts")
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


# -- wish alerts ---------------------------------------------------------------

def _alert_scene(mail_app):
    """爱丽丝 is about to list 三体; 鲍勃 wished for it first, then 卡罗尔;
    戴夫 wished earliest but switched alerts off; 伊芙 wants another book."""
    add_books()
    gifter = make_user("爱丽丝", "alice@example.com")
    first, second = make_user("鲍勃", "bob@example.com"), make_user("卡罗尔", "carol@example.com")
    quiet, other = make_user("戴夫", "dave@example.com"), make_user("伊芙", "eve@example.com")
    make_wish(second, SANTI, create_time=minutes_ago(5))
    make_wish(first, SANTI, create_time=minutes_ago(9))
    make_wish(quiet, SANTI, create_time=minutes_ago(10))
    make_wish(other, HUOZHE)
    resp = login_client(mail_app, quiet).post(
        "/personal/mail", data={"mail": sorted(MAIL_GROUP_KEYS - {"wish"})}, follow_redirects=True)
    assert "邮件通知设置已保存" in text_of(resp)
    return login_client(mail_app, gifter)


def test_listing_a_gift_alerts_each_wisher_once(mail_app):
    """Each wisher gets one notice; those with wish mail on also one email linking to the
    book page; the gifter and other books' wishers get neither, and a wisher who switched
    wish mail off gets the notice only."""
    as_gifter = _alert_scene(mail_app)
    as_gifter.post(f"/gifts/book/{SANTI}")
    sink = mail_app.smtp_sink
    received = [sink.next(), sink.next()]
    assert sorted(m["To"] for m in received) == ["bob@example.com", "carol@example.com"]
    rows = db.session.execute(select(User.nickname, Notice.kind, Notice.mail_state, Notice.gift_id)
                              .join(User, User.id == Notice.uid).order_by(Notice.id)).all()
    gid = live(Gift, isbn=SANTI)[0].id
    assert sorted(rows) == sorted([("鲍勃", "wish_available", MailState.SENT, gid),
                                   ("卡罗尔", "wish_available", MailState.SENT, gid),
                                   ("戴夫", "wish_available", MailState.NONE, gid)])
    assert "有人赠送了" in text_of(login_client(mail_app, live(User, nickname="戴夫")[0]).get("/notices"))
    for message in received:
        assert message["Subject"] == "[鱼书] 你想要的书有人赠送了"
        assert "三体" in message.get_body(preferencelist=("plain",)).get_content()
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert f"/book/{SANTI}/detail" in body
    with pytest.raises(queue.Empty):
        sink.next(timeout=0.5)


def test_wish_alerts_arrive_first_wishers_first(mail_app, monkeypatch):
    """The first wisher's alert is delivered before the second's, even when
    the SMTP exchange for the first one is slow."""
    import time

    from app.libs import email

    real_send = email.smtp_send

    def slow_for_bob(cfg, sender, recipients, data):
        if "bob@example.com" in recipients:
            time.sleep(0.5)
        real_send(cfg, sender, recipients, data)

    monkeypatch.setattr(email, "smtp_send", slow_for_bob)
    _alert_scene(mail_app).post(f"/gifts/book/{SANTI}")
    sink = mail_app.smtp_sink
    assert [sink.next()["To"], sink.next()["To"]] == ["bob@example.com", "carol@example.com"]


def test_gift_changes_need_the_csrf_token(app_factory):
    """With CSRF on, gift changes without the token are refused; the page's token works."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        add_books()
        alice = make_user("爱丽丝")
        gift = make_gift(alice, HUOZHE)
        client = login_client(app, alice)
        with unchanged():
            assert client.post(f"/gifts/book/{SANTI}").status_code == 400
            assert client.post(f"/gifts/{gift.id}/withdraw").status_code == 400
        page = text_of(client.get(f"/book/{SANTI}/detail"))
        token = re.search(rf'action="/gifts/book/{SANTI}".*?name="csrf_token" value="([^"]+)"',
                          page, re.S).group(1)
        assert client.post(f"/gifts/book/{SANTI}", data={"csrf_token": token}).status_code == 302
        assert [g.isbn for g in live(Gift)] == [HUOZHE, SANTI]


# -- condition notes -----------------------------------------------------------

def test_condition_and_note_show_on_book_page_my_gifts_and_request_page(app, as_alice, alice):
    """The condition and note given when listing show among the gifters, on my gifts and on
    the request page another user sees."""
    resp = as_alice.post(f"/gifts/book/{SANTI}", data={"condition": "3", "note": "第 12 页有铅笔划线"})
    assert resp.status_code == 302
    gift = live(Gift)[0]
    assert (gift.condition, gift.condition_note) == (3, "第 12 页有铅笔划线")
    bob = login_client(app, make_user("鲍勃", beans=1))
    for page in (text_of(bob.get(f"/book/{SANTI}/detail")), text_of(as_alice.get("/my/gifts")),
                 text_of(bob.get(f"/gifts/{gift.id}/request"))):
        assert "有笔记或划线" in page and "第 12 页有铅笔划线" in page


def test_gift_without_condition_shows_none(as_alice, alice):
    """A gift listed without a condition shows no condition badge."""
    as_alice.post(f"/gifts/book/{SANTI}")
    assert live(Gift)[0].condition == 0
    assert 'data-testid="condition"' not in text_of(as_alice.get("/my/gifts"))


@pytest.mark.parametrize("data, message", [
    ({"condition": "9"}, "请从列出的品相中选择一项"),
    ({"condition": "全新"}, "请从列出的品相中选择一项"),
    ({"condition": "1", "note": "字" * 201}, "品相说明最多 200 个字"),
])
def test_bad_condition_is_refused(as_alice, alice, data, message):
    """An unknown condition or a note over 200 characters lists nothing and says why."""
    with unchanged():
        resp = as_alice.post(f"/gifts/book/{SANTI}", data=data, follow_redirects=True)
    assert resp.status_code == 200 and message in text_of(resp)


def test_note_markup_is_escaped(app, as_alice, alice):
    """Markup in a note is shown as text."""
    as_alice.post(f"/gifts/book/{SANTI}", data={"condition": "1", "note": "<img src=x onerror=alert(1)>"})
    page = text_of(login_client(app, make_user("鲍勃")).get(f"/book/{SANTI}/detail"))
    assert "<img src=x" not in page and "&lt;img src=x" in page

"""The wish list: adding and removing wishes, the "my wishes" page and
inviting a wisher (satisfy wish): a notice, and an email when the wisher wants one."""
import queue
import re
from urllib.parse import urlsplit

import pytest

from app.models.bean_ledger import BeanLedger
from app.models.notice import MailState, Notice
from app.models.wish import Wish
from app.services.notices import MAIL_GROUP_KEYS
from tests.helpers import (
    BAD_CHECK_DIGIT, BAINIAN, DUPLICATE, HONGLOU, HUOZHE, SANTI, SANTI2, UNKNOWN_VALID_ISBN, add_books, beans_of,
    live, login_client, make_gift, make_user, make_wish, minutes_ago, snapshot, text_of, unchanged)

INVITED = "发了一封邮件；TA 想要这本书时会向你请求，你将收到一个鱼漂"
TOO_OFTEN = "发送过赠送邀请，请不要频繁发送"


def add_wish(client, isbn):
    return client.post(f"/wishes/book/{isbn}", follow_redirects=True)


# -- POST /wishes/book/<isbn> ----------------------------------------------------

def test_save_wish_requires_login(client, books):
    """An anonymous visitor is sent to login and nothing is stored."""
    resp = client.post(f"/wishes/book/{SANTI}")
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"
    assert live(Wish) == []


def test_save_wish_stores_it_without_beans(as_alice, alice):
    """A wish is stored live and unfulfilled; beans and the ledger do not change."""
    resp = as_alice.post(f"/wishes/book/{SANTI}")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/book/{SANTI}/detail"
    [wish] = live(Wish, uid=alice.id)
    assert wish.isbn == SANTI and wish.launched is False
    assert beans_of(alice) == (0, 0) and live(BeanLedger) == []
    assert "已添加至心愿清单" in text_of(as_alice.get(resp.headers["Location"]))


@pytest.mark.parametrize("isbn", [BAD_CHECK_DIGIT, "not-an-isbn", UNKNOWN_VALID_ISBN])
def test_save_wish_refuses_invalid_or_unknown_isbn(as_alice, alice, isbn):
    """An invalid ISBN, or one the book source does not know, is a 404 and stores nothing."""
    with unchanged():
        assert as_alice.post(f"/wishes/book/{isbn}").status_code == 404


def test_save_wish_twice_is_refused(as_alice, alice):
    """A second wish for the same book is refused with a flash."""
    add_wish(as_alice, SANTI)
    with unchanged():
        assert DUPLICATE in text_of(add_wish(as_alice, SANTI))


def test_save_wish_for_my_gift_is_refused(as_alice, alice):
    """A book I offer cannot be added to my wishes."""
    as_alice.post(f"/gifts/book/{SANTI}")
    with unchanged():
        assert DUPLICATE in text_of(add_wish(as_alice, SANTI))
    assert live(Wish) == []


def test_removed_or_fulfilled_wish_does_not_block_a_new_one(as_alice, alice):
    """A removed or fulfilled wish does not count as a duplicate."""
    add_wish(as_alice, SANTI)
    as_alice.post(f"/wishes/{SANTI}/withdraw")
    make_wish(alice, HUOZHE, launched=True)
    assert DUPLICATE not in text_of(add_wish(as_alice, SANTI))
    assert DUPLICATE not in text_of(add_wish(as_alice, HUOZHE))
    assert [(w.isbn, w.launched) for w in live(Wish)] == [(HUOZHE, True), (SANTI, False),
                                                          (HUOZHE, False)]


@pytest.mark.parametrize("path", [f"/wishes/book/{SANTI}", f"/wishes/{SANTI}/withdraw",
                                  "/satisfy/wish/1", "/personal/mail"])
def test_wish_changes_refuse_get(as_alice, alice, bob, path):
    """The wish routes that change data answer GET with 405."""
    make_wish(bob, SANTI)
    make_wish(alice, SANTI)
    with unchanged():
        assert as_alice.get(path).status_code == 405


# -- POST /wishes/book/<isbn>/withdraw ---------------------------------------------

def test_withdraw_wish_removes_only_mine(as_alice, alice, bob):
    """Removing my wish soft-deletes it and leaves another user's wish for the same book."""
    make_wish(bob, SANTI)
    add_wish(as_alice, SANTI)
    resp = as_alice.post(f"/wishes/{SANTI}/withdraw", follow_redirects=True)
    assert "已从心愿清单撤回" in text_of(resp)
    assert [w.uid for w in live(Wish)] == [bob.id]
    assert [(w.uid, w.status) for w in snapshot()["wish"]] == [(bob.id, 1), (alice.id, 0)]
    assert beans_of(alice) == (0, 0)


def test_withdraw_wish_i_do_not_have_is_404(as_alice, alice, bob):
    """Removing a wish only someone else has is a 404 and changes nothing."""
    make_wish(bob, SANTI)
    make_wish(alice, HUOZHE, deleted=True)
    with unchanged():
        for isbn in (SANTI, HUOZHE, BAD_CHECK_DIGIT):
            assert as_alice.post(f"/wishes/{isbn}/withdraw").status_code == 404


def test_withdraw_wish_requires_login(client, alice):
    """An anonymous removal is sent to login and changes nothing."""
    make_wish(alice, SANTI)
    with unchanged():
        resp = client.post(f"/wishes/{SANTI}/withdraw")
        assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


# -- GET /my/wish -------------------------------------------------------------

def test_my_wish_lists_live_unfulfilled_wishes_newest_first(as_alice, alice, bob):
    """My live, unfulfilled wishes, newest first, with how many offer each."""
    carol, dave = make_user("卡罗尔"), make_user("戴夫")
    make_wish(alice, SANTI, create_time=minutes_ago(10))
    make_wish(alice, HUOZHE, create_time=minutes_ago(30))
    make_wish(alice, BAINIAN, deleted=True)
    make_wish(alice, SANTI2, launched=True)
    make_wish(bob, HONGLOU)
    make_gift(bob, HUOZHE)
    make_gift(carol, HUOZHE)
    make_gift(dave, HUOZHE, deleted=True)
    make_gift(dave, SANTI, launched=True)
    with unchanged():
        resp = as_alice.get("/my/wishes")
        text = text_of(resp)
        assert resp.status_code == 200 and "2 本" in text
        assert text.index(">三体</a>") < text.index(">活着</a>")
        assert "刘慈欣 / 重庆出版社 / 23.00" in text
        assert "2 人可赠送" in text and "暂时没有人赠送" in text
        for absent in ("三体Ⅱ", "百年孤独", "红楼梦"):
            assert absent not in text


def test_my_wish_empty_state(as_alice, alice, bob):
    """With no wishes of mine the page says the list is empty."""
    make_wish(alice, SANTI, deleted=True)
    make_wish(bob, HUOZHE)
    text = text_of(as_alice.get("/my/wishes"))
    assert "心愿清单还是空的" in text and "三体" not in text and "活着" not in text


def test_my_wish_requires_login(client):
    """An anonymous visitor is sent to login."""
    resp = client.get("/my/wishes")
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"


# -- POST /satisfy/wish/<wid> -------------------------------------------------

@pytest.fixture
def wish_scene(mail_app):
    """In ``mail_app``: 爱丽丝 offers 三体, 鲍勃 wishes for it."""
    add_books()
    gifter = make_user("爱丽丝", "alice@example.com")
    wisher = make_user("鲍勃", "bob@example.com")
    gift = make_gift(gifter, SANTI)
    wish = make_wish(wisher, SANTI)
    return gifter, wisher, gift, wish


def assert_no_mail(sink):
    with pytest.raises(queue.Empty):
        sink.next(timeout=0.5)


def test_satisfy_wish_notifies_the_wisher_with_a_request_link(mail_app, wish_scene):
    """The wisher gets one invitation notice and one "[鱼书] 有人想送你一本书" email over SMTP
    linking to the request page of my gift; nothing else changes."""
    gifter, wisher, gift, wish = wish_scene
    before = snapshot()
    resp = login_client(mail_app, gifter).post(f"/satisfy/wish/{wish.id}", follow_redirects=True)
    assert resp.request.path == f"/book/{SANTI}/detail" and INVITED in text_of(resp)
    message = mail_app.smtp_sink.next()
    assert message["To"] == "bob@example.com" and message["Subject"] == "[鱼书] 有人想送你一本书"
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = [urlsplit(link).path for link in re.findall(r"https?://\S+", body)]
    assert f"/gifts/{gift.id}/request" in links and "爱丽丝" in body and "三体" in body
    [notice] = live(Notice)
    assert (notice.uid, notice.kind, notice.gift_id, notice.actor, notice.mail_state) == (
        wisher.id, "invitation", gift.id, "爱丽丝", MailState.SENT)
    after = snapshot()
    assert {name for name in after if after[name] != before[name]} == {"notice"}
    page = text_of(login_client(mail_app, wisher).get("/notices"))
    assert "爱丽丝 想送你一本《三体》" in page and f"/gifts/{gift.id}/request" in page
    assert_no_mail(mail_app.smtp_sink)


def test_invitation_mail_off_still_leaves_the_notice(mail_app, wish_scene):
    """A wisher who switched invitation mail off (POST /personal/mail) gets the notice, no email."""
    gifter, wisher, gift, wish = wish_scene
    resp = login_client(mail_app, wisher).post(
        "/personal/mail", data={"mail": sorted(MAIL_GROUP_KEYS - {"invitation"})}, follow_redirects=True)
    assert "邮件通知设置已保存" in text_of(resp)
    assert INVITED in text_of(login_client(mail_app, gifter).post(f"/satisfy/wish/{wish.id}",
                                                                   follow_redirects=True))
    [notice] = live(Notice)
    assert (notice.uid, notice.kind, notice.mail_state) == (wisher.id, "invitation", MailState.NONE)
    assert_no_mail(mail_app.smtp_sink)


def test_satisfy_wish_twice_in_a_minute_is_refused(mail_app, wish_scene):
    """A second invitation for the same wish within a minute is refused and not sent."""
    gifter, _wisher, _gift, wish = wish_scene
    as_gifter = login_client(mail_app, gifter)
    assert INVITED in text_of(as_gifter.post(f"/satisfy/wish/{wish.id}", follow_redirects=True))
    mail_app.smtp_sink.next()
    resp = as_gifter.post(f"/satisfy/wish/{wish.id}", follow_redirects=True)
    assert TOO_OFTEN in text_of(resp) and INVITED not in text_of(resp)
    assert_no_mail(mail_app.smtp_sink)


def test_satisfy_wish_limit_is_per_gifter(mail_app, wish_scene):
    """Another gifter of the same book may still invite the wisher in that minute."""
    gifter, _wisher, _gift, wish = wish_scene
    carol = make_user("卡罗尔", "carol@example.com")
    make_gift(carol, SANTI)
    login_client(mail_app, gifter).post(f"/satisfy/wish/{wish.id}")
    resp = login_client(mail_app, carol).post(f"/satisfy/wish/{wish.id}", follow_redirects=True)
    assert INVITED in text_of(resp)
    assert [mail_app.smtp_sink.next()["To"] for _ in range(2)] == ["bob@example.com"] * 2


def _carol_without_the_gift(mail_app, gift_state):
    """卡罗尔, logged in, whose copy of 三体 is missing, withdrawn, given away,
    or another book."""
    carol = make_user("卡罗尔", "carol@example.com")
    if gift_state != "none":
        make_gift(carol, HUOZHE if gift_state == "other_book" else SANTI,
                  deleted=gift_state == "deleted", launched=gift_state == "launched")
    return login_client(mail_app, carol)


@pytest.mark.parametrize("gift_state", ["none", "deleted", "launched", "other_book"])
def test_satisfy_wish_without_my_gift_sends_nothing(mail_app, wish_scene, gift_state):
    """Without a live, unlaunched gift of the wished book the wish is not mine to act on:
    404, no mail, nothing changes."""
    as_carol = _carol_without_the_gift(mail_app, gift_state)
    with unchanged():
        resp = as_carol.post(f"/satisfy/wish/{wish_scene[3].id}")
        assert resp.status_code == 404
    assert_no_mail(mail_app.smtp_sink)


def test_satisfy_unknown_or_fulfilled_wish_is_404(mail_app, wish_scene):
    """A wish id that does not exist, is deleted or is fulfilled is a 404, with no mail."""
    gifter, wisher, _gift, wish = wish_scene
    gone = make_wish(wisher, HUOZHE, deleted=True)
    done = make_wish(wisher, BAINIAN, launched=True)
    make_gift(gifter, HUOZHE)
    make_gift(gifter, BAINIAN)
    as_gifter = login_client(mail_app, gifter)
    with unchanged():
        for wid in (999, gone.id, done.id):
            assert as_gifter.post(f"/satisfy/wish/{wid}").status_code == 404
    assert_no_mail(mail_app.smtp_sink)


def test_satisfy_wish_requires_login(mail_app, wish_scene):
    """An anonymous invitation is sent to login and no mail goes out."""
    wish = wish_scene[3]
    resp = mail_app.test_client().post(f"/satisfy/wish/{wish.id}")
    assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"
    assert_no_mail(mail_app.smtp_sink)


def test_wish_changes_need_the_csrf_token(app_factory):
    """With CSRF on, wish changes and invitations without the token are refused."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        add_books()
        alice, bob = make_user("爱丽丝"), make_user("鲍勃")
        make_wish(alice, HUOZHE)
        make_gift(alice, SANTI)
        wish = make_wish(bob, SANTI)
        client = login_client(app, alice)
        with unchanged():
            for path in (f"/wishes/book/{SANTI2}", f"/wishes/{HUOZHE}/withdraw",
                         f"/satisfy/wish/{wish.id}", "/personal/mail"):
                assert client.post(path).status_code == 400, path
        page = text_of(client.get(f"/book/{SANTI2}/detail"))
        token = re.search(rf'action="/wishes/book/{SANTI2}".*?name="csrf_token" value="([^"]+)"',
                          page, re.S).group(1)
        assert client.post(f"/wishes/book/{SANTI2}", data={"csrf_token": token}).status_code == 302
        assert [w.isbn for w in live(Wish, uid=alice.id)] == [HUOZHE, SANTI2]

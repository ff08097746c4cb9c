"""The trades area in English: gifts, wishes, the copies on offer, requests,
drifts, notices and notice mail (Chinese stays the default)."""
import html as html_lib
import re

import pytest
from sqlalchemy import select

from app.libs.enums import GiftCondition
from app.models.base import db
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.user import User
from app.services import drift as drifts
from tests.helpers import (DRIFT_FORM, HUOZHE, SANTI, add_books, login_client, make_gift, make_user,
                           make_wish)
from tests.i18n_helpers import chinese_left

# Text inside <main> that other areas put there and wrap on their own branches:
# the flash close button (frame), the list count, cover alt and search button
# and withdraw button (books), the beans amount and the deadline line (the time helper).
OTHER_AREAS = []  # every area is translated now
PEOPLE = ["alice", "bob", "carol", *DRIFT_FORM.values()]


def main_of(page: str) -> str:
    """The page's own content (the frame around it is the frame area's)."""
    content = page[page.index("<main"):page.index("</main>")]
    for pattern in OTHER_AREAS:
        content = pattern.sub(" ", content)
    return content


def left(page: str, *extra) -> list[str]:
    return chinese_left(main_of(page), allowed=[*PEOPLE, *extra])


def english_client(app, user):
    client = login_client(app, user)
    client.set_cookie("locale", "en")
    return client


def get(client, url, status=200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, url
    return resp.get_data(as_text=True)


@pytest.fixture
def people(app):
    """alice offers 三体 (like new, with a note), carol wishes for it; bob has beans."""
    add_books()
    alice = make_user("alice", "alice@example.com", beans=5)
    bob = make_user("bob", "bob@example.com", beans=3)
    carol = make_user("carol", "carol@example.com")
    gift = make_gift(alice, SANTI)
    with db.auto_commit():
        row = db.session.get(Gift, gift.id)
        row.condition, row.condition_note = int(GiftCondition.LIKE_NEW), "封面有折痕"
    make_wish(carol, SANTI)
    return alice, bob, carol, gift


def test_my_gifts_in_english(app, people):
    """My gifts lists the copy with its condition, wishers and a waiting drift, all in English."""
    alice, bob, _carol, gift = people
    drifts.request_gift(bob, gift.id, dict(DRIFT_FORM))
    page = get(english_client(app, alice), "/my/gifts")
    assert left(page, "封面有折痕") == []
    assert "My gifts" in page and "Like new" in page and "1 want it" in page and "Has a waiting drift" in page
    assert "from your gifts? The beans you earned" in page


def test_empty_lists_in_english(app):
    """The empty gifts and wishes pages say so in English."""
    user = make_user("dave", "dave@example.com")
    client = english_client(app, user)
    gifts, wishes = get(client, "/my/gifts"), get(client, "/my/wishes")
    assert left(gifts, "dave") == [] and "No gifts yet" in gifts
    assert left(wishes, "dave") == [] and "Your wishes are empty" in wishes


def test_my_wishes_in_english(app, people):
    """My wishes lists the wished book with how many can give it, in English."""
    _alice, _bob, carol, _gift = people
    page = get(english_client(app, carol), "/my/wishes")
    assert left(page) == [] and "My wishes" in page and "1 can give it" in page


def test_chinese_pages_unchanged(app, people):
    """Without a choice the same pages stay Chinese."""
    alice, _bob, carol, _gift = people
    assert "我的赠送清单" in get(login_client(app, alice), "/my/gifts")
    assert "1 人可赠送" in get(login_client(app, carol), "/my/wishes")
    assert "几乎全新" in get(app.test_client(), "/gifts")


def test_gifts_on_offer_in_english(app, people):
    """/gifts for a visitor and for the gifter: counts, condition, wishers and the actions in English."""
    alice, _bob, _carol, _gift = people
    visitor = app.test_client()
    visitor.set_cookie("locale", "en")
    page = get(visitor, "/gifts")
    assert left(page, "封面有折痕") == []
    assert "Books on offer" in page and "1 book" in page and "Offered by alice" in page
    assert "1 person wants it" in page and "Like new" in page and "Request this book" in page
    mine = get(english_client(app, alice), "/gifts?wanted=1")
    assert left(mine, "封面有折痕") == [] and "This is your gift" in mine
    empty = get(visitor, "/gifts?q=nothing-like-this")
    assert left(empty) == [] and "No gifts match these filters now." in empty


def test_gift_filter_errors_in_english(app, people):
    """A bad page number or an over-long keyword answers 400 with the error in English."""
    visitor = app.test_client()
    visitor.set_cookie("locale", "en")
    page = get(visitor, "/gifts?page=100", 400)
    assert left(page) == [] and "The page must be between 1 and 99" in page
    page = get(visitor, "/gifts?q=" + "x" * 500, 400)
    assert left(page) == [] and "The keyword can be at most" in page


def test_request_form_and_its_errors_in_english(app, people):
    """The request page and its field errors are English; the gifter's nickname and book data are kept."""
    _alice, bob, _carol, gift = people
    client = english_client(app, bob)
    page = get(client, f"/gifts/{gift.id}/request")
    assert left(page, "封面有折痕") == []
    assert "Request this book from alice" in page and "Condition: " in page and "Send the request" in page
    resp = client.post(f"/gifts/{gift.id}/request", data={"recipient_name": "x", "mobile": "123", "address": "short"})
    page = html_lib.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200 and left(page, "封面有折痕") == []
    for error in ("The recipient's name must be 2 to 20 characters long", "Please enter a valid mobile number",
                  "Is the address under 10 characters?"):
        assert error in page


def test_request_success_flash_in_english(app, people):
    """A request sent in English flashes its success in English and lands on the pending page."""
    _alice, bob, _carol, gift = people
    client = english_client(app, bob)
    resp = client.post(f"/gifts/{gift.id}/request", data=DRIFT_FORM, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Request sent; waiting for the gifter to answer." in page and left(page, "三体") == []


def test_not_enough_beans_in_english(app, people):
    """Without beans the request page is the 403 explanation, in English."""
    _alice, _bob, carol, gift = people
    page = get(english_client(app, carol), f"/gifts/{gift.id}/request", 403)
    assert left(page) == [] and "You cannot request books yet" in page and "How to earn beans" in page


def test_own_gift_refusal_in_english(app, people):
    """Requesting my own gift is refused with an English flash on the book page."""
    alice, _bob, _carol, gift = people
    resp = english_client(app, alice).get(f"/gifts/{gift.id}/request", follow_redirects=True)
    assert "you cannot request it from yourself" in resp.get_data(as_text=True)


def _to_state(alice, bob, gift, state: str) -> int:
    """A drift of alice's gift to bob, moved to ``state``."""
    did = drifts.request_gift(bob, gift.id, dict(DRIFT_FORM)).id
    steps = {"waiting": [], "accepted": ["accept"], "mailed": ["accept", "mailed"],
             "problem": ["accept", "mailed", "problem"], "received": ["accept", "mailed", "received"],
             "rejected": ["reject"], "withdrawn": ["withdraw"]}[state]
    for step in steps:
        if step == "mailed":
            drifts.mailed(alice, did, "SF123")
        elif step == "problem":
            drifts.problem(bob, did, "没有收到")
        elif step in ("received", "withdraw"):
            getattr(drifts, step)(bob, did)
        else:
            getattr(drifts, step)(alice, did)
    return did


# state: (what the gifter sees, what the requester sees)
PENDING = {
    "waiting": (["Waiting for your answer", "Accept or reject this request", ">Accept<", ">Reject<",
                 "bob requested this book from you", 'data-confirm="Give “三体” to bob?'],
                ["Waiting for the gifter to answer", ">Withdraw<", "You requested this book from alice",
                 "Message: "]),
    "accepted": (["You accepted; please mail it", ">Mailed<", "Recipient", "Address",
                  'placeholder="Tracking number or a note (optional)"'],
                 ["Accepted, waiting to be mailed", "Wait for the gifter to mail it"]),
    "mailed": (["You mailed it; waiting for the requester to confirm receipt", "Mailing note: SF123"],
               ["Mailed by the gifter", ">Confirm receipt<", "Report a problem", "Not received",
                "The book arrived damaged"]),
    "problem": (["The requester reported a problem", ">Refund the bean<", "Problem reported: "],
                ["You reported a problem", "You can still confirm receipt once it arrives"]),
    "received": (["Received by the requester; the drift is complete"], ["You received it; the drift is complete"]),
    "rejected": (["You rejected it"], ["Rejected by the gifter"]),
    "withdrawn": (["Withdrawn by the requester"], ["You withdrew it"]),
}


@pytest.mark.parametrize("state", list(PENDING))
def test_pending_page_in_english(app, people, state):
    """The pending page, as gifter and as requester, in each state: labels, next steps and buttons in English."""
    alice, bob, _carol, gift = people
    _to_state(alice, bob, gift, state)
    for user, expected in zip((alice, bob), PENDING[state]):
        page = get(english_client(app, user), "/pending")
        # The problem text is the drift's stored record ("没有收到", the reporter's words).
        assert left(page, "三体", "没有收到") == [], (state, user.nickname)
        for text in expected:
            assert text in page, (state, user.nickname, text)


def test_empty_pending_in_english(app):
    """No drifts yet: the empty state in English."""
    page = get(english_client(app, make_user("dave", "dave@example.com")), "/pending")
    assert left(page, "dave") == [] and "No drifts yet" in page


@pytest.mark.parametrize("action, flash", [("accept", "Accepted. The requester's address is shown below"),
                                           ("reject", "Rejected; the requester’s bean has been refunded")])
def test_drift_action_flash_in_english(app, people, action, flash):
    """Moving a drift from the English page flashes what happened in English."""
    alice, bob, _carol, gift = people
    did = _to_state(alice, bob, gift, "waiting")
    resp = english_client(app, alice).post(f"/drift/{did}/{action}", follow_redirects=True)
    assert flash in resp.get_data(as_text=True).replace("&#39;", "'")


def test_drift_conflict_page_in_english(app, people):
    """Accepting a drift that moved on is a 409 whose message is English."""
    alice, bob, _carol, gift = people
    did = _to_state(alice, bob, gift, "withdrawn")
    resp = english_client(app, alice).post(f"/drift/{did}/accept")
    assert resp.status_code == 409
    assert "This drift has changed meanwhile" in resp.get_data(as_text=True)


def test_problem_form_error_in_english(app, people):
    """A problem report with a bad kind flashes the English error."""
    alice, bob, _carol, gift = people
    did = _to_state(alice, bob, gift, "mailed")
    resp = english_client(app, bob).post(f"/drift/{did}/problem", data={"kind": "lost-in-space"},
                                         follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Not a valid choice" in page or "Please choose the problem" in page
    assert db.session.get(Drift, did).pending == 6  # still mailed


def test_list_flashes_and_refusals_in_english(app, people):
    """Adding, re-adding and withdrawing list entries flash in English."""
    alice, _bob, carol, gift = people
    client = english_client(app, carol)
    page = client.post(f"/wishes/book/{HUOZHE}", follow_redirects=True).get_data(as_text=True)
    assert "Added to my wishes" in page
    page = client.post(f"/wishes/book/{HUOZHE}", follow_redirects=True).get_data(as_text=True)
    assert "it cannot be added twice" in page
    page = client.post(f"/wishes/{HUOZHE}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "Withdrawn from your wishes" in page
    page = english_client(app, alice).post(f"/gifts/{gift.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "Withdrawn from your gifts" in page
    page = english_client(app, alice).post(f"/gifts/book/{HUOZHE}", data={"condition": "9"},
                                           follow_redirects=True).get_data(as_text=True)
    assert "Please choose one of the listed conditions" in page


def test_invitation_flash_in_english(app, people):
    """Inviting a wisher flashes in English; a second invitation at once is refused in English."""
    alice, _bob, carol, _gift = people
    from app.models.wish import Wish
    wid = db.session.scalar(select(Wish.id).where(Wish.uid == carol.id))
    client = english_client(app, alice)
    assert "An email went to carol" in client.post(f"/satisfy/wish/{wid}", follow_redirects=True).get_data(as_text=True)
    assert "You have just invited carol" in client.post(f"/satisfy/wish/{wid}",
                                                       follow_redirects=True).get_data(as_text=True)


def test_notices_render_in_the_readers_language(app, people):
    """One stored notice reads in English on an English page and in Chinese on a Chinese one."""
    alice, bob, _carol, gift = people
    did = _to_state(alice, bob, gift, "mailed")
    page = get(english_client(app, bob), "/notices")
    assert left(page, "三体") == []
    assert "alice agreed to give you “三体”" in page and "alice has mailed “三体” (SF123)" in page
    assert "Mark all as read" in page and "Unread" in page and "Mark as read" in page
    assert "alice 已寄出《三体》（SF123）" in get(login_client(app, bob), "/notices")
    assert f"#drift-{did}" in page
    empty = get(english_client(app, make_user("dave", "dave@example.com")), "/notices")
    assert left(empty, "dave") == [] and "No notices yet" in empty


def test_api_answers_stay_chinese(app, people):
    """The API's notice texts ignore an English Accept-Language: its answers are not translated."""
    alice, bob, _carol, gift = people
    _to_state(alice, bob, gift, "waiting")
    from app.services.api_tokens import create_token
    _token, secret = create_token(alice, "t", "read")
    resp = app.test_client().get("/api/v1/me/notices", headers={"Authorization": f"Bearer {secret}",
                                                             "Accept-Language": "en"})
    assert resp.status_code == 200 and resp.get_json()["items"][0]["text"] == "bob 想要你的《三体》，请同意或拒绝"


def _set_locale(user, locale):
    with db.auto_commit():
        db.session.get(User, user.id).locale = locale


def _bodies(message):
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def test_notice_mail_follows_the_recipients_language(mail_app):
    """A notice mail is in English to an English reader and in Chinese to one who chose nothing,
    whatever language the sender used."""
    sink = mail_app.smtp_sink
    add_books()
    alice = make_user("alice", "alice@example.com")
    bob = make_user("bob", "bob@example.com", beans=3)
    _set_locale(alice, "en")
    gift = make_gift(alice, SANTI)
    login_client(mail_app, bob).post(f"/gifts/{gift.id}/request", data=DRIFT_FORM)  # bob's page is Chinese
    message = sink.next()
    assert message["To"] == "alice@example.com" and message["Subject"].endswith("Someone wants your book")
    text, html = _bodies(message)
    assert "Hello alice," in text and "bob wants your “三体”" in text and "Fisher" in text
    assert '<html lang="en">' in html and "please do not reply" in html
    assert chinese_left(text, allowed=["三体"]) == [] and chinese_left(html, allowed=["三体"]) == []
    did = db.session.scalar(select(Drift.id))
    english_client(mail_app, alice).post(f"/drift/{did}/accept")  # alice's page is English
    message = sink.next()
    assert message["To"] == "bob@example.com" and message["Subject"].endswith("对方同意送你这本书")
    text, html = _bodies(message)
    assert "bob，你好：" in text and "alice 同意把《三体》送给你" in text and '<html lang="zh-CN">' in html

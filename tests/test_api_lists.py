"""/api/v1 gift and wish lists: the copies on offer, my gifts and wishes, adding and withdrawing them."""
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from app.api.paging import encode_cursor
from app.libs.enums import PendingStatus
from app.models import offers
from app.models.base import db
from app.models.bean_ledger import BeanLedger, BeanReason
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.wish import Wish
from app.services.api_tokens import create_token
from tests.api_helpers import all_pages, api_client, assert_problem, bearer
from tests.helpers import (
    BAD_CHECK_DIGIT, BAINIAN, DRIFT_FORM, HONGLOU, HUOZHE, PYTHON, SANTI, SANTI2, UNKNOWN_VALID_ISBN, add_books,
    beans_of, book_record, isbn13, live, login_client, make_gift, make_user, make_wish, minutes_ago, unchanged)
from tests.live import fire_together, serve


def ids(items) -> list[int]:
    return [item["id"] for item in items]


def used(api):
    """Use the token once, so that its last_used_time (kept once a minute) stays put in an unchanged() block."""
    assert api.get("/api/v1/me").status_code == 200
    return api


def ledger(user) -> list[tuple]:
    """(reason, delta) of the user's ledger rows, oldest first."""
    db.session.expire_all()
    return [(row.reason, row.delta) for row in
            db.session.scalars(select(BeanLedger).where(BeanLedger.uid == user.id).order_by(BeanLedger.id))]


# -- GET /gifts --------------------------------------------------------------

def test_offers_list_the_copy_with_book_condition_gifter_and_time(alice_api, bob_api, bob):
    """A copy on offer comes with its Book body, condition and note, the gifter and an ISO 8601 UTC time."""
    gid = bob_api.post("/api/v1/me/gifts", json={"isbn": SANTI, "condition": "like_new",
                                                 "note": "  扉页有签名 "}).get_json()["id"]
    body = alice_api.get("/api/v1/gifts").get_json()
    assert body["total"] == 1 and body["next_cursor"] is None
    (item,) = body["items"]
    assert item["id"] == gid and item["gifter"] == {"id": bob.id, "nickname": "鲍勃"}
    assert item["book"]["isbn"] == SANTI and item["book"]["title"] == "三体" and item["book"]["offered"] == 1
    assert (item["condition"], item["condition_label"], item["note"]) == ("like_new", "几乎全新", "扉页有签名")
    assert item["create_time"].endswith("Z") and item["create_time"][:4].isdigit()


def test_offers_leave_out_given_withdrawn_and_promised_copies(alice_api, alice, bob):
    """Given, withdrawn and promised copies are not on offer, as on /gifts."""
    on_offer = make_gift(bob, SANTI)
    make_gift(bob, HUOZHE, launched=True)
    make_gift(bob, BAINIAN, deleted=True)
    promised = make_gift(bob, PYTHON)
    with db.auto_commit():
        db.session.add(Drift(recipient_name="王", address="北京", mobile="13800138000", isbn=PYTHON,
                             book_title="Python编程", requester_id=alice.id, requester_nickname="爱丽丝",
                             gifter_id=bob.id, gifter_nickname="鲍勃", gift_id=promised.id,
                             pending=int(PendingStatus.ACCEPTED)))
    assert ids(alice_api.get("/api/v1/gifts").get_json()["items"]) == [on_offer.id]


def _many_offers(alice, bob) -> None:
    """Eleven copies, some with equal create times, some wanted, some of 三体."""
    same = minutes_ago(5)
    for n, isbn in enumerate([SANTI, SANTI2, HUOZHE, BAINIAN, PYTHON, HONGLOU]):
        make_gift(bob, isbn, create_time=same if n % 2 else minutes_ago(n))
    for n, isbn in enumerate([SANTI, SANTI2, HUOZHE, BAINIAN, HONGLOU]):
        make_gift(alice, isbn, create_time=same if n < 3 else minutes_ago(10 + n))
    make_wish(alice, PYTHON)


@pytest.mark.parametrize("query, q, wanted", [("", "", False), ("q=三体", "三体", False),
                                               ("wanted=true", "", True), ("q=%20%20&wanted=0", "", False)])
def test_offer_pages_are_the_gifts_page_order(alice_api, alice, bob, query, q, wanted):
    """Walking the cursor pages gives the very items, in the order, of offers.gifts_on_offer (the /gifts page)."""
    _many_offers(alice, bob)
    site = [gift.id for gift, *_ in offers.gifts_on_offer(1, 100, q, wanted).rows]
    assert site  # every filter keeps some copies
    assert ids(all_pages(alice_api, f"/api/v1/gifts?{query}", limit=2)) == site
    assert alice_api.get(f"/api/v1/gifts?{query}").get_json()["total"] == len(site)


def test_a_copy_listed_meanwhile_does_not_repeat_an_item(alice_api, alice, bob):
    """Keyset pages: a copy listed between two pages does not push an item onto the next page again."""
    _many_offers(alice, bob)
    add_books([book_record(isbn13("978711100001"), "新书")])
    first = alice_api.get("/api/v1/gifts?limit=3").get_json()
    assert alice_api.post("/api/v1/me/gifts", json={"isbn": isbn13("978711100001")}).status_code == 201
    second = alice_api.get(f"/api/v1/gifts?limit=3&cursor={first['next_cursor']}").get_json()
    assert not set(ids(first["items"])) & set(ids(second["items"]))


@pytest.mark.parametrize("query", ["q=" + "长" * 31, "wanted=maybe", "limit=0", "limit=101", "cursor="])
def test_bad_offer_filters_are_400(alice_api, query):
    """A long keyword, a non-boolean wanted and a bad limit or cursor are 400 invalid-request with errors."""
    body = assert_problem(alice_api.get(f"/api/v1/gifts?{query}"), 400, "invalid-request")
    assert body["errors"] and all(error["loc"] for error in body["errors"])


@pytest.mark.parametrize("cursor", [encode_cursor({"before": 5}), encode_cursor({"time": 5}), "!!!",
                                    encode_cursor({"time": -1, "before": 1})])
def test_offer_cursors_not_made_for_offers_are_400(alice_api, cursor):
    """A /me/gifts cursor, half a cursor, junk and negative times are 400 invalid-cursor."""
    assert_problem(alice_api.get(f"/api/v1/gifts?cursor={cursor}"), 400, "invalid-cursor")


def test_api_gift_shows_on_the_gifts_page(app, alice_api, bob):
    """A gift listed through the API is on the site's /gifts page under the gifter's name."""
    alice_api.post("/api/v1/me/gifts", json={"isbn": HONGLOU, "condition": "marked"})
    page = login_client(app, bob).get("/gifts").get_data(as_text=True)
    assert "红楼梦" in page and "爱丽丝" in page and "有笔记或划线" in page


# -- my gifts ------------------------------------------------------------------

def test_add_gift_answers_201_with_the_gift(alice_api, alice):
    """POST /me/gifts stores the gift (ISBN-10 accepted) and answers 201 with it, on offer."""
    resp = alice_api.post("/api/v1/me/gifts", json={"isbn": "7-5366-9293-5", "condition": "new"})
    assert resp.status_code == 201
    gift = resp.get_json()
    stored = db.session.get(Gift, gift["id"])
    assert stored.uid == alice.id and stored.isbn == SANTI and stored.condition == 1
    assert gift["book"]["isbn"] == SANTI and gift["state"] == "on_offer" and gift["condition"] == "new"
    assert gift["note"] == "" and gift["waiting_requests"] == 0 and gift["wishers"] == 0


def test_add_gift_earns_the_beans_the_site_gives(app, alice_api, alice, bob):
    """Through the API as on the site, a gift adds BEANS_UPLOAD_ONE_BOOK to balance and ledger; withdrawing takes it back."""
    earned = Decimal(str(app.config["BEANS_UPLOAD_ONE_BOOK"]))
    login_client(app, bob).post(f"/gifts/book/{SANTI}")
    gid = alice_api.post("/api/v1/me/gifts", json={"isbn": SANTI}).get_json()["id"]
    assert ledger(alice) == ledger(bob) == [(BeanReason.LIST_GIFT, earned)]
    assert beans_of(alice) == beans_of(bob) == (earned, earned)
    assert db.session.scalar(select(BeanLedger.gift_id).where(BeanLedger.uid == alice.id)) == gid
    assert alice_api.delete(f"/api/v1/me/gifts/{gid}").status_code == 204
    assert ledger(alice) == [(BeanReason.LIST_GIFT, earned), (BeanReason.WITHDRAW_GIFT, -earned)]
    assert beans_of(alice) == (0, 0)


def test_my_gifts_say_state_waiting_requests_and_wishers(app, alice_api, bob_api, alice, bob):
    """/me/gifts: on_offer, then a waiting request counted, then promised after accepting; wishers counted."""
    gid = alice_api.post("/api/v1/me/gifts", json={"isbn": SANTI}).get_json()["id"]
    given = make_gift(alice, HUOZHE, launched=True)
    for isbn in (BAINIAN, PYTHON):  # bob earns the bean a request costs
        bob_api.post("/api/v1/me/gifts", json={"isbn": isbn})
    bob_api.post("/api/v1/me/wishes", json={"isbn": SANTI})
    mine = lambda: {item["id"]: item for item in alice_api.get("/api/v1/me/gifts").get_json()["items"]}  # noqa: E731
    assert mine()[gid]["state"] == "on_offer" and mine()[gid]["wishers"] == 1
    assert mine()[given.id]["state"] == "given"
    assert login_client(app, bob).post(f"/gifts/{gid}/request", data=DRIFT_FORM).status_code == 302
    assert mine()[gid]["waiting_requests"] == 1 and mine()[gid]["state"] == "on_offer"
    did = db.session.scalar(select(Drift.id).where(Drift.gift_id == gid))
    assert login_client(app, alice).post(f"/drift/{did}/accept").status_code == 302
    assert mine()[gid]["state"] == "promised" and mine()[gid]["waiting_requests"] == 0
    assert gid not in ids(bob_api.get("/api/v1/gifts").get_json()["items"])


def test_withdrawing_a_gift_with_an_open_request_is_refused(app, alice_api, bob_api, alice, bob):
    """A gift an open request holds cannot be withdrawn: the service's refusal, a 400, and nothing changes."""
    gid = alice_api.post("/api/v1/me/gifts", json={"isbn": SANTI}).get_json()["id"]
    for isbn in (BAINIAN, PYTHON):
        bob_api.post("/api/v1/me/gifts", json={"isbn": isbn})
    login_client(app, bob).post(f"/gifts/{gid}/request", data=DRIFT_FORM)
    with unchanged():
        assert_problem(alice_api.delete(f"/api/v1/me/gifts/{gid}"), 400, "refused")


def test_my_gifts_page_by_id_and_leave_out_others_and_withdrawn(alice_api, alice, bob):
    """Seven gifts come over keyset pages newest id first; bob's and withdrawn gifts are not listed."""
    add_books([book_record(isbn13(f"978711100{n:03d}"), f"书 {n}") for n in range(7)])
    mine = [make_gift(alice, isbn13(f"978711100{n:03d}")).id for n in range(7)]
    make_gift(alice, SANTI, deleted=True)
    make_gift(bob, SANTI)
    assert ids(all_pages(alice_api, "/api/v1/me/gifts", limit=3)) == sorted(mine, reverse=True)


def test_api_and_site_share_my_gift_list(app, alice_api, alice):
    """A gift added on the site is in /me/gifts; withdrawn through the API it leaves /my/gifts."""
    site = login_client(app, alice)
    site.post(f"/gifts/book/{BAINIAN}")
    (item,) = alice_api.get("/api/v1/me/gifts").get_json()["items"]
    assert item["book"]["isbn"] == BAINIAN and "百年孤独" in site.get("/my/gifts").get_data(as_text=True)
    assert alice_api.delete(f"/api/v1/me/gifts/{item['id']}").status_code == 204
    assert "百年孤独" not in site.get("/my/gifts").get_data(as_text=True)


@pytest.mark.parametrize("body, loc", [({}, "isbn"), ({"isbn": ""}, "isbn"), ({"isbn": 9787536692930}, "isbn"),
                                       ({"isbn": SANTI, "condition": "mint"}, "condition"),
                                       ({"isbn": SANTI, "condition": 1}, "condition"),
                                       ({"isbn": SANTI, "note": "字" * 201}, "note"),
                                       ({"isbn": SANTI, "owner": 1}, "owner")])
def test_bad_gift_bodies_are_400_with_errors(alice_api, body, loc):
    """A missing or empty ISBN, an unknown condition, a note over 200 characters and unknown fields are 400 with errors."""
    used(alice_api)
    with unchanged():
        found = assert_problem(alice_api.post("/api/v1/me/gifts", json=body), 400, "invalid-request")["errors"]
    assert any(loc in error["loc"] for error in found), found


def test_a_200_character_note_after_trimming_is_kept(alice_api):
    """The note is trimmed as the form trims it, and 200 characters are allowed."""
    gift = alice_api.post("/api/v1/me/gifts", json={"isbn": SANTI, "note": " " + "字" * 200 + " "}).get_json()
    assert gift["note"] == "字" * 200


def test_invalid_and_unknown_isbns(alice_api):
    """A bad check digit is 400 invalid-isbn, an ISBN no source knows 404 unknown-book; nothing is stored."""
    used(alice_api)
    with unchanged():
        assert_problem(alice_api.post("/api/v1/me/gifts", json={"isbn": BAD_CHECK_DIGIT}), 400, "invalid-isbn")
        assert_problem(alice_api.post("/api/v1/me/gifts", json={"isbn": UNKNOWN_VALID_ISBN}), 404, "unknown-book")
        assert_problem(alice_api.post("/api/v1/me/wishes", json={"isbn": "abc"}), 400, "invalid-isbn")
        assert_problem(alice_api.post("/api/v1/me/wishes", json={"isbn": UNKNOWN_VALID_ISBN}), 404, "unknown-book")


def test_adding_a_book_twice_is_the_services_refusal(alice_api, alice):
    """A book already on my gift or wish list is refused (400) by the service, once for each list."""
    alice_api.post("/api/v1/me/gifts", json={"isbn": SANTI})
    alice_api.post("/api/v1/me/wishes", json={"isbn": HUOZHE})
    with unchanged():
        for path, isbn in (("gifts", SANTI), ("wishes", SANTI), ("gifts", HUOZHE), ("wishes", HUOZHE)):
            body = assert_problem(alice_api.post(f"/api/v1/me/{path}", json={"isbn": isbn}), 400, "refused")
            assert "请不要重复添加" in body["detail"]
    assert beans_of(alice)[0] == Decimal("0.5")


def test_withdrawing_twice_and_others_gifts_are_404(alice_api, bob_api, bob):
    """A gift withdrawn already, someone else's, or one that never was is 404, and bob keeps his."""
    gid = alice_api.post("/api/v1/me/gifts", json={"isbn": SANTI}).get_json()["id"]
    bobs = bob_api.post("/api/v1/me/gifts", json={"isbn": HUOZHE}).get_json()["id"]
    assert alice_api.delete(f"/api/v1/me/gifts/{gid}").status_code == 204
    with unchanged():
        assert_problem(alice_api.delete(f"/api/v1/me/gifts/{gid}"), 404)
        assert_problem(alice_api.delete(f"/api/v1/me/gifts/{bobs}"), 404)
        assert_problem(alice_api.delete("/api/v1/me/gifts/999999"), 404)
        assert_problem(alice_api.delete("/api/v1/me/gifts/" + "9" * 30), 404)
    assert ids(bob_api.get("/api/v1/me/gifts").get_json()["items"]) == [bobs]


def test_a_given_gift_cannot_be_withdrawn(alice_api, alice):
    """A gift already given away is not withdrawable: 404 from the service."""
    given = make_gift(alice, SANTI, launched=True)
    assert_problem(alice_api.delete(f"/api/v1/me/gifts/{given.id}"), 404)


# -- my wishes ---------------------------------------------------------------

def test_wish_add_list_withdraw(app, alice_api, alice):
    """POST /me/wishes is 201 with the wish, it is listed on the API and the site, DELETE by ISBN is 204."""
    resp = alice_api.post("/api/v1/me/wishes", json={"isbn": "978-7-5366-9293-0"})
    assert resp.status_code == 201
    wish = resp.get_json()
    assert wish["book"]["isbn"] == SANTI and wish["state"] == "open" and wish["create_time"].endswith("Z")
    assert db.session.get(Wish, wish["id"]).uid == alice.id
    assert ids(alice_api.get("/api/v1/me/wishes").get_json()["items"]) == [wish["id"]]
    assert "三体" in login_client(app, alice).get("/my/wishes").get_data(as_text=True)
    assert alice_api.delete("/api/v1/me/wishes/7536692935").status_code == 204
    assert alice_api.get("/api/v1/me/wishes").get_json()["items"] == []
    assert_problem(alice_api.delete(f"/api/v1/me/wishes/{SANTI}"), 404)  # twice


def test_my_wishes_pages_and_others_wishes(alice_api, alice, bob):
    """Wishes page by id, fulfilled ones say so; bob's wish cannot be withdrawn by alice (404)."""
    mine = [make_wish(alice, isbn).id for isbn in (SANTI, SANTI2, HUOZHE)]
    done = make_wish(alice, BAINIAN, launched=True).id
    make_wish(bob, PYTHON)
    items = all_pages(alice_api, "/api/v1/me/wishes", limit=2)
    assert ids(items) == sorted(mine + [done], reverse=True)
    assert [item["state"] for item in items if item["id"] == done] == ["fulfilled"]
    with unchanged():
        assert_problem(alice_api.delete(f"/api/v1/me/wishes/{PYTHON}"), 404)
        assert_problem(alice_api.delete(f"/api/v1/me/wishes/{BAINIAN}"), 404)  # fulfilled: not open
        assert_problem(alice_api.delete("/api/v1/me/wishes/12345"), 400, "invalid-isbn")


def test_a_gift_tells_the_wishers(alice_api, bob_api, bob):
    """A gift listed through the API notifies who wishes for the book, as on the site."""
    from app.models.notice import Notice
    bob_api.post("/api/v1/me/wishes", json={"isbn": SANTI})
    gid = alice_api.post("/api/v1/me/gifts", json={"isbn": SANTI}).get_json()["id"]
    assert [(n.kind, n.gift_id) for n in live(Notice, uid=bob.id)] == [("wish_available", gid)]


# -- tokens --------------------------------------------------------------------

WRITES = [("post", "/api/v1/me/gifts", {"isbn": SANTI}), ("delete", "/api/v1/me/gifts/{gid}", None),
          ("post", "/api/v1/me/wishes", {"isbn": HUOZHE}), ("delete", f"/api/v1/me/wishes/{BAINIAN}", None)]


@pytest.mark.parametrize("method, path, body", WRITES)
def test_read_token_cannot_write(alice_reader, alice, method, path, body):
    """Every write with a read-only token is 403 insufficient-scope and changes nothing."""
    gid = make_gift(alice, PYTHON).id
    make_wish(alice, BAINIAN)
    used(alice_reader)
    with unchanged():
        resp = getattr(alice_reader, method)(path.format(gid=gid), **({"json": body} if body else {}))
        assert_problem(resp, 403, "insufficient-scope")


@pytest.mark.parametrize("method, path", [("get", "/api/v1/gifts"), ("get", "/api/v1/me/gifts"),
                                          ("get", "/api/v1/me/wishes"), ("post", "/api/v1/me/gifts"),
                                          ("delete", "/api/v1/me/gifts/1"), ("post", "/api/v1/me/wishes"),
                                          ("delete", f"/api/v1/me/wishes/{SANTI}")])
def test_list_operations_need_a_token(client, books, method, path):
    """Without a token every list operation is 401 missing-token."""
    assert_problem(getattr(client, method)(path, json={"isbn": SANTI}), 401, "missing-token")


def test_read_token_reads_the_lists(alice_reader):
    """A read-only token may read the offers and its own lists."""
    for path in ("/api/v1/gifts", "/api/v1/me/gifts", "/api/v1/me/wishes"):
        assert alice_reader.get(path).status_code == 200


def test_operations_are_in_the_openapi_document(client, books):
    """The seven operations are documented: writes with 403, lists with the Link header, the gift id as an integer."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    ops = {op["operationId"]: op for item in paths.values() for op in item.values() if isinstance(op, dict)}
    for name in ("listOffers", "listMyGifts", "addGift", "withdrawGift", "listMyWishes", "addWish", "withdrawWish"):
        assert name in ops, name
    assert "403" in ops["addGift"]["responses"] and "201" in ops["addGift"]["responses"]
    assert "Link" in ops["listOffers"]["responses"]["200"]["headers"]
    assert [(p["name"], p["schema"]["type"]) for p in ops["withdrawGift"]["parameters"]] == [("gid", "integer")]


# -- at the same moment ----------------------------------------------------------

def test_two_simultaneous_posts_of_one_isbn_make_one_gift(app_factory):
    """Ten POST /me/gifts of one ISBN at once on a served app: one 201, the rest refused, one ledger row."""
    app = app_factory()
    with app.app_context():
        add_books()
        user = make_user("爱丽丝")
        secret = create_token(user, "并发", "write")[1]
        with serve(app) as base_url:
            post = lambda: requests.post(f"{base_url}/api/v1/me/gifts", json={"isbn": SANTI},  # noqa: E731
                                         headers=bearer(secret), timeout=30).status_code
            statuses = fire_together([post] * 10)
        assert sorted(statuses) == [201] + [400] * 9, statuses
        assert len(live(Gift, uid=user.id)) == 1
        assert beans_of(user) == (Decimal("0.5"), Decimal("0.5"))

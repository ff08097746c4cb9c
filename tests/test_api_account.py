"""/api/v1/me/ledger and /api/v1/me/notices: my bean ledger and my notices in keyset pages, marking notices read."""
import re
from datetime import datetime

import pytest
from sqlalchemy import update

from app.api.schemas.account import LedgerPage, Marked, NoticePage
from app.models.base import DELETED, db
from app.models.bean_ledger import BeanLedger, BeanReason, change_beans
from app.models.notice import Notice
from app.services import drift as drifts
from app.services import notices
from app.services.lists import add_gift
from tests.api_helpers import all_pages, assert_problem
from tests.helpers import DRIFT_FORM, SANTI, beans_of, live, login_client

READ = "/api/v1/me/notices/read"


def grant(user, amounts, reason=BeanReason.LIST_GIFT) -> None:
    """Ledger rows for ``user`` through change_beans, one unit of work."""
    with db.auto_commit():
        for amount in amounts:
            assert change_beans(user.id, amount, reason)


def write_notices(user, count: int, kind: str = "wish_available") -> list[int]:
    """``count`` notices for ``user`` (email switched off, so none is sent)."""
    notices.set_mail_groups(user, set())
    with db.auto_commit():
        return [notices.notify(user.id, kind, book_title=f"书{n}", actor="鲍勃").id for n in range(count)]


def utc(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text[:-1] + "+00:00")


@pytest.fixture
def requested(alice, bob):
    """Alice listed 三体 (half a bean), Bob (given 2 beans) asked for it: a notice for Alice."""
    notices.set_mail_groups(alice, set())
    gift = add_gift(alice, SANTI)
    grant(bob, [2], "test_grant")
    did = drifts.request_gift(bob, gift.id, dict(DRIFT_FORM)).id
    return gift.id, did


# --- the ledger -----------------------------------------------------------------------------------

def test_ledger_rows_newest_first_with_reason_drift_and_balance(bob_api, bob, requested):
    """Bob's ledger is the request (-1, naming the drift) above the grant, and the balance is their sum."""
    _, did = requested
    body = bob_api.get("/api/v1/me/ledger").get_json()
    first, second = body["items"]
    assert (first["amount"], first["reason"], first["label"]) == (-1, "request", "请求书籍")
    assert (first["drift_id"], first["gift_id"]) == (did, None)
    assert (second["amount"], second["reason"], second["drift_id"]) == (2, "test_grant", None)
    assert first["id"] > second["id"] and utc(first["time"]) >= utc(second["time"])
    assert body["balance"] == 1 == sum(row["amount"] for row in body["items"])
    assert body["debt"] == 0 and body["next_cursor"] is None


def test_ledger_row_of_a_gift_names_the_gift(alice_api, requested):
    """Listing a gift is a list_gift row of +0.5 with the gift's id."""
    gid, _ = requested
    (row,) = alice_api.get("/api/v1/me/ledger").get_json()["items"]
    assert (row["amount"], row["reason"], row["gift_id"], row["drift_id"]) == (0.5, "list_gift", gid, None)


def test_ledger_pages_hold_every_row_once_and_only_mine(alice_api, alice, bob):
    """37 rows come over pages of 5 newest first, none of Bob's; the balance equals the ledger's sum."""
    grant(alice, [0.5] * 20 + [1] * 17)
    grant(alice, [-0.5] * 3)
    grant(bob, [1] * 4)
    bob_ids = {row.id for row in db.session.query(BeanLedger).filter_by(uid=bob.id)}
    items = all_pages(alice_api, "/api/v1/me/ledger", limit=5)
    ids = [row["id"] for row in items]
    assert len(ids) == 40 and ids == sorted(set(ids), reverse=True) and not bob_ids & set(ids)
    balance, ledger_sum = beans_of(alice)
    assert sum(row["amount"] for row in items) == float(ledger_sum) == float(balance) == 25.5
    assert alice_api.get("/api/v1/me/ledger?limit=1").get_json()["balance"] == 25.5


def test_deleted_ledger_rows_are_not_listed(alice_api, alice):
    """A soft-deleted ledger row is hidden, as on the personal page."""
    grant(alice, [1, 1])
    first, second = [row.id for row in live(BeanLedger, uid=alice.id)]
    with db.auto_commit():
        db.session.execute(update(BeanLedger).where(BeanLedger.id == first).values(status=DELETED))
    assert [row["id"] for row in alice_api.get("/api/v1/me/ledger").get_json()["items"]] == [second]


def test_answers_keep_their_models(alice_api, alice, requested, caplog):
    """Both lists and the mark answer validate against their declared models; nothing is logged as broken."""
    write_notices(alice, 2)
    LedgerPage.model_validate(alice_api.get("/api/v1/me/ledger").get_json())
    NoticePage.model_validate(alice_api.get("/api/v1/me/notices").get_json())
    Marked.model_validate(alice_api.post(READ, json={}).get_json())
    assert "breaks its schema" not in caplog.text


# --- listing notices ------------------------------------------------------------------------------

def test_notice_has_the_sites_text_and_what_it_is_about(app, alice_api, alice, requested):
    """Bob's request reaches Alice as kind request, unread, with the site's text and the drift and gift ids."""
    gid, did = requested
    body = alice_api.get("/api/v1/me/notices").get_json()
    (notice,) = body["items"]
    assert notice["kind"] == "request" and notice["read"] is False and body["unread"] == 1
    assert notice["text"] == "鲍勃 想要你的《三体》，请同意或拒绝"
    assert (notice["drift_id"], notice["gift_id"]) == (did, gid) and utc(notice["time"])
    assert notice["text"] in login_client(app, alice).get("/notices").get_data(as_text=True)


def test_notice_pages_hold_every_notice_once_and_only_mine(alice_api, bob_api, alice, bob):
    """33 notices come over pages of 4 newest first; Bob's list holds none of them."""
    mine = write_notices(alice, 33)
    theirs = write_notices(bob, 3)
    items = all_pages(alice_api, "/api/v1/me/notices", limit=4)
    assert [notice["id"] for notice in items] == sorted(mine, reverse=True)
    assert {notice["text"] for notice in items} == {f"你想要的《书{n}》有人赠送了：鲍勃" for n in range(33)}
    assert [notice["id"] for notice in all_pages(bob_api, "/api/v1/me/notices")] == sorted(theirs, reverse=True)


def test_unread_filter_keeps_its_value_over_the_pages(alice_api, alice):
    """?unread=true pages (the Link keeps unread) hold only unread notices; false only read ones."""
    ids = write_notices(alice, 12)
    read = set(ids[::3])
    for nid in read:
        notices.mark_read(alice.id, nid)
    unread = all_pages(alice_api, "/api/v1/me/notices?unread=true", limit=3)
    assert {n["id"] for n in unread} == set(ids) - read and not any(n["read"] for n in unread)
    done = all_pages(alice_api, "/api/v1/me/notices?unread=false", limit=3)
    assert {n["id"] for n in done} == read and all(n["read"] for n in done)
    assert alice_api.get("/api/v1/me/notices?unread=true").get_json()["unread"] == 8


# --- marking read ---------------------------------------------------------------------------------

def test_marking_some_read_is_idempotent(alice_api, alice):
    """Marking two notices read says 2 then 0 the second time; the others stay unread."""
    ids = write_notices(alice, 5)
    resp = alice_api.post(READ, json={"ids": ids[:2]})
    assert resp.status_code == 200 and resp.get_json() == {"marked": 2, "unread": 3}
    assert alice_api.post(READ, json={"ids": ids[:2]}).get_json() == {"marked": 0, "unread": 3}
    shown = {n["id"]: n["read"] for n in alice_api.get("/api/v1/me/notices").get_json()["items"]}
    assert shown == {nid: nid in ids[:2] for nid in ids}


@pytest.mark.parametrize("body", [None, {}, {"ids": []}, {"ids": None}])
def test_no_ids_marks_all_of_mine(alice_api, bob_api, alice, bob, body):
    """No body, an empty one, no ids or an empty list marks all my notices, none of Bob's."""
    write_notices(alice, 4)
    write_notices(bob, 2)
    resp = alice_api.post(READ) if body is None else alice_api.post(READ, json=body)
    assert resp.status_code == 200 and resp.get_json() == {"marked": 4, "unread": 0}
    assert alice_api.post(READ, json={}).get_json() == {"marked": 0, "unread": 0}
    assert bob_api.get("/api/v1/me/notices").get_json()["unread"] == 2


def test_other_users_notice_ids_mark_nothing(alice_api, bob_api, alice, bob):
    """Bob's notice ids (and ids of no notice) answer 200 marked 0, and Bob's stay unread."""
    write_notices(alice, 1)
    theirs = write_notices(bob, 3)
    resp = alice_api.post(READ, json={"ids": theirs + [10**9]})
    assert resp.status_code == 200 and resp.get_json() == {"marked": 0, "unread": 1}
    assert bob_api.get("/api/v1/me/notices").get_json()["unread"] == 3


def test_site_shows_as_read_what_the_api_marked(app, alice_api, alice):
    """After the API marks one notice, /notices shows it read and the other still unread."""
    first, second = write_notices(alice, 2)
    alice_api.post(READ, json={"ids": [first]})
    page = login_client(app, alice).get("/notices").get_data(as_text=True)
    unread = set(map(int, re.findall(r'notice-unread" data-notice="(\d+)"', page)))
    assert f'data-notice="{first}"' in page and unread == {second}


# --- tokens and bad input -------------------------------------------------------------------------

def test_read_token_lists_but_cannot_mark(alice_reader, alice):
    """A read-only token reads both lists; marking read is 403 and changes nothing."""
    write_notices(alice, 1)
    assert alice_reader.get("/api/v1/me/ledger").status_code == 200
    assert alice_reader.get("/api/v1/me/notices").status_code == 200
    assert_problem(alice_reader.post(READ, json={}), 403)
    assert notices.unread_count(alice.id) == 1


@pytest.mark.parametrize("method, path", [("get", "/api/v1/me/ledger"), ("get", "/api/v1/me/notices"),
                                          ("post", READ)])
def test_account_operations_need_a_token(client, books, method, path):
    """Without a token each operation is 401 missing-token."""
    assert_problem(getattr(client, method)(path), 401, "missing-token")


@pytest.mark.parametrize("query", ["unread=maybe", "unread=", "limit=0", "limit=101", "cursor="])
def test_bad_notice_queries_are_400(alice_api, query):
    """unread that is no boolean and limits outside 1..100 are 400 invalid-request with errors."""
    body = assert_problem(alice_api.get(f"/api/v1/me/notices?{query}"), 400, "invalid-request")
    assert body["errors"] and all(error["loc"] for error in body["errors"])


def test_foreign_cursor_is_400(alice_api):
    """A cursor the API did not make is 400 invalid-cursor on the ledger and the notices."""
    assert_problem(alice_api.get("/api/v1/me/ledger?cursor=!!!"), 400, "invalid-cursor")
    assert_problem(alice_api.get("/api/v1/me/notices?cursor=W10"), 400, "invalid-cursor")


@pytest.mark.parametrize("body", [{"ids": 5}, {"ids": "1,2"}, {"ids": ["a"]}, {"ids": ["1"]},
                                  {"ids": [1.5]}, {"ids": [0]}, {"ids": [-3]}, {"ids": [2**60]},
                                  {"ids": list(range(1, 10001))}, {"id": 5}, [1, 2], "all"])
def test_bad_mark_bodies_are_400_and_mark_nothing(alice_api, alice, body):
    """ids not a list of positive integers, over 100 ids, unknown keys or a non-object are 400."""
    write_notices(alice, 2)
    answer = assert_problem(alice_api.post(READ, json=body), 400, "invalid-request")
    assert answer["errors"]
    assert notices.unread_count(alice.id) == 2


@pytest.mark.parametrize("data, mimetype", [
    ("{ids:", "application/json"), ("null", "application/json"), ("[]", "application/json"),
    ('{"ids": [1]}', "text/plain"), ('{"ids": [1]}', None), ("ids=1", "application/x-www-form-urlencoded")])
def test_a_body_that_is_no_json_object_is_400_not_mark_all(alice_api, alice, data, mimetype):
    """Malformed JSON, null, [] or a body without the JSON content type is 400 and marks nothing (never "all")."""
    write_notices(alice, 2)
    headers = {"Content-Type": mimetype} if mimetype else {}
    body = assert_problem(alice_api.post(READ, data=data, headers=headers), 400, "invalid-request")
    assert body["errors"][0]["loc"] == "body"
    assert notices.unread_count(alice.id) == 2


def test_json_body_with_charset_is_accepted(alice_api, alice):
    """application/json; charset=utf-8 is JSON: its ids are marked."""
    (nid,) = write_notices(alice, 1)
    resp = alice_api.post(READ, data=f'{{"ids": [{nid}]}}',
                          headers={"Content-Type": "application/json; charset=utf-8"})
    assert resp.get_json() == {"marked": 1, "unread": 0}


def test_the_openapi_document_has_the_operations(client, books):
    """The document lists the three operations; marking read needs write scope (403) and takes MarkRead."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/me/ledger"]["get"]["operationId"] == "listMyLedger"
    assert "Link" in paths["/api/v1/me/notices"]["get"]["responses"]["200"]["headers"]
    mark = paths["/api/v1/me/notices/read"]["post"]
    assert mark["operationId"] == "markMyNoticesRead" and "403" in mark["responses"]
    assert "MarkRead" in str(mark["requestBody"])

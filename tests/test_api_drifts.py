"""/api/v1 drifts: requesting a gift, my drifts, one drift and every move, all through the drift services.

The cast: 爱丽丝 gives 三体 (the gifter), 鲍勃 asks for it (the requester, with beans), 卡罗尔 is a
stranger to the drift. Drifts that a test only needs as a starting point are built through the
services; the whole drift and the race go through the API alone.
"""
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select
from wtforms.validators import Length, Regexp

from app.api.schemas.drift import DriftRequest, MailedBody, ProblemBody
from app.forms.drift import DriftForm, MailedForm, ProblemForm
from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.bean_ledger import BeanLedger, change_beans, ledger_sum
from app.models.drift import Drift
from app.services import drift as drifts
from app.services.api_tokens import create_token
from app.services.drift import TRANSITIONS
from app.services.drift_deadlines import erase_addresses
from tests.api_helpers import all_pages, api_client, assert_problem, bearer
from tests.helpers import (
    DRIFT_FORM, HONGLOU, HUOZHE, SANTI, SANTI2, add_books, login_client, make_gift, make_user, text_of, unchanged)
from tests.live import fire_together, serve

S = PendingStatus
# The services' moves, in order, that bring a waiting drift to a state.
PATHS = {S.WAITING: [], S.ACCEPTED: ["accept"], S.MAILED: ["accept", "mailed"],
         S.PROBLEM: ["accept", "mailed", "problem"], S.RECEIVED: ["accept", "mailed", "received"],
         S.REJECTED: ["reject"], S.WITHDRAWN: ["withdraw"], S.REFUNDED: ["accept", "mailed", "problem", "refund"]}
BODIES = {"mailed": {"tracking": "SF1234567890"}, "problem": {"kind": "damaged", "note": "封面撕破了"}}
REQUEST = {**DRIFT_FORM}


def warm(app, user, scope="write"):
    """A token client already used once, so its last_used_time is set before a check of unchanged()."""
    api = api_client(app, user, scope)
    assert api.get("/api/v1/me").status_code == 200
    return api


@pytest.fixture
def cast(app, books):
    """(爱丽丝, 鲍勃 with 3 beans, 卡罗尔) and 爱丽丝's gift of 三体."""
    alice, bob = make_user("爱丽丝", "alice@example.com"), make_user("鲍勃", "bob@example.com", beans=3)
    carol = make_user("卡罗尔", "carol@example.com", beans=3)
    return alice, bob, carol, make_gift(alice, SANTI).id


@pytest.fixture
def apis(app, cast):
    """Write-token clients of the cast: gifter, requester, stranger."""
    alice, bob, carol, _ = cast
    return {"gifter": warm(app, alice), "requester": warm(app, bob), "stranger": warm(app, carol)}


def service_drift(cast, state=S.WAITING) -> int:
    """鲍勃's drift for 爱丽丝's gift, moved by the services to ``state``."""
    alice, bob, _, gid = cast
    did = drifts.request_gift(bob, gid, {k: DRIFT_FORM[k] for k in ("recipient_name", "mobile", "address",
                                                                     "message")}).id
    for action in PATHS[state]:
        role = TRANSITIONS[action][0]
        extra = {"mailed": ["SF1"], "problem": ["没有收到"]}.get(action, [])
        getattr(drifts, action)(alice if role == "gifter" else bob, did, *extra)
    return did


def stored_state(did) -> PendingStatus:
    db.session.expire_all()
    return db.session.get(Drift, did).pending_status


def beans(user) -> Decimal:
    db.session.expire_all()
    balance = db.session.get(type(user), user.id).beans
    assert balance == ledger_sum(user.id)
    return balance


def ledger(user) -> list[tuple]:
    db.session.expire_all()
    return [(row.reason, row.delta) for row in db.session.scalars(
        select(BeanLedger).where(BeanLedger.uid == user.id, BeanLedger.drift_id.is_not(None))
        .order_by(BeanLedger.id))]


# -- the whole drift ----------------------------------------------------------

def test_a_whole_drift_through_the_api_moves_beans_as_the_site(cast, apis):
    """request → accept → mailed → received: requester −1 at once, gifter +1 on receipt, ledger rows to match."""
    alice, bob, _, gid = cast
    resp = apis["requester"].post("/api/v1/drifts", json={"gift_id": gid, **REQUEST})
    assert resp.status_code == 201, text_of(resp)
    drift = resp.get_json()
    assert drift["state"] == "waiting" and drift["role"] == "requester" and drift["other_party"] == "爱丽丝"
    assert drift["book"]["isbn"] == SANTI and drift["book"]["title"] == "三体"
    assert drift["actions"] == ["withdraw"] and drift["deadline"].endswith("Z")
    assert beans(bob) == 2 and beans(alice) == 0
    did = drift["id"]
    accepted = apis["gifter"].post(f"/api/v1/drifts/{did}/accept").get_json()
    assert accepted["state"] == "accepted" and accepted["role"] == "gifter" and accepted["actions"] == ["mailed"]
    mailed = apis["gifter"].post(f"/api/v1/drifts/{did}/mailed", json={"tracking": " SF42 "}).get_json()
    assert mailed["state"] == "mailed" and mailed["tracking"] == "SF42"
    assert beans(alice) == 0
    done = apis["requester"].post(f"/api/v1/drifts/{did}/received").get_json()
    assert done["state"] == "received" and done["actions"] == [] and done["deadline"] is None
    assert beans(bob) == 2 and beans(alice) == 1
    assert ledger(bob) == [("request", -1)] and ledger(alice) == [("received_reward", 1)]


def test_request_answers_201_with_the_stored_details(cast, apis):
    """The request keeps the trimmed details and the message is optional."""
    _, _, _, gid = cast
    body = {"gift_id": gid, "recipient_name": "  王小明 ", "address": DRIFT_FORM["address"], "mobile": "13800138000"}
    drift = apis["requester"].post("/api/v1/drifts", json=body).get_json()
    assert drift["message"] == "" and drift["mailing"]["recipient_name"] == "王小明"
    db.session.expire_all()
    assert db.session.get(Drift, drift["id"]).recipient_name == "王小明"


# -- the request's refusals ---------------------------------------------------

def test_request_without_a_bean_is_refused(app, cast):
    """A requester with no bean gets the service's 400 refusal and nothing changes."""
    alice, _, _, gid = cast
    poor = warm(app, make_user("穷人", "poor@example.com"))
    with unchanged():
        body = assert_problem(poor.post("/api/v1/drifts", json={"gift_id": gid, **REQUEST}), 400, "refused")
    assert "鱼豆" in body["detail"]


def test_own_gift_and_promised_gift_are_refused(cast, apis):
    """Asking for one's own gift, or a copy promised to someone else, is the service's 400 refusal."""
    _, _, _, gid = cast
    assert_problem(apis["gifter"].post("/api/v1/drifts", json={"gift_id": gid, **REQUEST}), 400, "refused")
    service_drift(cast, S.ACCEPTED)
    body = assert_problem(apis["stranger"].post("/api/v1/drifts", json={"gift_id": gid, **REQUEST}), 400, "refused")
    assert "答应" in body["detail"]


def test_the_two_books_rule_and_a_second_request_are_refused(cast, apis):
    """Two open requests are allowed, a third is refused until a book is given; asking twice is refused."""
    alice, _, _, gid = cast
    apis["requester"].post("/api/v1/drifts", json={"gift_id": gid, **REQUEST})
    assert_problem(apis["requester"].post("/api/v1/drifts", json={"gift_id": gid, **REQUEST}), 400, "refused")
    other = [make_gift(alice, isbn).id for isbn in (SANTI2, HUOZHE)]
    assert apis["requester"].post("/api/v1/drifts", json={"gift_id": other[0], **REQUEST}).status_code == 201
    body = assert_problem(apis["requester"].post("/api/v1/drifts", json={"gift_id": other[1], **REQUEST}),
                          400, "refused")
    assert "赠送" in body["detail"]


def test_unknown_given_and_withdrawn_gifts_are_404(cast, apis):
    """A gift id that names no open gift (none, given, deleted) is a 404 problem."""
    alice, _, _, _ = cast
    given = make_gift(alice, HONGLOU, launched=True).id
    deleted = make_gift(alice, SANTI2, deleted=True).id
    for gid in (987654, given, deleted):
        assert_problem(apis["requester"].post("/api/v1/drifts", json={"gift_id": gid, **REQUEST}), 404)


# -- bad input ----------------------------------------------------------------

@pytest.mark.parametrize("change, field", [
    ({"gift_id": None}, "gift_id"), ({"gift_id": 0}, "gift_id"), ({"gift_id": "x"}, "gift_id"),
    ({"recipient_name": "王"}, "recipient_name"), ({"recipient_name": "  王  "}, "recipient_name"),
    ({"recipient_name": "王" * 21}, "recipient_name"), ({"address": "北京市海淀区"}, "address"),
    ({"address": "北" * 71}, "address"), ({"mobile": "23800138000"}, "mobile"), ({"mobile": "1380013800"}, "mobile"),
    ({"mobile": "138001380001"}, "mobile"), ({"message": "话" * 201}, "message"), ({"extra": 1}, "extra"),
])
def test_bad_request_bodies_are_400_with_errors(cast, apis, change, field):
    """Each form limit, a missing or bad gift id and unknown fields are 400 invalid-request naming the field."""
    _, _, _, gid = cast
    body = {"gift_id": gid, **REQUEST, **change}
    body = {key: value for key, value in body.items() if value is not None}
    with unchanged():
        problem = assert_problem(apis["requester"].post("/api/v1/drifts", json=body), 400, "invalid-request")
    assert any(error["loc"].endswith(field) for error in problem["errors"]), problem["errors"]


@pytest.mark.parametrize("data, content_type", [("not json", "application/json"), ("", None),
                                                ("gift_id=1", "application/x-www-form-urlencoded")])
def test_request_without_a_json_body_is_400(cast, apis, data, content_type):
    """Malformed JSON, no body and a form body are 400 invalid-request, nothing stored."""
    with unchanged():
        resp = apis["requester"].post("/api/v1/drifts", data=data, content_type=content_type)
    assert_problem(resp, 400, "invalid-request")


def test_the_api_limits_are_the_forms(app):
    """The request, mailed and problem bodies allow exactly the lengths and pattern of the site's forms."""
    def form_rules(form_class, name):
        with app.test_request_context():
            field = getattr(form_class(formdata=None), name)
        rules = {}
        for check in field.validators:
            if isinstance(check, Length):
                rules.update(minLength=max(check.min, 0), maxLength=check.max if check.max >= 0 else None)
            if isinstance(check, Regexp):
                rules["pattern"] = check.regex.pattern
        return rules

    def model_rules(model, name):
        schema = model.model_json_schema()["properties"][name]
        return {key: schema[key] for key in ("minLength", "maxLength", "pattern") if key in schema}

    for model, form, names in ((DriftRequest, DriftForm, ("recipient_name", "address", "mobile", "message")),
                               (MailedBody, MailedForm, ("tracking",)), (ProblemBody, ProblemForm, ("note",))):
        for name in names:
            expected = {key: value for key, value in form_rules(form, name).items() if value}
            assert {k: v for k, v in model_rules(model, name).items() if v} == expected, name
    kinds = ProblemBody.model_json_schema()["properties"]["kind"]["enum"]
    with app.test_request_context():
        assert kinds == [choice.value for choice in ProblemForm(formdata=None).kind.choices]


@pytest.mark.parametrize("action, body", [("mailed", {"tracking": "单" * 101}), ("mailed", {"tracking": 5}),
                                          ("problem", {"kind": "lost", "note": ""}), ("problem", {"note": "x"}),
                                          ("problem", {"kind": "damaged", "note": "话" * 181}),
                                          ("problem", None)])
def test_bad_action_bodies_are_400(cast, apis, action, body):
    """A long tracking note, an unknown or missing problem kind, a long note and no body are 400, the drift unmoved."""
    did = service_drift(cast, S.ACCEPTED if action == "mailed" else S.MAILED)
    api = apis[TRANSITIONS[action][0]]
    with unchanged():
        resp = api.post(f"/api/v1/drifts/{did}/{action}", json=body) if body is not None \
            else api.post(f"/api/v1/drifts/{did}/{action}")
        problem = assert_problem(resp, 400, "invalid-request")
    assert problem["errors"] or body is None


def test_mailed_without_a_body_has_no_tracking(cast, apis):
    """POST mailed with no body is allowed: the tracking note is empty."""
    did = service_drift(cast, S.ACCEPTED)
    drift = apis["gifter"].post(f"/api/v1/drifts/{did}/mailed").get_json()
    assert drift["state"] == "mailed" and drift["tracking"] == ""


def test_problem_note_is_written_as_the_site_writes_it(cast, apis):
    """The API's problem report stores the same note the site's problem form would."""
    did = service_drift(cast, S.MAILED)
    drift = apis["requester"].post(f"/api/v1/drifts/{did}/problem", json={"kind": "damaged", "note": " 封面撕破了 "})
    assert drift.status_code == 200 and drift.get_json()["problem"] == "收到的书有损坏：封面撕破了"
    assert drift.get_json()["state"] == "problem" and drift.get_json()["actions"] == ["received"]


# -- every action from every state --------------------------------------------

@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("state", list(PATHS))
def test_each_action_from_each_state(cast, apis, action, state):
    """The right party's action moves the drift (200) from its TRANSITIONS states and is a 409 from any other."""
    did = service_drift(cast, state)
    role, from_states, to = TRANSITIONS[action]
    path, body = f"/api/v1/drifts/{did}/{action}", BODIES.get(action)
    if state in from_states:
        resp = apis[role].post(path, json=body) if body else apis[role].post(path)
        assert resp.status_code == 200, text_of(resp)
        assert resp.get_json()["state"] == to.name.lower() and stored_state(did) == to
    else:
        with unchanged():
            resp = apis[role].post(path, json=body) if body else apis[role].post(path)
        assert_problem(resp, 409, "conflict")


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_strangers_and_the_wrong_role_get_404(cast, apis, action):
    """Someone not a party, and the party in the other role, get a 404 and the drift does not move."""
    role = TRANSITIONS[action][0]
    state = next(s for s in PATHS if s in TRANSITIONS[action][1])
    did = service_drift(cast, state)
    wrong = "requester" if role == "gifter" else "gifter"
    for who in ("stranger", wrong):
        with unchanged():
            resp = apis[who].post(f"/api/v1/drifts/{did}/{action}", json=BODIES.get(action, {}))
        assert_problem(resp, 404)
    assert_problem(apis["stranger"].get(f"/api/v1/drifts/{did}"), 404)
    assert_problem(apis["stranger"].post(f"/api/v1/drifts/987654/{action}", json=BODIES.get(action, {})), 404)


@pytest.mark.parametrize("path", ["0", "-1", "abc", str(2**63), "9" * 40])
def test_drift_ids_that_name_no_row_are_404(cast, apis, path):
    """A drift id that is not a positive 64-bit integer matches no route: a 404 problem, never a 5xx."""
    assert_problem(apis["requester"].get(f"/api/v1/drifts/{path}"), 404)
    assert_problem(apis["requester"].post(f"/api/v1/drifts/{path}/accept"), 404)


def test_read_tokens_may_not_write(app, cast):
    """A read-only token is 403 insufficient-scope on the request and on every action, and changes nothing."""
    alice, bob, _, gid = cast
    did = service_drift(cast, S.WAITING)
    readers = {"gifter": warm(app, alice, "read"), "requester": warm(app, bob, "read")}
    with unchanged():
        assert_problem(readers["requester"].post("/api/v1/drifts", json={"gift_id": gid, **REQUEST}), 403)
        for action, (role, _, _) in TRANSITIONS.items():
            resp = readers[role].post(f"/api/v1/drifts/{did}/{action}", json=BODIES.get(action, {}))
            assert_problem(resp, 403)
    assert readers["requester"].get(f"/api/v1/drifts/{did}").status_code == 200


def test_drifts_need_a_token(client, cast):
    """Without a token the drift operations are 401."""
    assert_problem(client.get("/api/v1/me/drifts"), 401, "missing-token")
    assert_problem(client.post("/api/v1/drifts", json={"gift_id": cast[3], **REQUEST}), 401, "missing-token")


# -- the mailing details --------------------------------------------------------

@pytest.mark.parametrize("state, gifter_sees", [(S.WAITING, False), (S.ACCEPTED, True), (S.MAILED, True),
                                                (S.PROBLEM, True), (S.RECEIVED, False), (S.REJECTED, False),
                                                (S.WITHDRAWN, False), (S.REFUNDED, False)])
def test_mailing_details_follow_the_sites_rule(cast, apis, state, gifter_sees):
    """The requester always sees their own address; the gifter from acceptance until the drift closes."""
    did = service_drift(cast, state)
    mine = apis["requester"].get(f"/api/v1/drifts/{did}").get_json()["mailing"]
    assert mine == {k: DRIFT_FORM[k] for k in ("recipient_name", "address", "mobile")}
    theirs = apis["gifter"].get(f"/api/v1/drifts/{did}").get_json()
    assert (theirs["mailing"] is not None) == gifter_sees
    assert DRIFT_FORM["mobile"] not in str(theirs) or gifter_sees


def test_erased_details_stay_erased(app, cast, apis):
    """After the retention days the details are gone for the requester too: mailing is null."""
    did = service_drift(cast, S.RECEIVED)
    assert erase_addresses({**app.config, "ADDRESS_RETENTION_DAYS": 0}) == 1
    for role in ("requester", "gifter"):
        assert apis[role].get(f"/api/v1/drifts/{did}").get_json()["mailing"] is None


def test_the_pending_page_and_the_api_agree(app, cast, apis):
    """For one accepted drift, /pending and GET /drifts/{did} agree on state, actions and address, both sides."""
    alice, bob, _, _ = cast
    did = service_drift(cast, S.ACCEPTED)
    for user, role in ((alice, "gifter"), (bob, "requester")):
        api = apis[role].get(f"/api/v1/drifts/{did}").get_json()
        page = text_of(login_client(app, user).get("/pending"))
        card = page[page.index(f'id="drift-{did}"') - 200:]
        card = card[:card.index("</li>")]
        assert f"drift-{api['state']}" in card
        for action in TRANSITIONS:
            assert (f"/drift/{did}/{action}" in card) == (action in api["actions"]), (role, action)
        assert api["mailing"] is not None and DRIFT_FORM["address"] in card  # both sides see it once accepted
        assert api["other_party"] in card


# -- my drifts --------------------------------------------------------------------

@pytest.fixture
def several(cast):
    """鲍勃 asks 爱丽丝 for two books (one accepted); 爱丽丝 asks 鲍勃 for one; 卡罗尔 asks 爱丽丝 for one."""
    alice, bob, carol, gid = cast
    details = {k: DRIFT_FORM[k] for k in ("recipient_name", "mobile", "address", "message")}
    with db.auto_commit():
        change_beans(alice.id, 2, "test_grant")
    first = drifts.request_gift(bob, gid, details).id
    drifts.accept(alice, first)
    second = drifts.request_gift(bob, make_gift(alice, SANTI2).id, details).id
    third = drifts.request_gift(alice, make_gift(bob, HUOZHE).id, details).id
    fourth = drifts.request_gift(carol, make_gift(alice, HONGLOU).id, details).id
    return {"bob_accepted": first, "bob_waiting": second, "alice_asks": third, "carol_asks": fourth}


def test_my_drifts_lists_both_roles_newest_first(apis, several):
    """Without filters I see every drift I am a party of, newest first, each from my side."""
    items = apis["gifter"].get("/api/v1/me/drifts").get_json()["items"]
    assert [d["id"] for d in items] == sorted(several.values(), reverse=True)
    roles = {d["id"]: d["role"] for d in items}
    assert roles[several["alice_asks"]] == "requester" and roles[several["bob_waiting"]] == "gifter"
    assert [d["id"] for d in apis["requester"].get("/api/v1/me/drifts").get_json()["items"]] == \
        sorted([several["bob_accepted"], several["bob_waiting"], several["alice_asks"]], reverse=True)


@pytest.mark.parametrize("query, names", [
    ("role=gifter", {"bob_accepted", "bob_waiting", "carol_asks"}), ("role=requester", {"alice_asks"}),
    ("state=waiting", {"bob_waiting", "alice_asks", "carol_asks"}), ("state=accepted", {"bob_accepted"}),
    ("role=gifter&state=waiting", {"bob_waiting", "carol_asks"}), ("state=received", set()),
])
def test_my_drifts_filter_by_role_and_state(apis, several, query, names):
    """role and state narrow the list, across every page."""
    items = all_pages(apis["gifter"], f"/api/v1/me/drifts?{query}", limit=1)
    assert {d["id"] for d in items} == {several[name] for name in names}


def test_my_drifts_pages_hold_every_drift_once(apis, several):
    """Pages of one follow the cursor and the Link header and give each drift exactly once."""
    items = all_pages(apis["gifter"], "/api/v1/me/drifts", limit=1)
    assert [d["id"] for d in items] == sorted(several.values(), reverse=True)


@pytest.mark.parametrize("query", ["role=owner", "state=lost", "state=WAITING", "limit=0", "cursor="])
def test_bad_list_queries_are_400(apis, query):
    """An unknown role or state name and a bad page are 400 invalid-request."""
    assert_problem(apis["gifter"].get(f"/api/v1/me/drifts?{query}"), 400, "invalid-request")


def test_the_state_names_cover_every_status():
    """Every stored status has one lower-case API name and back."""
    from app.api.schemas.drift import state_of, status_of
    assert {state_of(s).value for s in PendingStatus} == {s.name.lower() for s in PendingStatus}
    assert all(status_of(state_of(s)) is s for s in PendingStatus)


# -- concurrency ------------------------------------------------------------------

@pytest.fixture
def served(app_factory):
    """A served app (its own, not the ``app`` fixture) with 爱丽丝's gift and 鲍勃's waiting request,
    and the base URL and write tokens; after the test every balance equals its ledger sum."""
    app = app_factory()
    with app.app_context():
        add_books()
        alice, bob = make_user("爱丽丝", "alice@example.com"), make_user("鲍勃", "bob@example.com", beans=1)
        gid = make_gift(alice, SANTI).id
        did = drifts.request_gift(bob, gid, {k: DRIFT_FORM[k] for k in ("recipient_name", "mobile", "address",
                                                                         "message")}).id
        tokens = {"gifter": create_token(alice, "race", "write")[1], "requester": create_token(bob, "race", "write")[1]}
        with serve(app) as base_url:
            yield base_url, did, tokens, (alice, bob)
        db.session.expire_all()
        for user in (alice, bob):
            assert beans(user) >= 0


def _post(base_url, token, path):
    return lambda: requests.post(f"{base_url}{path}", headers=bearer(token), timeout=30).status_code


def test_two_accepts_at_once_accept_once(served):
    """The same accept sent twice at the same moment: one 200, one 409, the drift accepted once."""
    base_url, did, tokens, _ = served
    codes = fire_together([_post(base_url, tokens["gifter"], f"/api/v1/drifts/{did}/accept")] * 2)
    assert sorted(codes) == [200, 409], codes
    assert stored_state(did) == S.ACCEPTED


def test_accept_and_withdraw_at_once_leave_one_outcome(served):
    """Accept and withdraw fired together: each may win, but the drift ends in one state and the bean moves once."""
    base_url, did, tokens, (alice, bob) = served
    codes = fire_together([_post(base_url, tokens["gifter"], f"/api/v1/drifts/{did}/accept"),
                           _post(base_url, tokens["requester"], f"/api/v1/drifts/{did}/withdraw")])
    assert all(code in (200, 409) for code in codes), codes
    final = stored_state(did)
    assert final in (S.ACCEPTED, S.WITHDRAWN)
    # withdraw is allowed from accepted too: both can succeed, one after the other
    expected = {(200, 409): S.ACCEPTED, (409, 200): S.WITHDRAWN, (200, 200): S.WITHDRAWN}
    assert expected[tuple(codes)] == final
    assert beans(bob) == (1 if final == S.WITHDRAWN else 0) and beans(alice) == 0
    assert [reason for reason, _ in ledger(bob)] == (["request", "refund_withdraw"] if final == S.WITHDRAWN
                                                     else ["request"])


def test_the_openapi_document_describes_the_drift_operations(client):
    """Each drift operation is in /api/v1/openapi.json with an integer drift id and write security on moves."""
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert paths["/api/v1/drifts/{did}"]["get"]["parameters"][0]["schema"]["type"] == "integer"
    for action in TRANSITIONS:
        move = paths[f"/api/v1/drifts/{{did}}/{action}"]["post"]
        assert move["operationId"] == f"{action}Drift" and {"403", "404", "409"} <= set(move["responses"])
    assert "Link" in paths["/api/v1/me/drifts"]["get"]["responses"]["200"]["headers"]
    assert "requestBody" in paths["/api/v1/drifts"]["post"]

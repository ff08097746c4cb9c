"""The drift (鱼漂) state machine: every action × actor × starting state through
POST /drift/<id>/<action>, checked against ``TRANSITIONS``; the address escrow;
given-to-someone-else; a promised copy; withdrawing until mailed.

Each drift is built into its starting state through the services (request,
accept, mailed, problem, received, reject, withdraw, refund, the expiry sweep).
The cast: 爱丽丝 gives 三体, 鲍勃 asks for it (and wishes for it), 卡罗尔 is a
stranger to the drift, 戴夫 asks for the same copy where a scene needs him."""
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from app.libs.enums import PROMISED_STATES, PendingStatus
from app.models.base import db, utcnow
from app.models.bean_ledger import BeanLedger, ledger_sum
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.notice import Notice
from app.models.user import User
from app.models.wish import Wish
from app.services import drift as drifts
from app.services import lists
from app.services.drift import TRANSITIONS
from app.services.drift_deadlines import expire_and_confirm
from tests.helpers import DRIFT_FORM, SANTI, add_books, login_client, make_user, make_wish, snapshot, text_of, \
    unchanged

S = PendingStatus
ADDRESS = "中关村大街"  # part of DRIFT_FORM's address
DAVE_FORM = {"recipient_name": "戴小夫", "mobile": "13900139000", "address": "上海市徐汇区漕溪北路 595 号 12 楼",
             "message": ""}
ACTORS = ("gifter", "requester", "stranger", "anonymous")
# The actions each party may take, by the service that takes it, in order, to reach a state.
PATHS = {
    S.WAITING: [], S.ACCEPTED: ["accept"], S.MAILED: ["accept", "mailed"],
    S.PROBLEM: ["accept", "mailed", "problem"], S.RECEIVED: ["accept", "mailed", "received"],
    S.REJECTED: ["reject"], S.WITHDRAWN: ["withdraw"], S.REFUNDED: ["accept", "mailed", "problem", "refund"],
    S.EXPIRED: "expire", S.GIVEN_TO_OTHER: "given_to_other",
}
FORM = {"mailed": {"tracking": "SF1234567890"}, "problem": {"kind": "damaged", "note": "封面撕破了"}}
# On success: (gifter's beans, requester's beans) change, the ledger reason, the other party's notice.
EFFECTS = {
    "accept": ((0, 0), None, ("requester", "accepted")),
    "reject": ((0, 1), "refund_reject", ("requester", "rejected")),
    "withdraw": ((0, 1), "refund_withdraw", ("gifter", "withdrawn")),
    "mailed": ((0, 0), None, ("requester", "mailed")),
    "received": ((1, 0), "received_reward", ("gifter", "received")),
    "problem": ((0, 0), None, ("gifter", "problem")),
    "refund": ((0, 1), "refund_problem", ("requester", "refunded")),
}


def test_the_transition_table_is_the_lifecycle():
    """TRANSITIONS is the issue's lifecycle, written out by hand; the tables here cover every
    state and every action."""
    assert TRANSITIONS == {
        "accept": ("gifter", {S.WAITING}, S.ACCEPTED),
        "reject": ("gifter", {S.WAITING}, S.REJECTED),
        "withdraw": ("requester", {S.WAITING, S.ACCEPTED}, S.WITHDRAWN),
        "mailed": ("gifter", {S.ACCEPTED}, S.MAILED),
        "received": ("requester", {S.MAILED, S.PROBLEM}, S.RECEIVED),
        "problem": ("requester", {S.MAILED}, S.PROBLEM),
        "refund": ("gifter", {S.PROBLEM}, S.REFUNDED),
    }
    assert set(PATHS) == set(PendingStatus)
    assert set(EFFECTS) == set(TRANSITIONS)


def step(action: str, users: dict, did: int) -> None:
    """Take ``action`` on drift ``did`` through its service, as the party TRANSITIONS names."""
    role = TRANSITIONS[action][0]
    user = users[role]
    if action == "mailed":
        drifts.mailed(user, did, "SF0")
    elif action == "problem":
        drifts.problem(user, did, "没有收到")
    else:
        getattr(drifts, action)(user, did)


@dataclass
class Scene:
    app: object
    users: dict  # gifter, requester, stranger -> User
    gid: int
    did: int

    def client(self, actor):
        if actor == "anonymous":
            return self.app.test_client()
        return login_client(self.app, self.users[actor])

    def drift(self) -> Drift:
        db.session.expire_all()
        return db.session.get(Drift, self.did)

    def beans(self) -> dict:
        db.session.expire_all()
        return {role: db.session.get(User, user.id).beans for role, user in self.users.items()}

    def page(self, actor) -> str:
        return text_of(self.client(actor).get("/pending"))


def build(app, state: PendingStatus) -> Scene:
    """爱丽丝's 三体, asked for by 鲍勃, moved into ``state`` through the services."""
    add_books()
    users = {"gifter": make_user("爱丽丝", "alice@example.com"),
             "requester": make_user("鲍勃", "bob@example.com", beans=1),
             "stranger": make_user("卡罗尔", "carol@example.com", beans=1)}
    gift = lists.add_gift(users["gifter"], SANTI)
    make_wish(users["requester"], SANTI)
    did = drifts.request_gift(users["requester"], gift.id, dict(DRIFT_FORM)).id
    path = PATHS[state]
    if path == "expire":
        with time_machine.travel(utcnow() + timedelta(days=app.config["DRIFT_RESPONSE_DAYS"] + 1), tick=False):
            assert expire_and_confirm(app.config)["expired"] == 1
    elif path == "given_to_other":
        dave = make_user("戴夫", "dave@example.com", beans=1)
        drifts.accept(users["gifter"], drifts.request_gift(dave, gift.id, DAVE_FORM).id)
    else:
        for action in path:
            step(action, users, did)
    scene = Scene(app, users, gift.id, did)
    assert scene.drift().pending_status == state
    return scene


@pytest.fixture(autouse=True)
def balances_follow_the_ledger(app):
    """After every test, every balance equals its ledger sum and is never negative."""
    yield
    db.session.expire_all()
    for user in db.session.scalars(select(User)):
        assert user.beans == ledger_sum(user.id) and user.beans >= 0, user.nickname


def _notices() -> list[tuple]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(select(Notice.uid, Notice.kind).order_by(Notice.id))]


@pytest.mark.parametrize("state", list(PendingStatus), ids=lambda s: s.name.lower())
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_state_machine(app, action, actor, state):
    """Allowed by TRANSITIONS: 302, the new state, the right bean moves and one notice for the
    other party. A stranger (or the party of the other role): 404; anonymous: to login; the
    right party in a state the action does not start from: 409 -- and then nothing changes."""
    scene = build(app, state)
    role, from_states, to = TRANSITIONS[action]
    url = f"/drift/{scene.did}/{action}"
    data = FORM.get(action, {})
    if actor == "anonymous" or actor != role or state not in from_states:
        with unchanged():
            resp = scene.client(actor).post(url, data=data)
            if actor == "anonymous":
                assert resp.status_code == 302 and urlsplit(resp.headers["Location"]).path == "/login"
            elif actor != role:
                assert resp.status_code == 404
            else:
                assert resp.status_code == 409 and "状态" in text_of(resp)
        return

    beans, notices = scene.beans(), _notices()
    before = snapshot()
    resp = scene.client(actor).post(url, data=data)
    assert resp.status_code == 302, text_of(resp)
    assert resp.headers["Location"] == f"/pending#drift-{scene.did}"
    drift = scene.drift()
    assert drift.pending_status == to
    assert (drift.closed_at is None) == to.is_open

    (gifter_delta, requester_delta), reason, (told, kind) = EFFECTS[action]
    assert scene.beans() == {"gifter": beans["gifter"] + gifter_delta,
                             "requester": beans["requester"] + requester_delta,
                             "stranger": beans["stranger"]}
    new_rows = db.session.scalars(select(BeanLedger).where(BeanLedger.id > max(
        (row[0] for row in before["bean_ledger"]), default=0))).all()
    assert [(row.reason, row.drift_id) for row in new_rows] == ([(reason, scene.did)] if reason else [])
    assert _notices() == notices + [(scene.users[told].id, kind)]

    db.session.expire_all()
    gifter, requester = (db.session.get(User, scene.users[r].id) for r in ("gifter", "requester"))
    received = action == "received"
    assert (gifter.send_counter, requester.receive_counter) == ((1, 1) if received else (0, 0))
    assert db.session.get(Gift, scene.gid).launched == (action in ("received", "refund"))
    assert db.session.scalar(select(Wish.launched).where(Wish.uid == requester.id)) == received
    if action == "mailed":
        assert drift.tracking == "SF1234567890"
    if action == "problem":
        assert drift.problem == "收到的书有损坏：封面撕破了"


@pytest.mark.parametrize("state", list(PendingStatus), ids=lambda s: s.name.lower())
def test_address_shown_to_the_gifter_only_from_accepted_until_closed(app, state):
    """On /pending the gifter sees the name, phone and address only while the drift is
    accepted, mailed or in problem; the requester always sees their own; a stranger never."""
    scene = build(app, state)
    gifter_page = scene.page("gifter")
    shown = state in PROMISED_STATES
    assert "三体" in gifter_page
    for detail in (ADDRESS, DRIFT_FORM["mobile"], DRIFT_FORM["recipient_name"]):
        assert (detail in gifter_page) == shown, detail
    assert ADDRESS in scene.page("requester")
    stranger_page = scene.page("stranger")
    assert ADDRESS not in stranger_page and "三体" not in stranger_page


def test_accepting_one_of_two_gives_the_other_to_someone_else(app):
    """Accepting Bob's request moves Dave's to GIVEN_TO_OTHER with his bean back and a notice
    saying so; nobody is told "rejected"."""
    scene = build(app, S.WAITING)
    dave = make_user("戴夫", "dave@example.com", beans=1)
    as_dave = login_client(app, dave)
    assert as_dave.post(f"/gifts/{scene.gid}/request", data=DAVE_FORM).status_code == 302
    dave_did = db.session.scalar(select(Drift.id).where(Drift.requester_id == dave.id))
    assert scene.client("gifter").post(f"/drift/{scene.did}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(Drift, dave_did).pending_status == S.GIVEN_TO_OTHER
    assert db.session.get(User, dave.id).beans == 1
    assert [row.reason for row in db.session.scalars(select(BeanLedger).where(
        BeanLedger.drift_id == dave_did).order_by(BeanLedger.id))] == ["request", "refund_given_to_other"]
    kinds = db.session.scalars(select(Notice.kind).where(Notice.uid == dave.id)).all()
    assert kinds == ["given_to_other"]
    assert "rejected" not in db.session.scalars(select(Notice.kind)).all()
    assert S.REJECTED not in db.session.scalars(select(Drift.pending)).all()
    assert "已经送给了别人" in text_of(as_dave.get("/notices"))
    page = text_of(as_dave.get("/pending"))
    assert "已送给别人" in page and "对方已拒绝" not in page


@pytest.mark.parametrize("state", sorted(PROMISED_STATES), ids=lambda s: s.name.lower())
def test_a_promised_gift_cannot_be_requested_by_a_third_user(app, state):
    """Once the gifter accepted a request (accepted, mailed, problem), anyone else asking
    for the copy is refused and spends nothing."""
    scene = build(app, state)
    as_carol = scene.client("stranger")
    with unchanged():
        resp = as_carol.post(f"/gifts/{scene.gid}/request", data=DRIFT_FORM, follow_redirects=True)
        assert "这本书已经答应送给别人了" in text_of(resp)
        assert "这本书已经答应送给别人了" in text_of(as_carol.get(f"/gifts/{scene.gid}/request",
                                                                 follow_redirects=True))


def test_the_promise_ends_when_the_accepted_request_is_withdrawn(app):
    """Withdrawing the accepted request frees the copy: a third user may ask for it again."""
    scene = build(app, S.ACCEPTED)
    assert scene.client("requester").post(f"/drift/{scene.did}/withdraw").status_code == 302
    resp = scene.client("stranger").post(f"/gifts/{scene.gid}/request", data=DRIFT_FORM)
    assert resp.status_code == 302 and resp.headers["Location"] == "/pending"
    assert scene.beans()["stranger"] == 0


def test_withdraw_is_allowed_once_accepted_but_not_after_mailed(app):
    """The requester may withdraw an accepted request (bean back, the gifter told and no
    longer shown the address); once mailed, withdraw is a 409 and changes nothing."""
    scene = build(app, S.ACCEPTED)
    assert ADDRESS in scene.page("gifter")
    assert scene.client("requester").post(f"/drift/{scene.did}/withdraw").status_code == 302
    assert scene.drift().pending_status == S.WITHDRAWN and scene.beans()["requester"] == 1
    assert ADDRESS not in scene.page("gifter") and "对方已撤回" in scene.page("gifter")

    db.session.remove()
    mailed = build_again(app)
    with unchanged():
        assert mailed.client("requester").post(f"/drift/{mailed.did}/withdraw").status_code == 409
    assert mailed.drift().pending_status == S.MAILED


def build_again(app) -> Scene:
    """A second drift for a fresh copy of 三体 from the same gifter, moved to mailed."""
    users = {role: db.session.scalar(select(User).where(User.nickname == name)) for role, name in
             (("gifter", "爱丽丝"), ("requester", "鲍勃"), ("stranger", "卡罗尔"))}
    gift = db.session.scalar(select(Gift).where(Gift.isbn == SANTI))
    did = drifts.request_gift(users["requester"], gift.id, dict(DRIFT_FORM)).id
    for action in ("accept", "mailed"):
        step(action, users, did)
    return Scene(app, users, gift.id, did)

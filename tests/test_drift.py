"""Drifts (鱼漂): requesting a gift, accepting, mailing, confirming receipt, rejecting,
withdrawing, beans. The full action × actor × state table is in test_drift_lifecycle.py."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.bean_ledger import BeanLedger, ledger_sum
from app.models.drift import Drift
from app.models.gift import Gift
from app.models.notice import Notice
from app.models.user import User
from app.models.wish import Wish
from tests.helpers import BAINIAN, DRIFT_FORM, HONGLOU, HUOZHE, PYTHON, SANTI, add_books, register, unchanged


class World:
    """Alice gives 三体; Bob (1 bean from two gifts of his own) wants it; Carol watches."""

    def __init__(self, app):
        add_books()
        self.app = app
        self.alice = register(app.test_client(), "alice@example.com", "爱丽丝")
        self.bob = register(app.test_client(), "bob@example.com", "鲍勃")
        self.carol = register(app.test_client(), "carol@example.com", "卡罗尔")
        self.alice.post(f"/gifts/book/{SANTI}")
        self.bob.post(f"/gifts/book/{BAINIAN}")
        self.bob.post(f"/gifts/book/{PYTHON}")
        self.bob.post(f"/wishes/book/{SANTI}")
        self.gift_id = db.session.scalar(select(Gift.id).where(Gift.isbn == SANTI))

    def user(self, nickname) -> User:
        db.session.expire_all()
        return db.session.scalar(select(User).where(User.nickname == nickname))

    def request(self, client=None, gift_id=None, **fields):
        return (client or self.bob).post(f"/gifts/{gift_id or self.gift_id}/request", data={**DRIFT_FORM, **fields})

    def drift(self) -> Drift:
        db.session.expire_all()
        return db.session.scalar(select(Drift).order_by(Drift.id.desc()))

    def act(self, client, did, action, **data):
        """POST /drift/<did>/<action> as ``client``; returns the status code."""
        if action == "problem":
            data = {"kind": "not_arrived", **data}
        return client.post(f"/drift/{did}/{action}", data=data).status_code

    def to(self, did, state):
        """Walk drift ``did`` (Alice gifter, Bob requester) from waiting into ``state``."""
        steps = {PendingStatus.WAITING: [], PendingStatus.ACCEPTED: ["accept"],
                 PendingStatus.MAILED: ["accept", "mailed"],
                 PendingStatus.PROBLEM: ["accept", "mailed", "problem"],
                 PendingStatus.RECEIVED: ["accept", "mailed", "received"],
                 PendingStatus.REJECTED: ["reject"], PendingStatus.WITHDRAWN: ["withdraw"]}[state]
        for action in steps:
            client = self.bob if action in ("withdraw", "received", "problem") else self.alice
            assert self.act(client, did, action) == 302, action
        assert db.session.get(Drift, did).pending == state

    def notices(self, nickname) -> list[str]:
        """The kinds of a user's notices, oldest first."""
        db.session.expire_all()
        return db.session.scalars(select(Notice.kind).where(Notice.uid == self.user(nickname).id)
                                  .order_by(Notice.id)).all()


@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture(autouse=True)
def ledger_matches_balance(request):
    """After every test, every user's beans equal their ledger sum and are never negative."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")  # set up first, so torn down after this check
    yield
    db.session.expire_all()
    for user in db.session.scalars(select(User)):
        assert user.beans == ledger_sum(user.id), user.nickname
        assert user.beans >= 0


def test_request_costs_a_bean_and_shows_on_pending(world):
    """A request takes one bean, makes a Waiting drift with snapshots and lands on /pending."""
    resp = world.request()
    assert resp.status_code == 302 and resp.headers["Location"] == "/pending"
    drift = world.drift()
    assert drift.pending == PendingStatus.WAITING
    assert (drift.book_title, drift.book_author, drift.isbn) == ("三体", "刘慈欣", SANTI)
    assert (drift.requester_nickname, drift.gifter_nickname) == ("鲍勃", "爱丽丝")
    assert drift.recipient_name == "王小明" and drift.mobile == "13800138000"
    assert world.user("鲍勃").beans == Decimal("0")
    bob_page = world.bob.get("/pending").get_data(as_text=True)
    alice_page = world.alice.get("/pending").get_data(as_text=True)
    assert "等待对方回应" in bob_page and "撤回" in bob_page and "中关村大街" in bob_page
    assert "等待你回应" in alice_page and "同意" in alice_page and "拒绝" in alice_page
    assert "已寄出" not in alice_page and "确认收到" not in bob_page
    # address escrow: the gifter sees nothing of the address before accepting
    assert "中关村大街" not in alice_page and "13800138000" not in alice_page
    assert world.notices("爱丽丝") == ["request"]


def test_request_mails_the_gifter(app_factory, smtp_server):
    """The gifter receives '[鱼书] 有人想要一本书' with a link to /pending over SMTP."""
    sink, port = smtp_server
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        world = World(app)
        while not sink.messages.empty():  # wish alerts from setting up
            sink.next()
        world.request()
        message = sink.next()
        did = world.drift().id
    assert message["Subject"] == "[鱼书] 有人想要你的书" and message["To"] == "alice@example.com"
    assert f"/pending#drift-{did}" in message.get_body(preferencelist=("plain",)).get_content()


def test_mailed_pays_nothing_received_completes_the_trade(world):
    """Accepting and mailing move no bean and no counter; confirming receipt pays the
    gifter +1 once, counts the trade, gives the gift and fulfils the wish."""
    world.request()
    did = world.drift().id
    world.to(did, PendingStatus.MAILED)
    alice, bob = world.user("爱丽丝"), world.user("鲍勃")
    assert alice.beans == Decimal("0.5") and bob.beans == Decimal("0")
    assert (alice.send_counter, bob.receive_counter) == (0, 0)
    assert not db.session.get(Gift, world.gift_id).launched
    assert "你已寄出，等待对方确认收到" in world.alice.get("/pending").get_data(as_text=True)
    assert "确认收到" in world.bob.get("/pending").get_data(as_text=True)
    assert world.act(world.bob, did, "received") == 302
    assert world.drift().pending == PendingStatus.RECEIVED
    alice, bob = world.user("爱丽丝"), world.user("鲍勃")
    assert alice.beans == Decimal("1.5") and bob.beans == Decimal("0")
    assert (alice.send_counter, bob.receive_counter) == (1, 1)
    reasons = db.session.scalars(select(BeanLedger.reason).where(
        BeanLedger.drift_id == did).order_by(BeanLedger.id)).all()
    assert reasons == ["request", "received_reward"]
    assert db.session.get(Gift, world.gift_id).launched
    assert db.session.scalar(select(Wish.launched).where(Wish.uid == bob.id, Wish.isbn == SANTI))
    assert "对方已收到，交易完成" in world.alice.get("/pending").get_data(as_text=True)
    assert "你已收到，交易完成" in world.bob.get("/pending").get_data(as_text=True)
    assert SANTI not in world.alice.get("/my/gifts").get_data(as_text=True)
    assert world.notices("爱丽丝") == ["request", "received"]
    assert world.notices("鲍勃")[-2:] == ["accepted", "mailed"]


def test_mailed_keeps_the_tracking_note_and_problem_the_report(world):
    """The tracking note and the problem report are stored and shown to both parties."""
    world.request()
    did = world.drift().id
    world.to(did, PendingStatus.ACCEPTED)
    assert world.act(world.alice, did, "mailed", tracking="SF123456") == 302
    assert world.act(world.bob, did, "problem", kind="damaged", note="封面撕破") == 302
    drift = world.drift()
    assert (drift.tracking, drift.problem, drift.pending) == ("SF123456", "收到的书有损坏：封面撕破",
                                                              PendingStatus.PROBLEM)
    for client in (world.alice, world.bob):
        page = client.get("/pending").get_data(as_text=True)
        assert "SF123456" in page and "封面撕破" in page
    assert world.user("鲍勃").beans == Decimal("0") and world.user("爱丽丝").beans == Decimal("0.5")


def test_reject_refunds_the_requester(world):
    """The gifter's reject returns the bean and hides the address from the gifter."""
    world.request()
    did = world.drift().id
    assert world.alice.post(f"/drift/{did}/reject").status_code == 302
    assert world.drift().pending == PendingStatus.REJECTED
    assert world.user("鲍勃").beans == Decimal("1")
    assert world.notices("鲍勃")[-1] == "rejected"
    alice_page = world.alice.get("/pending").get_data(as_text=True)
    assert "你已拒绝" in alice_page and "中关村大街" not in alice_page
    assert "对方已拒绝" in world.bob.get("/pending").get_data(as_text=True)
    assert not db.session.get(Gift, world.gift_id).launched


def test_withdraw_refunds_the_requester(world):
    """The requester's withdrawal returns the bean; both see the right label."""
    world.request()
    did = world.drift().id
    assert world.bob.post(f"/drift/{did}/withdraw").status_code == 302
    assert world.drift().pending == PendingStatus.WITHDRAWN
    assert world.user("鲍勃").beans == Decimal("1")
    assert "你已撤回" in world.bob.get("/pending").get_data(as_text=True)
    assert "对方已撤回" in world.alice.get("/pending").get_data(as_text=True)
    assert world.notices("爱丽丝") == ["request", "withdrawn"]


@pytest.mark.parametrize("who, action", [
    ("carol", "accept"), ("carol", "reject"), ("carol", "withdraw"),
    ("bob", "accept"), ("bob", "reject"), ("alice", "withdraw")])
def test_wrong_party_gets_404_and_nothing_changes(world, who, action):
    """Only the gifter may accept or reject and only the requester may withdraw."""
    world.request()
    did = world.drift().id
    with unchanged():
        assert world.act(getattr(world, who), did, action) == 404
    assert world.drift().pending == PendingStatus.WAITING


@pytest.mark.parametrize("state, who, action", [
    (PendingStatus.REJECTED, "alice", "accept"), (PendingStatus.ACCEPTED, "alice", "reject"),
    (PendingStatus.WITHDRAWN, "alice", "accept"), (PendingStatus.ACCEPTED, "alice", "accept"),
    (PendingStatus.MAILED, "bob", "withdraw"), (PendingStatus.WAITING, "alice", "mailed"),
    (PendingStatus.ACCEPTED, "bob", "received"), (PendingStatus.RECEIVED, "bob", "received"),
    (PendingStatus.RECEIVED, "bob", "problem"), (PendingStatus.MAILED, "alice", "refund")])
def test_stale_transition_is_409(world, state, who, action):
    """A drift whose state does not allow the action refuses it with 409 and changes nothing."""
    world.request()
    did = world.drift().id
    world.to(did, state)
    with unchanged():
        resp = getattr(world, who).post(f"/drift/{did}/{action}", data={"kind": "not_arrived"})
        assert resp.status_code == 409 and "状态" in resp.get_data(as_text=True)
    assert world.drift().pending == state


def test_unknown_drift_is_404(world):
    """A drift id that does not exist is a 404 for every action."""
    for action in ("accept", "reject", "mailed", "refund"):
        assert world.act(world.alice, 999, action) == 404
    for action in ("withdraw", "received", "problem"):
        assert world.act(world.bob, 999, action) == 404


def test_transitions_are_post_only(world):
    """GET on a transition route is refused and changes nothing."""
    world.request()
    did = world.drift().id
    for action in ("accept", "reject", "mailed", "refund"):
        assert world.alice.get(f"/drift/{did}/{action}").status_code == 405
    for action in ("withdraw", "received", "problem"):
        assert world.bob.get(f"/drift/{did}/{action}").status_code == 405
    assert world.drift().pending == PendingStatus.WAITING


def test_accept_gives_the_other_waiting_requests_to_someone_else(world):
    """Accepting one requester closes the others for that gift as given-to-someone-else
    (not rejected), refunds them and tells them so."""
    world.carol.post(f"/gifts/book/{HUOZHE}")
    world.carol.post(f"/gifts/book/{HONGLOU}")
    world.request()
    bob_drift = world.drift().id
    world.request(client=world.carol)
    carol_drift = world.drift().id
    assert world.user("卡罗尔").beans == Decimal("0")
    assert world.act(world.alice, bob_drift, "accept") == 302
    assert db.session.get(Drift, carol_drift).pending == PendingStatus.GIVEN_TO_OTHER
    assert world.user("卡罗尔").beans == Decimal("1")
    reasons = db.session.scalars(select(BeanLedger.reason).where(
        BeanLedger.drift_id == carol_drift).order_by(BeanLedger.id)).all()
    assert reasons == ["request", "refund_given_to_other"]
    assert world.notices("卡罗尔")[-1] == "given_to_other"
    page = world.carol.get("/pending").get_data(as_text=True)
    assert "已送给别人" in page and "对方已拒绝" not in page


def test_cannot_request_own_gift(world):
    """Requesting my own gift is refused with a message and no drift."""
    resp = world.alice.get(f"/gifts/{world.gift_id}/request", follow_redirects=True)
    assert "不能向自己请求" in resp.get_data(as_text=True)
    world.request(client=world.alice)
    assert world.drift() is None


def test_cannot_request_deleted_or_given_gift(world):
    """A withdrawn or already-given gift is a 404."""
    gift = db.session.get(Gift, world.gift_id)
    with db.auto_commit():
        gift.launched = True
    assert world.bob.get(f"/gifts/{world.gift_id}/request").status_code == 404
    assert world.request().status_code == 404
    assert world.bob.get("/gifts/999/request").status_code == 404


def test_cannot_request_twice_while_waiting(world):
    """A second request for a gift I already wait for is refused."""
    world.bob.post(f"/gifts/book/{HONGLOU}")
    world.bob.post(f"/gifts/book/{HUOZHE}")
    world.request()
    resp = world.request()
    assert resp.status_code == 200 and "你已经请求过这本书了" in resp.get_data(as_text=True)
    assert len(db.session.scalars(select(Drift)).all()) == 1


def test_not_enough_beans_explains_the_rule(world):
    """With no beans the page explains the rule with my numbers and how to earn beans."""
    resp = world.carol.get(f"/gifts/{world.gift_id}/request")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 403 and "你现在有 <strong>0 个鱼豆</strong>" in text
    assert "加入赠送清单" in text
    assert world.request(client=world.carol).status_code == 403
    assert world.drift() is None


def test_ratio_rule_counts_trades_from_the_database(world):
    """Two books received and none given blocks requests even with beans to spare."""
    bob = world.user("鲍勃")
    alice = world.user("爱丽丝")
    with db.auto_commit():
        for _ in range(2):
            db.session.add(Drift(recipient_name="x", address="x", mobile="x", isbn=SANTI, book_title="三体",
                                 requester_id=bob.id, requester_nickname="鲍勃", gifter_id=alice.id,
                                 gifter_nickname="爱丽丝", gift_id=world.gift_id,
                                 pending=PendingStatus.RECEIVED))
    resp = world.bob.get(f"/gifts/{world.gift_id}/request")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 403 and "每收到两本书" in text
    assert "已经收到 <strong>2</strong> 本，等待中 <strong>0</strong> 本，送出 <strong>0</strong> 本" in text
    assert "再送出 <strong>1</strong> 本" in text


@pytest.mark.parametrize("fields, message", [
    ({"mobile": "12345"}, "请输入正确的手机号"),
    ({"mobile": "138001380001"}, "请输入正确的手机号"),
    ({"recipient_name": "王"}, "收件人姓名长度必须在2到20个字符之间"),
    ({"address": "北京"}, "地址还不到10个字吗"),
    ({"address": "北" * 71}, "地址还不到10个字吗"),
    ({"message": "谢" * 201}, "留言最多200个字符"),
])
def test_drift_form_rules(world, fields, message):
    """Each form rule shows its message; no drift is made and no bean is spent."""
    resp = world.request(**fields)
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert world.drift() is None and world.user("鲍勃").beans == Decimal("1")


def test_others_never_see_a_drift(world):
    """A third user's pending page does not show someone else's drift or address."""
    world.request()
    text = world.carol.get("/pending").get_data(as_text=True)
    assert "中关村大街" not in text and "三体" not in text


def test_personal_page_lists_the_ledger(world):
    """The personal page shows each bean change, newest first, with its book and the other person."""
    world.request()
    page = world.bob.get("/personal").get_data(as_text=True)
    text = page[page.index("鱼豆明细"):]
    assert text.index("请求书籍") < text.index("加入赠送清单")
    assert "-1 个鱼豆" in text and "+0.5 个鱼豆" in text and "1.0" not in text
    assert "《三体》 · 赠书人 爱丽丝" in text and "《百年孤独》" in text


def test_request_form_shows_the_book_and_my_beans(world):
    """With a bean to spend the request page shows the book, the gifter and my balance."""
    resp = world.bob.get(f"/gifts/{world.gift_id}/request")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "向 爱丽丝 请求此书" in text and "《三体》" in text and "刘慈欣" in text
    assert "<strong>1 个鱼豆</strong>" in text and 'name="address"' in text


def test_snapshot_fits_its_columns_with_many_authors(world):
    """A book with very many long author names still makes a drift (the snapshot is cut to fit)."""
    from app.models.book import Book
    book = db.session.scalar(select(Book).where(Book.isbn == SANTI))
    with db.auto_commit():
        book.author = [f"作者{n}" * 12 for n in range(20)]
    assert world.request().status_code == 302
    assert len(world.drift().book_author) == 255


def test_gifter_sees_an_address_only_from_accepting_until_closed(world):
    """The gifter sees no waiting request's address; the accepted one's from acceptance
    until it closes (here: withdrawn), never the others'; each requester always sees their own."""
    world.carol.post(f"/gifts/book/{HUOZHE}")
    world.carol.post(f"/gifts/book/{HONGLOU}")
    world.request()
    bob_drift = world.drift().id
    world.request(client=world.carol, address="上海市徐汇区漕溪北路 595 号 12 楼")
    page = world.alice.get("/pending").get_data(as_text=True)
    assert "漕溪北路" not in page and "中关村大街" not in page
    world.act(world.alice, bob_drift, "accept")
    page = world.alice.get("/pending").get_data(as_text=True)
    assert "中关村大街" in page and "13800138000" in page and "漕溪北路" not in page
    assert world.act(world.bob, bob_drift, "withdraw") == 302
    page = world.alice.get("/pending").get_data(as_text=True)
    assert "对方已撤回" in page and "中关村大街" not in page and "13800138000" not in page
    assert "漕溪北路" not in page
    assert "中关村大街" in world.bob.get("/pending").get_data(as_text=True)
    assert "漕溪北路" in world.carol.get("/pending").get_data(as_text=True)


def test_ratio_rule_counts_waiting_requests(world):
    """With beans to spare and nothing given, a user holds at most two requests (waiting or
    received); the third is refused with the numbers, and withdrawing one frees a place."""
    from app.models.bean_ledger import change_beans
    for isbn in (HUOZHE, HONGLOU):
        world.alice.post(f"/gifts/book/{isbn}")
    with db.auto_commit():
        change_beans(world.user("鲍勃").id, 4, "test_grant")
    gifts = dict(db.session.execute(select(Gift.isbn, Gift.id).where(Gift.uid == world.user("爱丽丝").id)).all())
    assert world.request(gift_id=gifts[SANTI]).status_code == 302
    assert world.request(gift_id=gifts[HUOZHE]).status_code == 302
    resp = world.request(gift_id=gifts[HONGLOU])
    text = resp.get_data(as_text=True)
    assert resp.status_code == 403 and "每收到两本书" in text
    assert "已经收到 <strong>0</strong> 本，等待中 <strong>2</strong> 本，送出 <strong>0</strong> 本" in text
    assert "再送出 <strong>1</strong> 本" in text
    assert world.bob.get(f"/gifts/{gifts[HONGLOU]}/request").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Drift)) == 2
    assert world.user("鲍勃").beans == Decimal("3")
    first = db.session.scalar(select(Drift.id).where(Drift.gift_id == gifts[SANTI]))
    world.to(first, PendingStatus.RECEIVED)
    assert world.request(gift_id=gifts[HONGLOU]).status_code == 403  # received 1 + waiting 1
    second = db.session.scalar(select(Drift.id).where(Drift.gift_id == gifts[HUOZHE]))
    world.bob.post(f"/drift/{second}/withdraw")
    assert world.request(gift_id=gifts[HONGLOU]).status_code == 302

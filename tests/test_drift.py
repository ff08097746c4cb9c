"""Drifts (鱼漂): requesting a gift, mailing, rejecting, withdrawing, beans."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.libs.enums import PendingStatus
from app.models.base import db
from app.models.bean_ledger import BeanLedger, ledger_sum
from app.models.drift import Drift
from app.models.gift import Gift
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
    assert "等待对方邮寄" in bob_page and "撤回" in bob_page
    assert "等待你邮寄" in alice_page and "已邮寄" in alice_page and "拒绝" in alice_page
    assert "中关村大街" in alice_page and "13800138000" in alice_page


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
    assert message["Subject"] == "[鱼书] 有人想要一本书" and message["To"] == "alice@example.com"
    assert "/pending" in message.get_body(preferencelist=("plain",)).get_content()


def test_mailed_completes_the_trade(world):
    """Mailing pays the gifter, launches the gift and the wish, counts the trade."""
    world.request()
    did = world.drift().id
    assert world.alice.post(f"/drift/{did}/mailed").status_code == 302
    assert world.drift().pending == PendingStatus.SUCCESS
    alice, bob = world.user("爱丽丝"), world.user("鲍勃")
    assert alice.beans == Decimal("1.5") and bob.beans == Decimal("0")
    assert (alice.send_counter, bob.receive_counter) == (1, 1)
    assert db.session.get(Gift, world.gift_id).launched
    assert db.session.scalar(select(Wish.launched).where(Wish.uid == bob.id, Wish.isbn == SANTI))
    assert "你已邮寄，交易完成" in world.alice.get("/pending").get_data(as_text=True)
    assert "对方已邮寄" in world.bob.get("/pending").get_data(as_text=True)
    assert SANTI not in world.alice.get("/my/gifts").get_data(as_text=True)


def test_reject_refunds_the_requester(world):
    """The gifter's reject returns the bean and hides the address from the gifter."""
    world.request()
    did = world.drift().id
    assert world.alice.post(f"/drift/{did}/reject").status_code == 302
    assert world.drift().pending == PendingStatus.REJECT
    assert world.user("鲍勃").beans == Decimal("1")
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


@pytest.mark.parametrize("who, action", [
    ("carol", "mailed"), ("carol", "reject"), ("carol", "withdraw"),
    ("bob", "mailed"), ("bob", "reject"), ("alice", "withdraw")])
def test_wrong_party_gets_404_and_nothing_changes(world, who, action):
    """Only the gifter may mail or reject and only the requester may withdraw."""
    world.request()
    did = world.drift().id
    with unchanged():
        assert getattr(world, who).post(f"/drift/{did}/{action}").status_code == 404
    assert world.drift().pending == PendingStatus.WAITING


@pytest.mark.parametrize("first, second, client_of_second", [
    ("reject", "mailed", "alice"), ("mailed", "reject", "alice"), ("withdraw", "mailed", "alice"),
    ("mailed", "withdraw", "bob"), ("mailed", "mailed", "alice")])
def test_stale_transition_is_409(world, first, second, client_of_second):
    """A drift no longer Waiting refuses every transition with 409 and changes nothing."""
    world.request()
    did = world.drift().id
    first_client = world.bob if first == "withdraw" else world.alice
    assert first_client.post(f"/drift/{did}/{first}").status_code == 302
    state, beans = world.drift().pending, [world.user(n).beans for n in ("爱丽丝", "鲍勃")]
    resp = getattr(world, client_of_second).post(f"/drift/{did}/{second}")
    assert resp.status_code == 409 and "状态" in resp.get_data(as_text=True)
    assert world.drift().pending == state
    assert [world.user(n).beans for n in ("爱丽丝", "鲍勃")] == beans


def test_unknown_drift_is_404(world):
    """A drift id that does not exist is a 404 for every action."""
    for action in ("mailed", "reject"):
        assert world.alice.post(f"/drift/999/{action}").status_code == 404
    assert world.bob.post("/drift/999/withdraw").status_code == 404


def test_transitions_are_post_only(world):
    """GET on a transition route is refused and changes nothing."""
    world.request()
    did = world.drift().id
    assert world.alice.get(f"/drift/{did}/mailed").status_code == 405
    assert world.drift().pending == PendingStatus.WAITING


def test_mailed_rejects_other_waiting_requests(world):
    """Mailing to one requester rejects the others for that gift and refunds them."""
    world.carol.post(f"/gifts/book/{HUOZHE}")
    world.carol.post(f"/gifts/book/{HONGLOU}")
    world.request()
    bob_drift = world.drift().id
    world.request(client=world.carol)
    carol_drift = world.drift().id
    assert world.user("卡罗尔").beans == Decimal("0")
    world.alice.post(f"/drift/{bob_drift}/mailed")
    assert db.session.get(Drift, carol_drift).pending == PendingStatus.REJECT
    assert world.user("卡罗尔").beans == Decimal("1")
    reasons = db.session.scalars(select(BeanLedger.reason).where(
        BeanLedger.drift_id == carol_drift).order_by(BeanLedger.id)).all()
    assert reasons == ["request", "refund_reject"]


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
                                 pending=PendingStatus.SUCCESS))
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


def test_gifter_no_longer_sees_a_closed_requests_address(world):
    """Once withdrawn or rejected, a request's address and phone leave the gifter's
    page; each requester still sees their own."""
    world.carol.post(f"/gifts/book/{HUOZHE}")
    world.carol.post(f"/gifts/book/{HONGLOU}")
    world.request()
    bob_drift = world.drift().id
    world.request(client=world.carol, address="上海市徐汇区漕溪北路 595 号 12 楼")
    assert "漕溪北路" in world.alice.get("/pending").get_data(as_text=True)
    world.bob.post(f"/drift/{bob_drift}/withdraw")
    page = world.alice.get("/pending").get_data(as_text=True)
    assert "对方已撤回" in page and "中关村大街" not in page and "漕溪北路" in page
    world.alice.post(f"/drift/{world.drift().id}/reject")
    page = world.alice.get("/pending").get_data(as_text=True)
    assert "漕溪北路" not in page and "中关村大街" not in page and "13800138000" not in page
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
    world.alice.post(f"/drift/{first}/mailed")
    assert world.request(gift_id=gifts[HONGLOU]).status_code == 403  # received 1 + waiting 1
    second = db.session.scalar(select(Drift.id).where(Drift.gift_id == gifts[HUOZHE]))
    world.bob.post(f"/drift/{second}/withdraw")
    assert world.request(gift_id=gifts[HONGLOU]).status_code == 302

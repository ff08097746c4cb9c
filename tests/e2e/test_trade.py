"""Journeys 2 and 4: A lists a gift; B registers, earns beans, wishes for
another book and requests A's gift with an address; A accepts (and only then
sees the address) and mails it; B confirms receipt. At every step the party
who must act sees the navigation badge and the notice, and both see the right
status and beans. Run at desktop size and again at phone size, each
with its own people and books; both runs save the reviewers' screenshots."""
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.e2e.site import DESKTOP, PHONE, Person, Size
from tests.helpers import BAINIAN, HONGLOU, HUOZHE, PYTHON, SANTI, SANTI2, numbered_books

PASSWORD = "fish-and-books-42"
ADDRESS = {"收件人姓名": "王小明", "邮寄地址": "北京市海淀区中关村大街 27 号 3 单元 501",
           "留言": "谢谢你，我会好好读的！"}
GENERATED = [(b["isbn"], b["title"]) for b in numbered_books(2)]


@dataclass(frozen=True)
class Cast:
    """Who takes part and which books they use, so the two runs never meet."""
    size: Size
    gifter: tuple[str, str]              # (email, nickname)
    taker: tuple[str, str]
    gift: tuple[str, str]               # (isbn, title) the gifter lists and the taker requests
    earn: list[tuple[str, str]]         # two books the taker lists to earn one bean
    wish: tuple[str, str]


CASTS = [
    Cast(DESKTOP, ("lin@example.com", "林小满"), ("zhou@example.com", "周一鸣"),
         (SANTI, "三体"), [(BAINIAN, "百年孤独"), (HONGLOU, "红楼梦")],
         (HUOZHE, "活着")),
    Cast(PHONE, ("chen@example.com", "陈思远"), ("wang@example.com", "王晓雨"),
         (SANTI2, "三体Ⅱ"), GENERATED, (PYTHON, "Python编程")),
]


def list_gift(reader: Person, isbn: str, title: str) -> None:
    reader.open_book(isbn, title)
    reader.page.get_by_role("button", name="赠送此书").click()
    reader.flash("已添加至赠送清单，获得 0.5 个鱼豆")
    expect(reader.page.locator(".status-note")).to_contain_text("已添加至赠送清单")


def add_wish(reader: Person, isbn: str, title: str) -> None:
    reader.open_book(isbn, title)
    reader.page.get_by_role("button", name="加入到心愿清单").click()
    reader.flash("已添加至心愿清单")
    expect(reader.page.locator(".status-note")).to_contain_text("已添加至心愿清单")


def drift_card(reader: Person, title: str):
    return reader.page.locator("[data-drift]").filter(has_text=f"《{title}》")


def badge(reader: Person, testid: str):
    """A count in the main navigation (``waiting-count`` or ``unread-count``)."""
    reader.open_menu()
    return reader.page.get_by_role("navigation", name="主导航").get_by_test_id(testid)


@pytest.mark.parametrize("cast", CASTS, ids=[c.size.name for c in CASTS])
def test_gift_requested_accepted_mailed_and_received(person, problems, cast):
    """A gift travels from lister to requester through accept, mailed and received; badges, notices, address, statuses and beans agree on both sides (desktop and 360 px phone)."""
    gifter, taker = person(cast.size), person(cast.size)
    gift_isbn, gift_title = cast.gift

    # A registers and lists a gift (+0.5 beans).
    gifter.register(cast.gifter[0], cast.gifter[1], PASSWORD)
    list_gift(gifter, gift_isbn, gift_title)

    # B registers and finds A among the gifters, but has no bean yet.
    taker.register(cast.taker[0], cast.taker[1], PASSWORD)
    taker.open_book(gift_isbn, gift_title)
    gifters = taker.page.get_by_role("region", name="可以赠送这本书的人")
    expect(gifters).to_contain_text(cast.gifter[1])
    taker.shoot("book-detail")
    # The page says why instead of offering a button that leads to a refusal.
    expect(gifters.get_by_role("link", name="向 TA 请求此书")).to_have_count(0)
    expect(gifters.get_by_test_id("cannot-request")).to_contain_text("你现在有 0 个鱼豆")

    # B earns a bean by listing two books, and wishes for another one.
    for isbn, title in cast.earn:
        list_gift(taker, isbn, title)
    add_wish(taker, *cast.wish)

    # B requests A's gift; a wrong mobile number is shown next to its field first.
    taker.open_book(gift_isbn, gift_title)
    taker.page.get_by_role("link", name="向 TA 请求此书").click()
    form = taker.page.locator("main form")
    expect(taker.page.get_by_role("heading", level=1)).to_have_text(f"向 {cast.gifter[1]} 请求此书")
    for label, value in ADDRESS.items():
        form.get_by_label(label).fill(value)
    form.get_by_label("手机号").fill("12345")
    form.get_by_role("button", name="发出请求").click()
    mobile = form.get_by_label("手机号")
    expect(mobile).to_have_attribute("aria-invalid", "true")
    expect(mobile).to_have_accessible_description(re.compile("请输入正确的手机号"))
    expect(form.get_by_label("邮寄地址")).to_have_value(ADDRESS["邮寄地址"])
    taker.shoot("request-form-error")
    mobile.fill("13800138000")
    form.get_by_role("button", name="发出请求").click()
    taker.flash("请求已发出，等待对方回应。已扣除 1 个鱼豆")
    expect(drift_card(taker, gift_title).locator(".drift-status")).to_have_text("等待对方回应")
    expect(badge(taker, "waiting-count")).to_have_count(0)  # nothing waits on B now

    # A is told: a badge on 鱼漂 and 通知, and the notice itself.
    gifter.nav("赠送清单")
    expect(gifter.page.locator(".book-card").filter(has_text=gift_title)).to_contain_text("有待处理的鱼漂")
    gifter.shoot("my-gifts")
    expect(badge(gifter, "waiting-count")).to_contain_text("1")
    expect(badge(gifter, "unread-count")).to_be_visible()
    gifter.nav("通知", exact=False)
    expect(gifter.page.locator(".notice-unread")).to_contain_text(f"{cast.taker[1]} 想要你的《{gift_title}》")
    gifter.shoot("notices")

    # A sees the request on 鱼漂 without the address, accepts, then sees it.
    gifter.nav("鱼漂", exact=False)
    card = drift_card(gifter, gift_title)
    expect(card.locator(".drift-status")).to_have_text("等待你回应")
    expect(card).not_to_contain_text(ADDRESS["邮寄地址"])
    expect(card).not_to_contain_text("13800138000")
    gifter.shoot("pending")
    card.get_by_role("button", name="同意").click()
    dialog = gifter.page.get_by_role("dialog", name="请确认")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"《{gift_title}》")
    gifter.shoot("confirm-dialog")
    dialog.get_by_role("button", name="同意").click()
    gifter.flash("已同意")
    expect(card.locator(".drift-status")).to_have_text("你已同意，请寄出")
    expect(card).to_contain_text(ADDRESS["邮寄地址"])
    expect(card).to_contain_text("13800138000")
    expect(badge(gifter, "waiting-count")).to_contain_text("1")  # mailing is A's turn now

    # A mails it with a tracking note; nothing waits on A any more.
    card.get_by_label("快递单号或备注（可不填）").fill("SF1234567890")
    card.get_by_role("button", name="已寄出").click()
    gifter.flash("已标记为寄出，等待对方确认收到")
    expect(card.locator(".drift-status")).to_have_text("你已寄出，等待对方确认收到")
    expect(card.locator(".drift-tracking")).to_contain_text("SF1234567890")
    expect(badge(gifter, "waiting-count")).to_have_count(0)
    assert gifter.beans() == "0.5 个鱼豆"  # paid on receipt, not on mailing

    # B is told it is on its way, and confirms receipt; B's badge goes away.
    taker.go("/")
    expect(badge(taker, "waiting-count")).to_contain_text("1")
    expect(badge(taker, "unread-count")).to_be_visible()
    taker.nav("通知", exact=False)
    notices = taker.page.locator(".notices")
    expect(notices).to_contain_text(f"{cast.gifter[1]} 已寄出《{gift_title}》")
    expect(notices).to_contain_text(f"{cast.gifter[1]} 同意把《{gift_title}》送给你")
    taker.page.get_by_role("button", name="全部标为已读").click()
    expect(taker.page.locator(".notice-unread")).to_have_count(0)
    expect(badge(taker, "unread-count")).to_have_count(0)
    taker.nav("鱼漂", exact=False)
    card = drift_card(taker, gift_title)
    expect(card.locator(".drift-status")).to_have_text("对方已寄出")
    expect(card.locator(".drift-tracking")).to_contain_text("SF1234567890")
    card.get_by_text("没收到或有损坏？报告问题").click()  # the problem form, for the audit; not sent
    expect(card.get_by_role("button", name="报告问题")).to_be_visible()
    taker.shoot("pending-mailed")
    card.get_by_role("button", name="确认收到").click()
    dialog = taker.page.get_by_role("dialog", name="请确认")
    expect(dialog).to_contain_text(f"《{gift_title}》")
    dialog.get_by_role("button", name="确认收到").click()
    taker.flash("已确认收到，交易完成")
    expect(card.locator(".drift-status")).to_have_text("你已收到，交易完成")
    expect(badge(taker, "waiting-count")).to_have_count(0)
    assert taker.beans() == "0 个鱼豆"
    ledger = taker.page.get_by_role("table")
    expect(ledger).to_contain_text("-1 个鱼豆")
    expect(ledger).to_contain_text("+0.5 个鱼豆")
    taker.nav("心愿清单")
    expect(taker.page.get_by_role("link", name=cast.wish[1], exact=True)).to_be_visible()

    # A is told of the receipt and now has the reward.
    gifter.go("/")
    expect(badge(gifter, "unread-count")).to_be_visible()
    gifter.nav("通知", exact=False)
    expect(gifter.page.locator(".notice-unread").first).to_contain_text(f"{cast.taker[1]} 已收到《{gift_title}》")
    gifter.nav("鱼漂", exact=False)
    expect(drift_card(gifter, gift_title).locator(".drift-status")).to_have_text("对方已收到，交易完成")
    assert gifter.beans() == "1.5 个鱼豆"
    gifter.shoot("personal")

    # Pages for reviewers: the home page now lists B's gifts; a paged search.
    taker.page.get_by_role("link", name="鱼书", exact=True).click()
    recent = taker.page.get_by_role("region", name="最近的赠书")
    for _isbn, title in cast.earn:
        expect(recent.get_by_role("link", name=title, exact=True)).to_be_visible()
    taker.shoot("home")
    taker.search("测试书")
    expect(taker.page.get_by_role("navigation", name="搜索结果分页")).to_be_visible()
    taker.shoot("search-results")

"""The confirmation step before withdrawing, driven from the keyboard."""
from playwright.sync_api import expect

from tests.helpers import numbered_books

BOOK = numbered_books(3)[-1]  # 测试书 03: used by no other journey


def test_withdrawing_a_gift_asks_first_and_cancel_keeps_it(person):
    """撤回 opens a dialog; Escape cancels (focus returns to 撤回), 撤回 in the dialog withdraws."""
    reader = person()
    page = reader.page
    reader.register("careful@example.com", "谨慎的书友", "think-twice-31")
    reader.open_book(BOOK["isbn"], BOOK["title"])
    page.get_by_role("button", name="赠送此书").click()
    reader.flash("已添加至赠送清单")
    reader.nav("赠送清单")

    withdraw = page.locator(".book-card").filter(has_text=BOOK["title"]).get_by_role("button", name="撤回")
    withdraw.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="请确认")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"确定要把《{BOOK['title']}》从赠送清单撤回吗？")
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(withdraw).to_be_focused()
    expect(page.locator(".book-card")).to_have_count(1)

    withdraw.click()
    dialog.get_by_role("button", name="撤回").click()
    reader.flash("已从赠送清单撤回")
    expect(page.get_by_text("还没有赠送的书")).to_be_visible()
    expect(page.get_by_role("search").get_by_label("搜索一本想赠送的书")).to_be_visible()
    reader.shoot("my-gifts-empty")

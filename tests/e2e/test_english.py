"""An English reader's journey on a phone: the browser asks for English, so
every page, button, dialog and flash is English; the gifter reads Chinese on
a desktop at the same time; the footer switch changes the language both
ways. Screenshots of the home, book and personal pages in each language."""
import re

from playwright.sync_api import expect

from tests.e2e.site import DESKTOP, PHONE, Person
from tests.helpers import numbered_books
from tests.i18n_helpers import book_texts, chinese_left

PASSWORD = "fish-and-books-42"
READER = ("ella@example.com", "Ella")
GIFTER = ("ming@example.com", "明月")
# Books no other browser test lists (the site is shared by the whole session).
GIFT, EARN_1, EARN_2 = ((book["isbn"], book["title"]) for book in numbered_books(40)[30:33])
ADDRESS = {"Recipient's name": "Ella Smith", "Mailing address": "12 Garden Road, Haidian, Beijing 100080",
           "Mobile number": "13800138000", "Message": "Thank you, I will read it with care!"}


def english_person(person) -> Person:
    """A phone whose browser asks for English (Accept-Language: en-US)."""
    return person(PHONE, locale="en-US")


def open_menu(reader: Person) -> None:
    toggler = reader.page.get_by_role("button", name="Open the navigation menu")
    if toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    expect(reader.page.locator("#nav-links")).to_be_visible()


def nav(reader: Person, name: str) -> None:
    open_menu(reader)
    reader.page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=name).click()
    reader.settle()


def flash(reader: Person, text: str) -> None:
    expect(reader.page.locator(".alert").filter(has_text=text)).to_be_visible()


def no_chinese(reader: Person, *allowed: str, cards: bool = True) -> None:
    """Nothing Chinese on the page but book data, the other party's name and
    the switch's 中文. ``cards=False`` leaves out the book cards, which on a
    page shared by the whole session hold other tests' books and people."""
    page = reader.page.content() if cards else reader.page.evaluate(
        "() => { const copy = document.documentElement.cloneNode(true);"
        " copy.querySelectorAll('.book-card').forEach(card => card.remove()); return copy.outerHTML; }")
    left = chinese_left(page, allowed=[GIFTER[1], *book_texts(numbered_books(40)), *allowed])
    where = [page[max(0, page.find(run) - 120):page.find(run) + 40] for run in left]
    assert left == [], f"{reader.page.url}: {left} in {where}"


def register(reader: Person) -> None:
    reader.go("/")
    nav(reader, "Sign up")
    reader.page.get_by_label("Email").fill(READER[0])
    reader.page.get_by_label("Nickname").fill(READER[1])
    reader.page.get_by_label("Password", exact=True).fill(PASSWORD)
    reader.page.get_by_role("button", name="Sign up").click()
    flash(reader, "You are signed up. Welcome to Fisher!")


def list_gift(reader: Person, isbn: str) -> None:
    reader.go(f"/book/{isbn}/detail")
    reader.page.get_by_role("button", name="Give this book").click()
    flash(reader, "Added to your gifts; you earned 0.5 beans")


def test_english_reader_on_a_phone_requests_and_receives_a_book(person):
    """In English on a 360 px phone: sign up, earn beans, request a Chinese gifter's book, accept (in Chinese), confirm receipt."""
    gifter, reader = person(DESKTOP), english_person(person)
    gifter.register(GIFTER[0], GIFTER[1], PASSWORD)
    gifter.open_book(*GIFT)
    gifter.page.get_by_role("button", name="赠送此书").click()
    gifter.flash("已添加至赠送清单，获得 0.5 个鱼豆")

    reader.go("/")
    assert reader.page.locator("html").get_attribute("lang") == "en"
    recent = reader.page.get_by_role("region", name="Recent gifts")
    expect(recent.locator(".book-card").filter(has_text=GIFT[1])).to_contain_text(f"given by {GIFTER[1]}")
    no_chinese(reader, cards=False)
    reader.shoot("en-home")
    register(reader)
    for isbn, _title in (EARN_1, EARN_2):
        list_gift(reader, isbn)

    reader.go(f"/book/{GIFT[0]}/detail")
    gifters = reader.page.get_by_role("region", name="People who can give this book")
    expect(gifters).to_contain_text(GIFTER[1])
    no_chinese(reader)
    reader.shoot("en-book")
    gifters.get_by_role("link", name="Request this book from them").click()
    form = reader.page.locator("main form")
    for label, value in ADDRESS.items():
        form.get_by_label(label).fill(value)
    form.get_by_label("Mobile number").fill("12345")
    form.get_by_role("button", name="Send the request").click()
    mobile = form.get_by_label("Mobile number")
    expect(mobile).to_have_attribute("aria-invalid", "true")
    no_chinese(reader)
    mobile.fill(ADDRESS["Mobile number"])
    form.get_by_role("button", name="Send the request").click()
    card = reader.page.locator("[data-drift]").filter(has_text=GIFT[1])
    expect(card.locator(".drift-status")).to_have_text("Waiting for the gifter to answer")
    no_chinese(reader)

    # The gifter, in Chinese, accepts: the dialog and the page stay Chinese for them.
    gifter.nav("鱼漂", exact=False)
    gifter_card = gifter.page.locator("[data-drift]").filter(has_text=f"《{GIFT[1]}》")
    gifter_card.get_by_role("button", name="同意").click()
    gifter.page.get_by_role("dialog", name="请确认").get_by_role("button", name="同意").click()
    expect(gifter_card.locator(".drift-status")).to_have_text("你已同意，请寄出")
    gifter_card.get_by_role("button", name="已寄出").click()
    expect(gifter_card.locator(".drift-status")).to_have_text("你已寄出，等待对方确认收到")

    # The reader confirms receipt through the English dialog.
    nav(reader, "Drifts")
    card = reader.page.locator("[data-drift]").filter(has_text=GIFT[1])
    expect(card.locator(".drift-status")).to_have_text("Mailed by the gifter")
    card.get_by_role("button", name="Confirm receipt").click()
    dialog = reader.page.get_by_role("dialog", name="Please confirm")
    expect(dialog).to_be_visible()
    no_chinese(reader)
    dialog.get_by_role("button", name="Confirm receipt").click()
    expect(card.locator(".drift-status")).to_have_text("You received it; the drift is complete")
    nav(reader, "Notices")
    expect(reader.page.locator(".notices")).to_contain_text(GIFTER[1])
    no_chinese(reader)
    open_menu(reader)
    reader.page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=re.compile(READER[1])).click()
    expect(reader.page.get_by_test_id("beans")).to_have_text("0 beans")
    no_chinese(reader)
    reader.shoot("en-personal")

    # The footer switch: Chinese, then English again, remembered on the account.
    reader.page.get_by_role("button", name="中文").click()
    assert reader.page.locator("html").get_attribute("lang") == "zh-CN"
    expect(reader.page.get_by_test_id("beans")).to_have_text("0 个鱼豆")
    reader.shoot("zh-personal")
    reader.go(f"/book/{GIFT[0]}/detail")
    reader.shoot("zh-book")
    reader.go("/")
    reader.shoot("zh-home")
    reader.page.get_by_role("button", name="English").click()
    assert reader.page.locator("html").get_attribute("lang") == "en"

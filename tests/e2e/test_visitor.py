"""Journey 1: a visitor searches by keyword and by ISBN, pages through the
results and opens a book, without an account."""
import re

from playwright.sync_api import expect

from tests.e2e.conftest import BROKEN_COVER, GENERATED_BOOKS
from tests.helpers import SANTI


def test_visitor_searches_pages_and_opens_a_book(person):
    """Keyword search pages 1 → 2 → 3 → 2, an ISBN with hyphens finds 三体, and its page shows every fact."""
    visitor = person()
    page = visitor.page
    visitor.go("/")
    expect(page).to_have_title("首页 · 鱼书")
    hero = page.get_by_role("search").filter(has=page.locator("#home-q"))
    hero.get_by_label("搜索书籍").fill("测试书")
    hero.get_by_role("button", name="搜索").click()

    results = page.get_by_role("heading", level=1)
    expect(results).to_contain_text("“测试书” 的搜索结果")
    expect(results).to_contain_text(f"共 {GENERATED_BOOKS} 本，第 1 / 3 页")
    pages = page.get_by_role("navigation", name="搜索结果分页")
    expect(pages.locator("[aria-current=page]")).to_have_text("第 1 页")
    expect(page.locator(".book-card")).to_have_count(15)
    expect(page.get_by_role("link", name="测试书 01", exact=True)).to_be_visible()

    pages.get_by_role("link", name="下一页").click()
    expect(pages.locator("[aria-current=page]")).to_have_text("第 2 页")
    expect(page.get_by_role("link", name="测试书 16", exact=True)).to_be_visible()
    pages.get_by_role("link", name="第 3 页").click()
    expect(results).to_contain_text("第 3 / 3 页")
    expect(page.locator(".book-card")).to_have_count(GENERATED_BOOKS - 30)
    expect(pages.get_by_role("link", name="下一页")).to_have_count(0)
    pages.get_by_role("link", name="上一页").click()
    expect(page).to_have_url(re.compile(r"page=2$"))

    visitor.search("978-7-5366-9293-0")
    expect(results).to_contain_text("共 1 本")
    page.get_by_role("link", name="三体", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/book/{SANTI}/detail$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("三体")
    facts = page.locator("dl.book-facts")
    for label, value in (("作者", "刘慈欣"), ("出版社", "重庆出版社"), ("ISBN", SANTI)):
        expect(facts).to_contain_text(label)
        expect(facts).to_contain_text(value)
    cover = page.get_by_role("img", name="《三体》封面")
    expect(cover).to_have_attribute("src", re.compile(rf"^/covers/drawn/{SANTI}.svg"))
    assert cover.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_role("link", name="登录后赠送或请求此书")).to_be_visible()


def test_a_cover_that_cannot_load_is_drawn_instead(person):
    """A book image that fails to load is replaced by the placeholder drawn at /covers/drawn/<isbn>.svg."""
    visitor = person()
    visitor.go("/")
    visitor.search(BROKEN_COVER["title"])
    cover = visitor.page.locator(f"img[alt='《{BROKEN_COVER['title']}》封面']")
    expect(cover).to_have_attribute("src", re.compile(rf"^/covers/drawn/{BROKEN_COVER['isbn']}.svg\?"))
    expect(cover).to_have_js_property("complete", True)
    assert cover.evaluate("img => img.naturalWidth") > 0

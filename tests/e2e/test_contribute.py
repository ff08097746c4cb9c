"""Journey: a book no source knows. 林书 searches its ISBN, is offered to add
it, adds it with a cover photo, and lists her copy with its condition; 高远
finds it by the pinyin of its title, sees the condition, and requests it."""
import io
import re

from PIL import Image
from playwright.sync_api import expect

from tests.e2e.site import DESKTOP
from tests.helpers import isbn13, numbered_books

PASSWORD = "fish-and-books-42"
ISBN = isbn13("978730255555")
TITLE = "山海茶馆"
EARN = [(b["isbn"], b["title"]) for b in numbered_books(6)[4:]]  # 测试书 05, 06


def photo(tmp_path):
    """A 1500x1000 PNG on disk, as a phone would save it."""
    path = tmp_path / "cover-photo.png"
    buf = io.BytesIO()
    Image.new("RGB", (1500, 1000), (30, 90, 160)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_add_unknown_book_list_it_and_have_it_requested(person, problems, tmp_path):
    """Unknown ISBN → 添加这本书 with a photo → list it with a condition → another user finds it
    by pinyin and requests it."""
    lin, gao = person(DESKTOP), person(DESKTOP)
    lin.register("linshu@example.com", "林书", PASSWORD)

    # The search says no source knows the ISBN and offers to add the book.
    lin.search(ISBN)
    expect(lin.page.locator("main")).to_contain_text(f"还没有哪个书源知道 ISBN {ISBN}")
    lin.page.get_by_test_id("add-book").click()
    lin.settle()
    expect(lin.page.get_by_role("heading", level=1)).to_have_text("添加这本书")
    expect(lin.page.get_by_label("ISBN")).to_have_value(ISBN)

    # A missing title is answered under the field (400); then the whole form goes through.
    problems.allow_page(f"/book/new?isbn={ISBN}", 400)
    lin.page.get_by_role("button", name="添加这本书").click()
    expect(lin.page.get_by_label("书名")).to_have_attribute("aria-invalid", "true")
    lin.shoot("add-book-error")
    lin.page.get_by_label("书名").fill(TITLE)
    lin.page.get_by_label("作者").fill("陆青、沈白")
    lin.page.get_by_label("出版社").fill("山海出版社")
    lin.page.get_by_label("出版时间").fill("2021-3")
    lin.page.get_by_label("页数").fill("256")
    lin.page.get_by_label("封面照片（可不传）").set_input_files(str(photo(tmp_path)))
    lin.page.get_by_role("button", name="添加这本书").click()
    lin.flash("已添加这本书")
    expect(lin.page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(lin.page.get_by_test_id("contributed")).to_contain_text("由 林书 添加")
    cover = lin.page.locator("img.book-cover").first
    expect(cover).to_have_attribute("src", re.compile(rf"/covers/{ISBN}\.jpg"))
    assert lin.page.evaluate("img => img.naturalWidth", cover.element_handle()) == 600

    # She lists her copy with its condition and a note.
    form = lin.page.get_by_test_id("gift-form")
    form.get_by_label("几乎全新").check()
    form.get_by_label("品相说明").fill("扉页有前主人的签名")
    form.get_by_role("button", name="赠送此书").click()
    lin.flash("已添加至赠送清单")
    lin.shoot("contributed-book")

    # 高远 earns a bean, finds the book by pinyin, sees the condition and requests it.
    gao.register("gaoyuan@example.com", "高远", PASSWORD)
    for isbn, title in EARN:
        gao.open_book(isbn, title)
        gao.page.get_by_role("button", name="赠送此书").click()
        gao.flash("已添加至赠送清单")
    gao.search("shanhai chaguan")
    result = gao.page.locator(".book-card").filter(has_text=TITLE)
    expect(result.get_by_test_id("offer-count")).to_have_text("1 人可赠送")
    gao.search("shcg")
    gao.page.get_by_role("link", name=TITLE, exact=True).click()
    gao.settle()
    gifters = gao.page.get_by_role("region", name="可以赠送这本书的人")
    expect(gifters.get_by_test_id("condition")).to_have_text("几乎全新")
    expect(gifters.get_by_test_id("condition-note")).to_have_text("扉页有前主人的签名")

    # The copy is on /gifts too, where the request starts.
    gao.nav("可赠送的书")
    gao.page.get_by_label("有人想要").check()
    gao.page.get_by_role("button", name="筛选").click()
    expect(gao.page.get_by_test_id("offer").filter(has_text=TITLE)).to_have_count(0)  # nobody wants it yet
    gao.page.get_by_label("有人想要").uncheck()
    gao.page.get_by_label("关键字").fill("茶馆")
    gao.page.get_by_role("button", name="筛选").click()
    offer = gao.page.get_by_test_id("offer").filter(has_text=TITLE)
    expect(offer).to_contain_text("林书 赠送")
    gao.shoot("gifts-on-offer")
    offer.get_by_role("link", name="请求此书").click()
    expect(gao.page.get_by_role("heading", level=1)).to_have_text("向 林书 请求此书")
    expect(gao.page.locator("main")).to_contain_text("扉页有前主人的签名")
    form = gao.page.locator("main form")
    form.get_by_label("收件人姓名").fill("高远")
    form.get_by_label("手机号").fill("13900139000")
    form.get_by_label("邮寄地址").fill("上海市徐汇区漕溪北路 595 号")
    form.get_by_role("button", name="发出请求").click()
    gao.flash("请求已发出，等待对方回应。已扣除 1 个鱼豆")

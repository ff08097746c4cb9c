"""Journey 3: a reader forgets the password, follows the link from the
outbox, sets a new one and logs in with it."""
import re

from playwright.sync_api import expect

EMAIL, NICKNAME = "forgetful@example.com", "健忘的书友"
OLD, NEW = "first-secret-77", "second-secret-88"


def reset_link(site, address: str) -> str:
    """The reset link in the newest message to ``address`` in the outbox."""
    messages = site.mail_to(address)
    assert messages, f"no mail to {address} in {site.outbox}"
    body = messages[-1].get_body(preferencelist=("plain",)).get_content()
    links = re.findall(rf"{re.escape(site.url)}/reset/password/\S+", body)
    assert len(links) == 1, body
    return links[0]


def test_forgotten_password_is_reset_from_the_mailed_link(person, problems, site):
    """Request a link, open it from the .eml file, set a new password; the old one stops working and the link works once."""
    reader = person()
    page = reader.page
    reader.register(EMAIL, NICKNAME, OLD)
    reader.log_out()

    reader.nav("登录")
    page.get_by_role("link", name="忘记密码？").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("找回密码")
    page.get_by_label("电子邮件").fill(EMAIL)
    page.get_by_role("button", name="发送重置邮件").click()
    reader.flash("如果该邮箱已注册，一封重置密码的邮件已经发出")

    link = reset_link(site, EMAIL)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("设置新密码")
    page.get_by_label("新密码", exact=True).fill(NEW)
    page.get_by_label("确认新密码").fill(NEW + "x")
    page.get_by_role("button", name="重置密码").click()
    expect(page.get_by_label("确认新密码")).to_have_accessible_description(
        re.compile("两次输入的密码不相同"))
    page.get_by_label("新密码", exact=True).fill(NEW)
    page.get_by_label("确认新密码").fill(NEW)
    page.get_by_role("button", name="重置密码").click()
    reader.flash("你的密码已更新，请使用新密码登录")

    reader.log_in(EMAIL, OLD)
    reader.flash("账号不存在或密码错误")
    reader.shoot("login-error")
    reader.log_in(EMAIL, NEW)
    reader.open_menu()
    expect(page.get_by_role("link", name=re.compile("个人中心"))).to_contain_text(NICKNAME)

    problems.allow_page(link.removeprefix(site.url), 400)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("重置链接无效或已过期")

"""What the browser journeys share: window sizes, the served site, and a
``Person`` who drives fisher through its pages the way a reader would."""
import email
import re
from dataclasses import dataclass
from email import policy
from pathlib import Path

from playwright.sync_api import Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AUDIT_JS = Path(__file__).with_name("audit.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int
    phone: bool = False


DESKTOP = Size("desktop", 1280, 900)
PHONE = Size("phone", 360, 740, phone=True)


@dataclass
class Site:
    """fisher served on a loopback port, with its outbox folder."""
    url: str
    outbox: Path

    def mail_to(self, address: str) -> list[email.message.EmailMessage]:
        """Messages in the outbox addressed to ``address``, oldest first."""
        found = []
        for path in sorted(self.outbox.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                found.append(message)
        return found


class Person:
    """One reader in their own browser context (own cookies), at one window size."""

    def __init__(self, page: Page, site: Site, size: Size):
        self.page, self.site, self.size = page, site, size

    # -- moving around ---------------------------------------------------------

    def go(self, path: str = "/") -> None:
        self.page.goto(self.site.url + path)

    def open_menu(self) -> None:
        """On a phone, open the collapsed navigation first."""
        if not self.size.phone:
            return
        toggler = self.page.get_by_role("button", name="展开导航菜单")
        expect(toggler).to_be_visible()
        if toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
        expect(self.page.locator("#nav-links")).to_be_visible()

    def nav(self, name: str, exact: bool = True) -> None:
        """Follow a link of the main navigation."""
        self.open_menu()
        self.page.get_by_role("navigation", name="主导航").get_by_role(
            "link", name=name, exact=exact).click()
        self.settle()

    def settle(self) -> None:
        """Wait until the page's scripts ran (the confirmation dialog needs
        fisher.js): on a busy machine a click can come before they load."""
        self.page.wait_for_load_state("load")

    def search(self, query: str) -> None:
        """Search from the box in the navigation bar."""
        self.open_menu()
        box = self.page.get_by_role("navigation", name="主导航").get_by_label("搜索书籍")
        box.fill(query)
        box.press("Enter")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(query)

    def open_book(self, isbn: str, title: str) -> None:
        """Find a book by ISBN and open its page."""
        self.search(isbn)
        self.page.get_by_role("link", name=title, exact=True).click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(title)
        self.settle()

    def flash(self, text: str) -> None:
        """A flash message saying ``text`` is shown."""
        expect(self.page.locator(".flashes")).to_contain_text(text)
        self.settle()

    # -- accounts --------------------------------------------------------------

    def register(self, email_address: str, nickname: str, password: str) -> None:
        self.go("/")
        self.nav("注册")
        self.page.get_by_label("电子邮件").fill(email_address)
        self.page.get_by_label("昵称").fill(nickname)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_role("button", name="注册").click()
        self.flash("注册成功，欢迎来到鱼书")
        self.open_menu()
        expect(self.page.get_by_role("link", name=re.compile("个人中心"))).to_contain_text(nickname)

    def log_in(self, email_address: str, password: str) -> None:
        self.page.get_by_label("电子邮件").fill(email_address)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_role("button", name="登录").click()

    def log_out(self) -> None:
        self.open_menu()
        self.page.get_by_role("button", name="退出").click()
        self.flash("你已退出登录")

    def beans(self) -> str:
        """The balance on the personal page."""
        self.nav("个人中心", exact=False)
        return self.page.get_by_test_id("beans").inner_text().strip()

    # -- pages for reviewers ---------------------------------------------------

    def shoot(self, name: str) -> None:
        """Run audit.js (labels, alt text, names, width, contrast), then save a full-page screenshot."""
        self.settle()
        issues = self.page.evaluate(AUDIT_JS)
        assert isinstance(issues, list), issues
        assert not issues, f"{self.size.name} {name}: " + "; ".join(issues)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{self.size.name}-{name}.png", full_page=True)

"""Drawn covers in the browser: every line of text stays inside the cover at
the sizes the pages show it, and screenshots of result and book pages with
English and Chinese titles for reviewers."""
import pytest
from playwright.sync_api import expect

from app import create_app
from app.models.base import db
from tests.conftest import make_config
from tests.e2e.problems import with_strict_csp
from tests.e2e.site import AUDIT_JS, DESKTOP, SCREENSHOTS, Site, Size
from tests.helpers import add_books, book_record, isbn13
from tests.live import serve

PHONE_390 = Size("phone390", 390, 844, phone=True)
EN_PRESS, ZH_PRESS = "Covertest Press", "封面测试出版社"
ENGLISH = [
    book_record(isbn13("978000000001"), "The Great Gatsby", author=["F. Scott Fitzgerald"], publisher=EN_PRESS),
    book_record(isbn13("978000000002"), "Harry Potter and the Philosopher's Stone", author=["J. K. Rowling"],
                publisher=EN_PRESS),
    book_record(isbn13("978000000003"), "Pneumonoultramicroscopicsilicovolcanoconiosis Explained",
                author=["Alexander Maximilian Wolfgang Oppenheimer-Rothschild"], publisher=EN_PRESS),
    book_record(isbn13("978000000004"), "It", author=["Stephen King"], publisher=EN_PRESS),
    book_record(isbn13("978000000005"), "Mmmm WWWW: <script>alert(1)</script> & \"quotes\"",
                author=["A & B", "<i>C</i>", "D", "E", "F", "G", "H", "I", "J"], publisher=EN_PRESS),
]
CHINESE = [
    book_record(isbn13("978000000011"), "霍乱时期的爱情", author=["加西亚·马尔克斯"], publisher=ZH_PRESS),
    book_record(isbn13("978000000012"), "Python编程：从入门到实践", author=["Eric Matthes"], publisher=ZH_PRESS),
    book_record(isbn13("978000000013"), "中华人民共和国民法典释义及适用指南：合同编（上下册）",
                author=["编写组甲", "编写组乙", "编写组丙", "编写组丁", "编写组戊"], publisher=ZH_PRESS),
    book_record(isbn13("978000000014"), "三体", author=["刘慈欣"], publisher=ZH_PRESS),
]
BOOKS = ENGLISH + CHINESE


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """fisher with the cover test books (none has a stored cover, so every
    page shows the drawn one), under the same strict CSP as the other journeys."""
    folder = tmp_path_factory.mktemp("e2e-covers")
    app = create_app(make_config(
        folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'covers.sqlite'}",
        OUTBOX_DIR=str(folder / "outbox"), MAIL_SERVER=None, COVERS_DIR=str(folder / "covers")))
    with app.app_context():
        db.create_all()
        add_books(BOOKS)
    app.wsgi_app = with_strict_csp(app.wsgi_app)
    with serve(app) as url:
        yield Site(url, folder / "outbox")
    with app.app_context():
        db.engine.dispose()


def _shoot(visitor, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.wait_for_load_state("load")
    for _ in range(100):  # wait_for_function evaluates a string, which the strict CSP forbids
        if visitor.page.evaluate("() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"):
            break
        visitor.page.wait_for_timeout(100)
    issues = visitor.page.evaluate(AUDIT_JS)  # labels, contrast, and no page wider than the window
    assert issues == [], f"{visitor.size.name} {name}: " + "; ".join(issues)
    visitor.page.screenshot(path=SCREENSHOTS / f"covers-{visitor.size.name}-{name}.png", full_page=True)


@pytest.mark.parametrize("size", [DESKTOP, PHONE_390], ids=lambda s: s.name)
def test_screenshots_of_results_and_book_pages(person, size):
    """Search results and book pages with English and Chinese titles show drawn covers (screenshots saved)."""
    visitor = person(size)
    for lang, press, book in (("en", EN_PRESS, ENGLISH[1]), ("zh", ZH_PRESS, CHINESE[1])):
        visitor.go(f"/book/search?q={press}")
        expect(visitor.page.locator(".book-card")).to_have_count(len(ENGLISH if lang == "en" else CHINESE))
        _shoot(visitor, f"search-{lang}")
        visitor.go(f"/book/{book['isbn']}/detail")
        expect(visitor.page.get_by_role("heading", level=1)).to_have_text(book["title"])
        _shoot(visitor, f"book-{lang}")


# Titles that push the estimates: wide capitals, narrow letters, digits,
# emoji, full-width Latin and a title whose every word is long.
HARD_TITLES = [
    ("WWWWWWW MMMMMMM WWWWWW", "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"),
    ("illicit lilliput iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii", "lll iii"),
    ("0123456789 9876543210 1234567890123", "1984"),
    ("🐟📚 Emoji 👨‍👩‍👧 书 🇨🇳🇨🇳🇨🇳", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"),
    ("ＦＵＬＬＷＩＤＴＨ　ｌａｔｉｎ", "Ｗｉｄｅ Ａｕｔｈｏｒ"),
    ("Extraordinarily Incomprehensible Characteristically Uncharacteristic", "Q. Z."),
    ("", ""),
]
CARD, PAGE = 80, 220  # px: .book-cover-sm on result cards, .book-cover-lg on the book page


def _cover_queries():
    for book in BOOKS:
        yield book["isbn"], book["title"], "、".join(book["author"])
    for n, (title, author) in enumerate(HARD_TITLES):
        yield isbn13(f"97800000010{n}"), title, author


def test_drawn_cover_text_stays_inside_the_cover(person, site):
    """Every <text> of every drawn cover, rendered by Chromium at card and page size, lies inside the frame."""
    visitor = person(DESKTOP)
    page = visitor.page
    svgs = []
    for isbn, title, author in _cover_queries():
        resp = page.request.get(f"{site.url}/covers/drawn/{isbn}.svg", params={"title": title, "author": author})
        assert resp.ok, (title, resp.status)
        svgs.append((title, resp.text()))
    visitor.go("/")  # the site's own origin, its fonts and CSP
    results = page.evaluate(
        """([svgs, sizes]) => {
            const parser = new DOMParser();
            const out = [];
            for (const [title, source] of svgs) {
              for (const px of sizes) {
                const svg = document.importNode(
                    parser.parseFromString(source, "image/svg+xml").documentElement, true);
                svg.setAttribute("width", px);
                svg.setAttribute("height", px * 7 / 5);
                document.body.appendChild(svg);
                const box = svg.getBoundingClientRect();
                for (const text of svg.querySelectorAll("text")) {
                  const b = text.getBBox(), r = text.getBoundingClientRect();
                  out.push({title, px, line: text.textContent, x: b.x, right: b.x + b.width,
                            left: r.left - box.left, outer: r.right - box.left, width: box.width,
                            font: parseFloat(text.getAttribute("font-size")) * px / 240});
                }
                svg.remove();
              }
            }
            return out;
        }""", [svgs, [CARD, PAGE]])
    assert len(results) >= 2 * len(svgs)
    frame = 12
    outside = [r for r in results if r["x"] < frame or r["right"] > 240 - frame
               or r["left"] < 0 or r["outer"] > r["width"]]
    assert not outside, "\n".join(map(str, outside))
    card_titles = [r for r in results if r["px"] == CARD and r["font"] > 8]
    assert all(r["font"] >= 8.5 for r in card_titles), card_titles

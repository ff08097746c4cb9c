"""Browser fixtures: Debian's Chromium driven by Playwright against fisher
served on a loopback port.

These replace pytest-playwright's ``browser`` and ``page`` fixtures so the
suite never needs ``playwright install``: it launches /usr/bin/chromium and
skips, saying why, when that is missing.
"""
import os

import pytest

from app import create_app
from app.models.base import db
from tests.conftest import make_config
from tests.e2e.problems import Problems, with_strict_csp
from tests.e2e.site import CHROMIUM, CHROMIUM_ARGS, DESKTOP, Person, Site
from tests.helpers import add_books, book_record, isbn13, numbered_books
from tests.live import serve

GENERATED_BOOKS = 40  # "测试书 01" … "测试书 40": three pages of results
# A book whose image is not an image at all, so the browser must fall back
# to the drawn cover.
BROKEN_COVER = book_record(isbn13("978711199999"), "封面坏了的书", author=["佚名"],
                           image="/static/css/fisher.css")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """fisher on a free loopback port: a fresh SQLite database holding the
    sample books and the generated ones, real CSRF tokens, mail kept in an
    outbox folder, and a strict Content-Security-Policy added to every answer."""
    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(make_config(
        folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'e2e.sqlite'}",
        WTF_CSRF_ENABLED=True, OUTBOX_DIR=str(folder / "outbox"), MAIL_SERVER=None,
        COVERS_DIR=str(folder / "covers")))
    with app.app_context():
        db.create_all()
        add_books()
        add_books(numbered_books(GENERATED_BOOKS) + [BROKEN_COVER])
    app.wsgi_app = with_strict_csp(app.wsgi_app)
    with serve(app) as url:
        app.config["SITE_URL"] = url  # mailed links point at this server
        yield Site(url, folder / "outbox")
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(request):
    """Chromium from /usr/bin/chromium (skips when it is not installed, or
    when pytest-playwright's ``--browser`` asks for another browser)."""
    try:
        name = request.getfixturevalue("browser_name")  # pytest-playwright's choice
    except pytest.FixtureLookupError:  # the plugin is disabled (-p no:playwright)
        name = "chromium"
    if name != "chromium":
        pytest.skip(f"the browser tests drive Debian's Chromium, not {name}")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: "
                    "apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def problems(browser, site):
    """Records what goes wrong in every context opened through ``person``;
    fails the test at teardown if anything did."""
    recorder = Problems(site.url)
    yield recorder
    recorder.listening = False
    if recorder.found:
        pytest.fail("the browser saw problems:\n" + "\n".join(recorder.found), pytrace=False)


@pytest.fixture
def person(browser, site, problems):
    """Make a ``Person`` with their own browser context at a window size
    (DESKTOP or PHONE) whose browser asks for ``locale``; every context is
    watched and closed at the end."""
    contexts = []

    def make(size=DESKTOP, locale="zh-CN"):
        options = {"viewport": {"width": size.width, "height": size.height}, "locale": locale,
                   "reduced_motion": "reduce"}  # Bootstrap then skips its animations
        if size.phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        problems.watch(context)
        contexts.append(context)
        return Person(context.new_page(), site, size)

    yield make
    for context in contexts:
        for page in context.pages:
            page.wait_for_load_state("load")
    problems.listening = False
    for context in contexts:
        context.close()


@pytest.fixture
def page(person):
    """A desktop page (pytest-playwright's name), watched like every other."""
    return person(DESKTOP).page


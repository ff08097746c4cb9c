"""A cached page is never stale: every change is seen at once by a visitor
whose copy was cached, and a change leaves unrelated pages cached.

Each test runs with SimpleCache and with RedisCache (skipped when Redis is
unreachable; FISHER_PAGE_CACHE_REDIS_URL, default db 7, each test under a key
prefix of its own), on the database FISHER_TEST_DATABASE_URL chooses."""
import os
import uuid

import pytest
from sqlalchemy import make_url, select

from app.models.base import db
from app.models.gift import Gift
from app.models.user import User
from app.services import account_delete, contributed, lists
from app.services import drift as drifts
from app.services.drift_deadlines import expire_and_confirm
from tests.api_helpers import api_client
from tests.db_servers import need_redis
from tests.helpers import (DRIFT_FORM, HUOZHE, SANTI, add_books, book_record, login_client, make_gift,
                           make_user, write_jsonl)
from tests.tcp_proxy import TcpProxy

REDIS_URL = os.environ.get("FISHER_PAGE_CACHE_REDIS_URL", "redis://127.0.0.1:6379/7")
HOME, SANTI_PAGE, HUOZHE_PAGE, SEARCH = "/", f"/book/{SANTI}/detail", f"/book/{HUOZHE}/detail", "/book/search?q=三体"


def redis_config(url: str = REDIS_URL) -> dict:
    need_redis()
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
            "CACHE_KEY_PREFIX": f"fisher-test-{uuid.uuid4().hex}:"}


@pytest.fixture(params=["SimpleCache", "RedisCache"])
def cache_config(request):
    return redis_config() if request.param == "RedisCache" else {"CACHE_TYPE": "SimpleCache"}


@pytest.fixture
def site(app_factory, cache_config):
    app = app_factory(PAGE_CACHE_TTL=300, **cache_config)
    with app.app_context():
        add_books()
        yield app


def warm(client, *paths) -> None:
    """Visit each page twice: the second answer must come from the cache."""
    for path in paths:
        client.get(path)
        resp = client.get(path)
        assert resp.status_code == 200 and resp.headers.get("X-Page-Cache") == "hit", path


def fresh(client, path) -> str:
    """The page, which must have been rendered anew; returns its text."""
    resp = client.get(path)
    assert resp.status_code == 200 and "X-Page-Cache" not in resp.headers, path
    return resp.get_data(as_text=True)


def still_cached(client, path) -> str:
    resp = client.get(path)
    assert resp.headers.get("X-Page-Cache") == "hit", path
    return resp.get_data(as_text=True)


def test_listed_gift_is_shown_at_once(site):
    """A gift listed by a member appears at once on the home, book and search pages a visitor had cached."""
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, SEARCH, HUOZHE_PAGE)
    gifter = login_client(site, make_user("赠书人"))
    assert gifter.post(f"/gifts/book/{SANTI}").status_code == 302
    assert "赠书人 赠送" in fresh(visitor, HOME)
    assert "赠书人" in fresh(visitor, SANTI_PAGE)
    assert "1 人可赠送" in fresh(visitor, SEARCH)
    still_cached(visitor, HUOZHE_PAGE)  # another book's page is untouched


def test_withdrawn_gift_disappears_at_once(site):
    """A withdrawn gift is gone at once from the cached home and book pages."""
    user = make_user("赠书人", beans=5)
    gift = make_gift(user, SANTI)
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, HUOZHE_PAGE)
    assert login_client(site, user).post(f"/gifts/{gift.id}/withdraw").status_code == 302
    assert "赠书人" not in fresh(visitor, HOME)
    assert "赠书人" not in fresh(visitor, SANTI_PAGE)
    still_cached(visitor, HUOZHE_PAGE)


def test_wish_added_and_withdrawn_renew_the_book_page_only(site):
    """A wish added or withdrawn renews its book's cached page (built from its lists); home stays cached."""
    wisher = login_client(site, make_user("许愿人"))
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, HUOZHE_PAGE)
    assert wisher.post(f"/wishes/book/{SANTI}").status_code == 302
    fresh(visitor, SANTI_PAGE)
    still_cached(visitor, HOME)
    still_cached(visitor, HUOZHE_PAGE)
    warm(visitor, SANTI_PAGE)
    assert wisher.post(f"/wishes/{SANTI}/withdraw").status_code == 302
    fresh(visitor, SANTI_PAGE)
    still_cached(visitor, HOME)


def promised_gift(app):
    """爱丽丝's gift of 三体 requested by 鲍勃; returns (alice, the drift's id)."""
    alice, bob = make_user("爱丽丝"), make_user("鲍勃", beans=3)
    gift = make_gift(alice, SANTI)
    drift = drifts.request_gift(bob, gift.id, dict(DRIFT_FORM))
    return alice, drift.id


def test_accepted_request_hides_the_gift_at_once(site):
    """Accepting a request takes the promised gift off the cached home and book pages at once."""
    alice, did = promised_gift(site)
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, HUOZHE_PAGE)
    assert "爱丽丝 赠送" in still_cached(visitor, HOME)
    assert login_client(site, alice).post(f"/drift/{did}/accept").status_code == 302
    assert "爱丽丝 赠送" not in fresh(visitor, HOME)
    assert "爱丽丝" not in fresh(visitor, SANTI_PAGE)
    still_cached(visitor, HUOZHE_PAGE)


def test_deadline_job_brings_an_expired_promise_back_at_once(site):
    """The deadline sweep expiring an accepted request puts the gift back on the cached home page at once."""
    alice, did = promised_gift(site)
    drifts.accept(alice, did)
    visitor = site.test_client()
    warm(visitor, HOME)
    assert "爱丽丝 赠送" not in still_cached(visitor, HOME)
    assert expire_and_confirm({**site.config, "DRIFT_MAIL_DAYS": 0})["expired"] == 1
    assert "爱丽丝 赠送" in fresh(visitor, HOME)


def test_edited_book_is_shown_at_once(site):
    """Correcting a book changes its cached page, the home page listing it and search at once."""
    make_gift(make_user("赠书人"), SANTI)
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, SEARCH, HUOZHE_PAGE)
    contributed.edit_book(None, SANTI, book_record(SANTI, "三体（修订版）", author=["刘慈欣"]))
    for path in (HOME, SANTI_PAGE, SEARCH):
        assert "三体（修订版）" in fresh(visitor, path)
    still_cached(visitor, HUOZHE_PAGE)


def test_catalog_import_is_shown_at_once(site, tmp_path):
    """`flask catalog import` changing a title reaches the cached book and search pages at once."""
    visitor = site.test_client()
    warm(visitor, SANTI_PAGE, SEARCH, HUOZHE_PAGE)
    path = write_jsonl(tmp_path / "c.jsonl", [{"isbn": SANTI, "title": "三体：地球往事", "author": ["刘慈欣"]}])
    result = site.test_cli_runner().invoke(args=["catalog", "import", path])
    assert result.exit_code == 0, result.output
    assert "三体：地球往事" in fresh(visitor, SANTI_PAGE)
    assert "三体：地球往事" in fresh(visitor, SEARCH)
    still_cached(visitor, HUOZHE_PAGE)


def test_contributed_book_appears_in_search_at_once(site):
    """A book a member adds by hand shows at once in a search result the visitor had cached."""
    visitor = site.test_client()
    path = "/book/search?q=量子"
    warm(visitor, path, HUOZHE_PAGE)
    isbn = "9787111111115"
    contributed.add_book(make_user("贡献者"), book_record(isbn, "量子力学入门", author=["某人"]))
    assert "量子力学入门" in fresh(visitor, path)
    still_cached(visitor, HUOZHE_PAGE)


def test_gift_listed_through_the_api_is_shown_at_once(site):
    """POST /api/v1/me/gifts reaches the cached home and book pages at once (the same service)."""
    api = api_client(site, make_user("接口用户"), "write")
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, HUOZHE_PAGE)
    assert api.post("/api/v1/me/gifts", json={"isbn": SANTI}).status_code == 201
    assert "接口用户 赠送" in fresh(visitor, HOME)
    assert "接口用户" in fresh(visitor, SANTI_PAGE)
    still_cached(visitor, HUOZHE_PAGE)


def test_legacy_import_is_shown_at_once(site):
    """`flask legacy import` bringing gifts over renews the cached home and book pages at once."""
    from tests.legacy_db import build_legacy_db

    source = build_legacy_db()
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE)
    result = site.test_cli_runner().invoke(args=["legacy", "import", source])
    assert result.exit_code == 0, result.output
    fresh(visitor, HOME)
    fresh(visitor, SANTI_PAGE)


def test_nickname_change_is_shown_at_once(site):
    """A new nickname replaces the old one at once on the cached home and book pages naming the gifter."""
    user = make_user("旧名字")
    make_gift(user, SANTI)
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, HUOZHE_PAGE)
    assert login_client(site, user).post("/settings/nickname", data={"nickname": "新名字"}).status_code == 302
    assert "新名字 赠送" in fresh(visitor, HOME)
    assert "新名字" in fresh(visitor, SANTI_PAGE)
    still_cached(visitor, HUOZHE_PAGE)


def test_account_deletion_withdraws_gifts_at_once(site):
    """Deleting an account takes its gifts off the cached home, book and search pages at once."""
    user = make_user("要走的人")
    make_gift(user, SANTI)
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE, SEARCH, HUOZHE_PAGE)
    assert "1 人可赠送" in still_cached(visitor, SEARCH)
    account_delete.delete_account(db.session.get(User, user.id), "secret123")
    assert "要走的人" not in fresh(visitor, HOME)
    assert "要走的人" not in fresh(visitor, SANTI_PAGE)
    assert "人可赠送" not in fresh(visitor, SEARCH)
    still_cached(visitor, HUOZHE_PAGE)


def test_rolled_back_work_bumps_nothing(site):
    """A unit of work that rolls back (a refused listing, an error) leaves every cached page cached."""
    user = make_user("赠书人", beans=5)
    make_gift(user, SANTI)
    visitor = site.test_client()
    warm(visitor, HOME, SANTI_PAGE)
    with pytest.raises(lists.Refused):
        lists.add_gift(db.session.get(User, user.id), SANTI)  # already on the list
    with pytest.raises(RuntimeError):
        with db.auto_commit():
            db.session.add(Gift(uid=user.id, isbn=SANTI))
            db.session.flush()
            raise RuntimeError("boom")
    make_user("路人")  # a later commit of something no page shows
    still_cached(visitor, HOME)
    still_cached(visitor, SANTI_PAGE)


@pytest.fixture
def two_instances(app_factory):
    """(instance A, instance B, a gifter logged in on A): two apps on one Redis and one database."""
    config = redis_config()
    first, second = app_factory(PAGE_CACHE_TTL=300, **config), app_factory(PAGE_CACHE_TTL=300, **config)
    with first.app_context():
        add_books()
        gifter = login_client(first, make_user("赠书人"))
    return first, second, gifter


def test_two_instances_share_the_versions(two_instances):
    """A change made through instance A is seen at once by a visitor of instance B (one Redis)."""
    _first, second, gifter = two_instances
    visitor = second.test_client()
    warm(visitor, HOME, SANTI_PAGE, HUOZHE_PAGE)
    assert gifter.post(f"/gifts/book/{SANTI}").status_code == 302
    assert "赠书人 赠送" in fresh(visitor, HOME)
    assert "赠书人" in fresh(visitor, SANTI_PAGE)
    still_cached(visitor, HUOZHE_PAGE)


def test_unreachable_cache_renders_pages_uncached(app_factory):
    """With Redis down pages still render (never from the cache) and a write still succeeds."""
    app = app_factory(PAGE_CACHE_TTL=300, CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:9/0")
    with app.app_context():
        add_books()
        gifter = login_client(app, make_user("赠书人"))
    visitor = app.test_client()
    for path in (HOME, SANTI_PAGE):
        visitor.get(path)
        fresh(visitor, path)
    assert gifter.post(f"/gifts/book/{SANTI}").status_code == 302
    assert "赠书人 赠送" in fresh(visitor, HOME)


def test_a_bump_lost_to_an_outage_is_delivered_later(app_factory):
    """A bump that fails while Redis is unreachable is retried; until then this process serves no cached page."""
    url = make_url(REDIS_URL)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 6379).start()
    try:
        config = redis_config(f"redis://127.0.0.1:{proxy.port}/{url.database or 0}")
        app = app_factory(PAGE_CACHE_TTL=300, **config)
        with app.app_context():
            add_books()
            gifter = login_client(app, make_user("赠书人"))
        visitor = app.test_client()
        warm(visitor, HOME)
        proxy.refuse()
        assert gifter.post(f"/gifts/book/{SANTI}").status_code == 302
        proxy.forward()
        assert "赠书人 赠送" in fresh(visitor, HOME)
        warm(visitor, HOME)
    finally:
        proxy.stop()


def test_an_outdated_local_copy_gives_way_to_the_shared_one(two_instances):
    """After a change, instance B serves the copy instance A rendered (from Redis) instead of its own old one or a new render."""
    first, second, gifter = two_instances
    rendered = []
    second.before_request(lambda: rendered.append(1))
    visitor_a, visitor_b = first.test_client(), second.test_client()
    warm(visitor_a, HOME)
    warm(visitor_b, HOME)
    assert gifter.post(f"/gifts/book/{SANTI}").status_code == 302
    page = fresh(visitor_a, HOME)
    rendered.clear()
    assert still_cached(visitor_b, HOME) == page and "赠书人 赠送" in page
    assert rendered == [], "instance B rendered the page again"


def test_a_cached_visit_on_redis_asks_redis_nothing_while_the_versions_are_known(app_factory):
    """Once the versions are known from Redis (and no message withdrew them), a hit reads no key; a change reads again."""
    app = app_factory(PAGE_CACHE_TTL=300, **redis_config())
    with app.app_context():
        add_books()
        gifter = login_client(app, make_user("赠书人"))
    visitor = app.test_client()
    warm(visitor, HOME)
    reads = app.extensions["fisher_page_redis"][0]
    counted, get_many = [], reads.get_many
    reads.get_many = lambda *keys: counted.append(keys) or get_many(*keys)
    still_cached(visitor, HOME)
    still_cached(visitor, HOME)
    assert counted == []
    assert gifter.post(f"/gifts/book/{SANTI}").status_code == 302
    assert "赠书人 赠送" in fresh(visitor, HOME)
    assert counted, "the change was served without reading the new versions"

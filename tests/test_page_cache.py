"""Whole-page caching for anonymous visitors, and never for anyone else."""
import pytest
from sqlalchemy import select

from app.models.book import Book
from app.models.base import db
from tests.helpers import SANTI, add_books, register


@pytest.fixture
def cached_app(app_factory):
    app = app_factory(PAGE_CACHE_TTL=30)
    with app.app_context():
        add_books()
        yield app


def rename_santi(title):
    with db.auto_commit():
        db.session.scalar(select(Book).where(Book.isbn == SANTI)).title = title


@pytest.mark.parametrize("path", ["/", "/book/search?q=三体", f"/book/{SANTI}/detail"])
def test_visitors_get_the_cached_page(cached_app, path):
    """A second anonymous visit within the TTL is served from the cache."""
    client = cached_app.test_client()
    first = client.get(path)
    second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first.headers and second.headers["X-Page-Cache"] == "hit"
    assert first.get_data() == second.get_data()


def test_query_string_is_part_of_the_key(cached_app):
    """Different searches are cached apart."""
    client = cached_app.test_client()
    client.get("/book/search?q=三体")
    other = client.get("/book/search?q=余华")
    assert "X-Page-Cache" not in other.headers and "活着" in other.get_data(as_text=True)


def test_logged_in_users_always_get_fresh_pages(cached_app):
    """Logged-in pages are never served from or written to the cache."""
    visitor = cached_app.test_client()
    visitor.get(f"/book/{SANTI}/detail")
    rename_santi("三体（新版）")
    member = register(cached_app.test_client(), "a@example.com", "甲甲")
    resp = member.get(f"/book/{SANTI}/detail")
    assert "X-Page-Cache" not in resp.headers and "三体（新版）" in resp.get_data(as_text=True)
    assert "甲甲" in resp.get_data(as_text=True)
    assert "甲甲" not in visitor.get(f"/book/{SANTI}/detail").get_data(as_text=True)


def test_pending_flash_bypasses_the_cache(cached_app):
    """A visitor with a flash message to show gets a fresh page carrying it."""
    client = cached_app.test_client()
    client.get("/")
    register(client, "a@example.com", "甲甲")
    client.post("/logout")
    resp = client.get("/")
    assert "X-Page-Cache" not in resp.headers and "你已退出登录" in resp.get_data(as_text=True)


def test_errors_are_not_cached(cached_app):
    """A 404 or 400 page is rendered every time."""
    client = cached_app.test_client()
    for path in ("/book/9787111111111/detail", "/book/search?q="):
        client.get(path)
        assert "X-Page-Cache" not in client.get(path).headers

"""Real clients against the Yushu API of a served fisher: fisher's own
YuShuBook source, and a second fisher whose book chain asks the first one.

The served fisher holds the sample books in the test database (SQLite or
MariaDB); the client fisher keeps its own SQLite file, so its book table
starts empty whatever the server uses.
"""
import pytest
from sqlalchemy import select

from app import create_app
from app.models.base import db
from app.models.book import Book
from app.spider.yushu_book import YuShuBook
from tests.conftest import FreshContextClient, make_config
from tests.helpers import HUOZHE, SAMPLE_BOOKS, SANTI, SANTI2, UNKNOWN_VALID_ISBN, add_books
from tests.live import serve


@pytest.fixture
def served_fisher(app_factory):
    """fisher with the sample books on a free loopback port; yields its base URL."""
    app = app_factory()
    with app.app_context():
        add_books()
    with serve(app) as url:
        yield url


@pytest.fixture
def client_fisher(tmp_path, served_fisher):
    """A second fisher, on an empty SQLite book table of its own, whose
    sources are its table and then the served fisher's Yushu API."""
    folder = tmp_path / "client"
    folder.mkdir()
    app = create_app(make_config(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'client.sqlite'}",
                                 BOOK_SOURCES=["local", "yushu"], YUSHU_API_BASE_URL=served_fisher))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_yushubook_looks_books_up_through_fisher(client_fisher):
    """fisher's YuShuBook source finds a stored book by ISBN (any form) and
    finds nothing for an unknown one."""
    with client_fisher.app_context():
        source = YuShuBook.from_app(client_fisher)
        found = source.search_by_isbn(SANTI)
        assert found.total == 1 and found.first["title"] == "三体"
        assert found.first["author"] == ["刘慈欣"] and found.fetched == found.books
        assert source.search_by_isbn(UNKNOWN_VALID_ISBN).books == []


def test_yushubook_searches_and_pages_through_fisher(client_fisher):
    """A keyword search through YuShuBook gets the served fisher's matches and
    total; with one book a page, page 2 is the second match."""
    with client_fisher.app_context():
        source = YuShuBook.from_app(client_fisher)
        page = source.search_by_keyword("三体")
        assert page.total == 2 and {b["isbn"] for b in page.books} == {SANTI, SANTI2}
        source.per_page = 1
        first, second = source.search_by_keyword("刘慈欣", 1), source.search_by_keyword("刘慈欣", 2)
        assert first.total == second.total == 2
        assert len(first.books) == len(second.books) == 1
        assert {first.first["isbn"], second.first["isbn"]} == {SANTI, SANTI2}
        assert source.search_by_keyword("没有这本书").books == []


def test_second_fisher_finds_and_stores_a_book_via_the_first(client_fisher):
    """The client fisher's detail page shows a book only the served fisher
    holds, and keeps it in its own book table."""
    title = next(b["title"] for b in SAMPLE_BOOKS if b["isbn"] == HUOZHE)
    with client_fisher.app_context():
        assert db.session.scalar(select(Book).where(Book.isbn == HUOZHE)) is None
    resp = client_fisher.test_client().get(f"/book/{HUOZHE}/detail")
    assert resp.status_code == 200
    assert title in resp.get_data(as_text=True)
    with client_fisher.app_context():
        stored = db.session.scalar(select(Book).where(Book.isbn == HUOZHE))
        assert stored is not None and (stored.title, stored.author) == (title, ["余华"])


def test_second_fisher_search_shows_the_first_fishers_books(client_fisher):
    """A keyword search on the client fisher lists books from the served one."""
    resp = client_fisher.test_client().get("/book/search?q=红楼梦")
    assert resp.status_code == 200
    assert "红楼梦" in resp.get_data(as_text=True) and "曹雪芹" in resp.get_data(as_text=True)

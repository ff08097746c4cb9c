"""The books area in English: home page, search and its results, the book page,
adding and correcting a book, and the note that a book source is down.

Each page's own part -- its title and ``<main>`` -- must hold no Chinese but
book data and what users typed; the navigation and the footer belong to the
layout's translation, and the gift form's condition choices to the gifts area's.
"""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from app.models.base import db
from app.models.book import Book
from app.services import contributed
from app.services.errors import Refused
from tests.helpers import (HONGLOU, HUOZHE, SANTI, UNKNOWN_VALID_ISBN, add_books, login_client, make_gift,
                           make_user, make_wish, numbered_books)
from tests.i18n_helpers import chinese_left, english

# Strings of other areas that show inside these pages (the gift form on the
# book page, the flash's close button): their own helpers translate them.
OTHER_AREAS = []  # every area is translated now
NEW = UNKNOWN_VALID_ISBN


def own_part(page: str) -> str:
    """The page's title (without the site name after " · ") and its <main>."""
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).rsplit(" · ", 1)[0]
    main = re.search(r"<main\b.*?</main>", page, re.S).group(0)
    return f"<title>{title}</title>{main}"


def leftover(resp, *allowed) -> list[str]:
    return chinese_left(own_part(resp.get_data(as_text=True)), allowed=[*allowed, *OTHER_AREAS])


def page_of(resp) -> str:
    return resp.get_data(as_text=True)


@pytest.fixture
def app(app_factory, tmp_path):
    """The app with its covers kept under tmp_path (an added book's photo lands there)."""
    app = app_factory(COVERS_DIR=str(tmp_path / "covers"))
    with app.app_context():
        yield app


@pytest.fixture
def en(app, books):
    """An English visitor's client; the sample books are in the catalog."""
    return english(app.test_client())


@pytest.fixture
def alice(app, books):
    return make_user("alice", "alice@example.com")


@pytest.fixture
def as_alice(app, alice):
    """An English client signed in as alice (the cookie: her account has no choice saved)."""
    return english(login_client(app, alice))


# -- home -----------------------------------------------------------------------

def test_home_with_recent_gifts_is_english(en):
    """The home page in English: hero, search box and the recent gifts with their gifter."""
    make_gift(make_user("bob", "bob@example.com"), SANTI)
    resp = en.get("/")
    page = page_of(resp)
    assert resp.status_code == 200 and leftover(resp, "bob") == []
    assert "Recent gifts" in page and "given by bob" in page and "<title>Home · " in page
    assert 'placeholder="Title, author or ISBN"' in page and "Cover of “三体”" in page


def test_home_without_gifts_is_english(en):
    """With no gifts the empty state invites an English reader to search."""
    resp = en.get("/")
    assert leftover(resp) == [] and "Nobody has given a book yet" in page_of(resp)


def test_home_stays_chinese_by_default(app, books):
    """Without a choice the home page keeps its Chinese words."""
    page = page_of(app.test_client().get("/"))
    assert "最近的赠书" in page and "把读过的书，送给需要它的人" in page and "Recent gifts" not in page


# -- search ---------------------------------------------------------------------

def test_keyword_results_are_english(en):
    """Results for a keyword: heading, count, filters and the /gifts link in English."""
    make_gift(make_user("bob", "bob@example.com"), SANTI)
    resp = en.get("/book/search", query_string={"q": "三体"})
    page = page_of(resp)
    assert resp.status_code == 200 and leftover(resp) == []
    assert "Results for “三体”" in page and "2 books" in page and "Only books on offer" in page
    assert "Look for “三体” among the gifts on offer" in page and "1 gifter offers it" in page


def test_offered_filter_is_english(en):
    """The on-offer filter says so in English and offers to show all."""
    make_gift(make_user("bob", "bob@example.com"), SANTI)
    resp = en.get("/book/search", query_string={"q": "三体", "offered": 1})
    page = page_of(resp)
    assert leftover(resp) == [] and "Showing only books on offer" in page and "Show all" in page
    assert "1 book" in page and "1 books" not in page


def test_isbn_results_are_english(en):
    """An ISBN search lists its one book in English, authors joined with commas."""
    resp = en.get("/book/search", query_string={"q": HONGLOU})
    page = page_of(resp)
    assert leftover(resp) == [] and "1 book" in page and "曹雪芹, 高鹗" in page


def test_no_result_is_english(app, en):
    """No match: the hint and, for a visitor, the sign-in offer to add the book."""
    resp = en.get("/book/search", query_string={"q": "zzzz"})
    page = page_of(resp)
    assert leftover(resp) == [] and "No books found." in page and "Sign in to add this book" in page
    assert "Try another keyword" in page


def test_unknown_isbn_offers_to_add_the_book(as_alice):
    """An ISBN nobody knows: an English notice and a signed-in reader's "Add this book"."""
    resp = as_alice.get("/book/search", query_string={"q": NEW})
    page = page_of(resp)
    assert leftover(resp) == [] and f"No book source knows the book with ISBN {NEW} yet." in page
    assert "Have this book at hand?" in page and ">Add this book</a>" in page


@pytest.mark.parametrize("query, message", [
    ({"q": ""}, "Enter a title, an author or an ISBN"),
    ({"q": "x" * 31}, "The keyword must be 1 to 30 characters long"),
    ({"q": "三体", "page": "abc"}, "The page number must be a whole number from 1 to 99"),
    ({"q": "三体", "page": "100"}, "The page number must be from 1 to 99"),
])
def test_search_form_errors_are_english(en, query, message):
    """A bad keyword or page is refused (400) with an English message."""
    resp = en.get("/book/search", query_string=query)
    assert resp.status_code == 400 and message in page_of(resp)
    assert leftover(resp) == [] and "Search books" in page_of(resp)


def test_pages_and_past_the_last_page_are_english(app, en):
    """Pagination links and the past-the-last-page notice in English."""
    add_books(numbered_books(20, title="测试书"))
    first = en.get("/book/search", query_string={"q": "测试书"})
    page = page_of(first)
    assert leftover(first, "测试书", "编者") == [] and "Next" in page and "Previous" in page
    assert '<span class="visually-hidden">Page </span>2' in page and ", page 1 of 2" in page
    past = en.get("/book/search", query_string={"q": "测试书", "page": 5})
    assert leftover(past, "测试书", "编者") == [] and "Page 5 is past the end of the results: 20 books" in page_of(past)
    assert "Back to page 1" in page_of(past)


def test_unavailable_source_notice_is_english(app_factory, httpserver):
    """A book source answering 500: the notice is English, the source keeps its name."""
    httpserver.expect_request("/v2/book/search").respond_with_data("boom", status=500)
    app = app_factory(BOOK_SOURCES=["local", "yushu"], YUSHU_API_BASE_URL=httpserver.url_for("").rstrip("/"))
    with app.app_context():
        add_books()
    resp = english(app.test_client()).get("/book/search", query_string={"q": "三体"})
    notice = "鱼书 API is not answering right now, so the results may be incomplete."
    assert resp.status_code == 200 and notice in page_of(resp) and leftover(resp, "鱼书 API") == []


def test_two_unavailable_sources_in_one_english_notice(remote_app, httpserver):
    """Open Library and Google Books both down: one notice naming both, in the plural."""
    httpserver.expect_request(re.compile(".*")).respond_with_data("boom", status=500)
    app = remote_app("openlibrary", "googlebooks")
    with app.app_context():
        add_books()
    resp = english(app.test_client()).get("/book/search", query_string={"q": "三体"})
    assert "Open Library, Google Books are not answering right now" in page_of(resp)
    assert leftover(resp) == []


# -- the book page --------------------------------------------------------------

def test_book_page_for_a_visitor_is_english(en):
    """A visitor sees the facts, counts, gifters and sign-in links in English."""
    make_gift(make_user("bob", "bob@example.com"), SANTI)
    make_wish(make_user("carol", "carol@example.com"), SANTI)
    resp = en.get(f"/book/{SANTI}/detail")
    page = page_of(resp)
    assert resp.status_code == 200 and leftover(resp, "bob") == []
    for text in ("Author", "Publisher", "Published", "Pages", "Price", "Binding", "Summary",
                 "1 person wants it", "1 gifter offers it", "People who can give this book",
                 "added to gifts on", "Sign in to request this book", "Sign in to give or request this book"):
        assert text in page, text


def test_book_page_for_its_gifter_lists_the_wishers_in_english(app, alice, as_alice):
    """alice gives the book: the wishers, the give-to-them button and her status in English."""
    make_gift(alice, SANTI)
    make_wish(make_user("carol", "carol@example.com"), SANTI)
    make_wish(make_user("dave", "dave@example.com"), SANTI)
    resp = as_alice.get(f"/book/{SANTI}/detail")
    page = page_of(resp)
    assert leftover(resp, "carol", "dave") == []
    assert "Added to my gifts" in page and "See my gifts" in page and "People who wish for this book" in page
    assert page.count("Give this book to them") == 2 and "2 people want it" in page


def test_book_page_for_a_wisher_is_english(app, alice, as_alice):
    """alice wishes for a book nobody offers: her status and the empty gifters list in English."""
    make_wish(alice, HUOZHE)
    resp = as_alice.get(f"/book/{HUOZHE}/detail")
    page = page_of(resp)
    assert leftover(resp) == [] and "Added to my wishes" in page and "Nobody offers this book yet." in page
    assert "No summary yet." in page


def test_book_page_gift_form_is_english(app, alice, as_alice):
    """A signed-in reader with the book in no list gets the gift form and the wish button in English."""
    make_gift(make_user("bob", "bob@example.com"), SANTI)
    resp = as_alice.get(f"/book/{SANTI}/detail")
    page = page_of(resp)
    assert leftover(resp, "bob") == []
    assert "Condition of this copy (optional)" in page and ">Give this book</button>" in page
    assert "Add to my wishes" in page and "Requesting this book costs 1 bean" in page  # alice has no bean
    assert 'aria-label="Note on its condition"' in page


def test_book_page_without_gifters_invites_a_wish(app, alice, as_alice):
    """Nobody offers it and alice has no wish for it: the English invitation to wish."""
    resp = as_alice.get(f"/book/{HONGLOU}/detail")
    assert "add it to your wishes and we will let you know" in page_of(resp) and leftover(resp) == []


# -- adding and correcting a book -----------------------------------------------

def book_form(**fields):
    data = {"isbn": NEW, "title": "A Tea House at the End", "authors": "Bao Shu, Liu Cixin", "translators": "",
            "publisher": "Somewhere Press", "pubdate": "2020-5", "pages": "288", "price": "45.00",
            "binding": "paperback", "summary": "A book no source knows."}
    data.update(fields)
    return data


def test_add_a_book_form_is_english(as_alice):
    """The empty form: title, intro, labels and help texts in English."""
    resp = as_alice.get("/book/new", query_string={"isbn": NEW})
    page = page_of(resp)
    assert resp.status_code == 200 and leftover(resp) == []
    for text in ("<title>Add this book · ", "Title", "Subtitle", "Translator", "Publication date",
                 "Cover photo (optional)", "printed above the barcode", "Separate several authors with commas",
                 "MB; it is scaled down to 600 pixels", "Cancel"):
        assert text in page, text


@pytest.mark.parametrize("fields, message", [
    ({"isbn": "9787536692931"}, "This is not a valid ISBN"),
    ({"isbn": ""}, "Please enter the ISBN"),
    ({"title": ""}, "Please enter the title"),
    ({"title": "x" * 300}, "The title can be at most 255 characters"),
    ({"pubdate": "May 2020"}, "Write it as 2008, 2008-1 or 2008-01-15"),
    ({"pages": "many"}, "The number of pages must be a whole number"),
])
def test_add_a_book_field_errors_are_english(as_alice, fields, message):
    """Each bad field is refused (400) with its English message under it."""
    resp = as_alice.post("/book/new", data=book_form(**fields))
    assert resp.status_code == 400 and message in page_of(resp) and leftover(resp) == []


def test_add_a_book_bad_photo_is_english(as_alice):
    """A file that is no picture is refused with an English message under the photo field."""
    data = book_form(photo=(io.BytesIO(b"not a picture at all"), "cover.jpg"))
    resp = as_alice.post("/book/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 400 and "This picture could not be read" in page_of(resp)
    assert leftover(resp) == []


def test_adding_a_book_flashes_in_english(app, as_alice):
    """A good form stores the book and thanks the reader in English on its page."""
    buf = io.BytesIO()
    Image.new("RGB", (40, 60), (10, 20, 30)).save(buf, "PNG")
    data = book_form(photo=(io.BytesIO(buf.getvalue()), "cover.png"))
    resp = as_alice.post("/book/new", data=data, content_type="multipart/form-data", follow_redirects=True)
    page = page_of(resp)
    assert "The book has been added, thank you!" in page and "Added by alice" in page
    assert "Edit the book" in page and leftover(resp, "alice") == []
    assert db.session.scalar(select(Book).where(Book.isbn == NEW)) is not None


def test_known_isbn_is_flashed_in_english(as_alice):
    """Asking to add a book the catalog has sends the reader to it, saying so in English."""
    resp = as_alice.get("/book/new", query_string={"isbn": SANTI}, follow_redirects=True)
    assert "This book is already in the catalogue" in page_of(resp) and leftover(resp) == []


def test_edit_page_is_english(app, alice, as_alice):
    """The contributor's edit page and the saved-changes flash in English."""
    contributed.add_book(alice, book_form(author=["Bao Shu"], translator=[]))
    resp = as_alice.get(f"/book/{NEW}/edit")
    page = page_of(resp)
    assert resp.status_code == 200 and leftover(resp) == []
    assert re.search(r"<title>Edit the book(&#39;|'|&#x27;)s details · ", page) and "Save changes" in page and "Until someone else" in page
    saved = as_alice.post(f"/book/{NEW}/edit", data=book_form(title="A Better Title"), follow_redirects=True)
    assert "Changes saved" in page_of(saved) and leftover(saved, "alice") == []


def test_edit_page_errors_are_english(app, alice, as_alice):
    """A bad field on the edit page is refused in English."""
    contributed.add_book(alice, book_form(author=["Bao Shu"], translator=[]))
    resp = as_alice.post(f"/book/{NEW}/edit", data=book_form(pages="lots"))
    assert resp.status_code == 400 and "The number of pages must be a whole number" in page_of(resp)
    assert leftover(resp) == []


def test_locked_book_is_refused_in_english(app, alice, as_alice):
    """Once someone else wishes for it, the edit is refused with an English flash."""
    contributed.add_book(alice, book_form(author=["Bao Shu"], translator=[]))
    make_wish(make_user("bob", "bob@example.com"), NEW)
    resp = as_alice.get(f"/book/{NEW}/edit", follow_redirects=True)
    assert "Someone else already gives, wishes for or has requested this book" in page_of(resp)
    assert leftover(resp, "alice") == []


def test_service_messages_stay_chinese_outside_a_request(app, alice):
    """Without a request (a CLI command, a job) a refusal keeps the site's Chinese words."""
    contributed.add_book(alice, book_form(author=["Bao Shu"], translator=[]))
    with pytest.raises(Refused) as refused:
        contributed.add_book(alice, book_form(author=["Bao Shu"], translator=[]))
    assert refused.value.message == "书库里已经有这本书了"


# -- my lists (the shared macro) ------------------------------------------------

def test_my_list_count_and_withdraw_are_english(app, alice, as_alice):
    """The list macro's count and withdraw button are English on my gifts."""
    make_gift(alice, SANTI)
    page = page_of(as_alice.get("/my/gifts"))
    assert "1 book" in page and ">Withdraw</button>" in page and 'data-confirm-ok="Withdraw"' in page
    assert 'data-confirm="Withdraw “三体” ' in page

"""Adding a book no source knows (/book/new) and its contributor correcting it
(/book/<isbn>/edit): good, bad and hostile input, cover photos judged by
decoding them, and the edit lock once someone else relies on the book."""
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from stdnum import isbn as stdnum_isbn

from app.models.base import db
from app.models.book import Book
from tests.helpers import SANTI, add_books, login_client, make_gift, make_user, make_wish, text_of, unchanged

NEW = "9787111111115"  # a valid ISBN no source knows


@pytest.fixture
def site(app_factory, tmp_path):
    """An app keeping covers under tmp_path; returns (app, covers folder)."""
    covers = tmp_path / "covers"
    app = app_factory(COVERS_DIR=str(covers))
    with app.app_context():
        yield app, covers


@pytest.fixture
def alice_site(site):
    """(app, covers, a client logged in as 爱丽丝, 爱丽丝)."""
    app, covers = site
    alice = make_user("爱丽丝", "alice@example.com")
    return app, covers, login_client(app, alice), alice


def form(**fields):
    data = {"isbn": NEW, "title": "宇宙尽头的茶馆", "subtitle": "短篇集", "authors": "宝树、 刘慈欣",
            "translators": "", "publisher": "某某出版社", "pubdate": "2020-5", "pages": "288",
            "price": "45.00元", "binding": "平装", "summary": "一本没有哪个书源知道的书。"}
    data.update(fields)
    return data


def image_bytes(kind="JPEG", size=(1200, 800), mode="RGB", color=(200, 30, 30), **save):
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, kind, **save)
    return buf.getvalue()


def upload(data: bytes, name="cover.jpg"):
    return (io.BytesIO(data), name)


def stored(isbn=NEW):
    return db.session.scalar(select(Book).where(Book.isbn == isbn))


# -- adding -------------------------------------------------------------------

def test_visitor_is_asked_to_log_in(client):
    """A visitor opening /book/new goes to the login page, coming back afterwards."""
    resp = client.get(f"/book/new?isbn={NEW}")
    assert resp.status_code == 302 and "/login" in resp.location and "next=" in resp.location


def test_form_prefills_isbn_and_title(alice_site):
    """The ISBN and title from a failed search are filled in."""
    _app, _covers, client, _alice = alice_site
    page = text_of(client.get("/book/new", query_string={"isbn": NEW, "title": "茶馆"}))
    assert f'value="{NEW}"' in page and 'value="茶馆"' in page


def test_known_isbn_goes_to_its_page(alice_site):
    """Opening the form for a book the site knows leads to that book's page instead."""
    _app, _covers, client, _alice = alice_site
    add_books()
    resp = client.get(f"/book/new?isbn={SANTI}")
    assert resp.status_code == 302 and resp.location.endswith(f"/book/{SANTI}/detail")


def test_adding_a_book_stores_it_as_contributed(alice_site):
    """A good form stores the book with every field, marked as 爱丽丝's, and shows its page."""
    _app, _covers, client, alice = alice_site
    resp = client.post("/book/new", data=form())
    assert resp.status_code == 302 and resp.location.endswith(f"/book/{NEW}/detail")
    book = stored()
    assert (book.title, book.subtitle, book.author, book.publisher, book.pubdate, book.pages,
            book.price, book.binding, book.contributor_id) == (
        "宇宙尽头的茶馆", "短篇集", ["宝树", "刘慈欣"], "某某出版社", "2020-5", "288", "45.00元", "平装", alice.id)
    page = text_of(client.get(f"/book/{NEW}/detail"))
    assert "宇宙尽头的茶馆" in page and "由 爱丽丝 添加" in page and "修改书籍信息" in page


def test_isbn_10_with_hyphens_is_kept_as_isbn_13(alice_site):
    """An ISBN-10 typed with hyphens is stored under its ISBN-13."""
    _app, _covers, client, _alice = alice_site
    isbn10 = stdnum_isbn.format(stdnum_isbn.to_isbn10(NEW))
    assert "-" in isbn10
    assert client.post("/book/new", data=form(isbn=isbn10)).status_code == 302
    assert stored(NEW) is not None


@pytest.mark.parametrize("fields, message", [
    ({"isbn": "9787111111116"}, "这不是有效的 ISBN"),
    ({"isbn": "12345"}, "这不是有效的 ISBN"),
    ({"isbn": ""}, "请填写 ISBN"),
    ({"title": "  "}, "请填写书名"),
    ({"title": "长" * 256}, "书名最多 255 个字符"),
    ({"pubdate": "去年"}, "请写成 2008"),
    ({"pages": "三百"}, "页数须是整数"),
    ({"summary": "字" * 20001}, "内容简介最多"),
])
def test_bad_input_gets_a_message_and_stores_nothing(alice_site, fields, message):
    """Each bad field is answered under the field (400) and nothing is stored."""
    _app, _covers, client, _alice = alice_site
    with unchanged():
        resp = client.post("/book/new", data=form(**fields))
    assert resp.status_code == 400 and message in text_of(resp)


def test_known_isbn_is_refused_on_post(alice_site):
    """Posting a book the site already has changes nothing and says so."""
    _app, _covers, client, _alice = alice_site
    add_books()
    with unchanged():
        resp = client.post("/book/new", data=form(isbn=SANTI, title="假的三体"))
    assert resp.status_code == 400 and "书库里已经有这本书了" in text_of(resp)


def test_markup_in_fields_is_shown_as_text(alice_site):
    """Markup typed into a field is stored as text and escaped on the page."""
    _app, _covers, client, _alice = alice_site
    client.post("/book/new", data=form(title="<script>alert(1)</script>", authors="<b>x</b>"))
    page = text_of(client.get(f"/book/{NEW}/detail"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_form_needs_its_csrf_token(app_factory, tmp_path):
    """With CSRF on, a post without the token is refused and stores nothing."""
    app = app_factory(WTF_CSRF_ENABLED=True, COVERS_DIR=str(tmp_path / "c"))
    with app.app_context():
        client = login_client(app, make_user("爱丽丝"))
        with unchanged():
            assert client.post("/book/new", data=form()).status_code == 400


# -- cover photos -------------------------------------------------------------

def test_photo_is_resized_and_stripped(alice_site):
    """A 1200x800 JPEG with camera and place data is kept as a JPEG of at most 600 px with no
    metadata."""
    _app, covers, client, _alice = alice_site
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "SecretSoftware"  # Software
    data = image_bytes(exif=exif.tobytes())
    assert b"SecretCam" in data
    client.post("/book/new", data=form(photo=upload(data)), content_type="multipart/form-data")
    kept = (covers / f"{NEW}.jpg").read_bytes()
    assert b"SecretCam" not in kept and b"SecretSoftware" not in kept
    with Image.open(io.BytesIO(kept)) as img:
        assert img.format == "JPEG" and max(img.size) == 600 and img.size == (600, 400)
        assert not img.getexif()


def test_photo_orientation_is_applied(alice_site):
    """A photo whose EXIF says "rotate 90°" is stored upright (portrait)."""
    _app, covers, client, _alice = alice_site
    exif = Image.Exif()
    exif[0x0112] = 6
    client.post("/book/new", data=form(photo=upload(image_bytes(size=(400, 200), exif=exif.tobytes()))),
                content_type="multipart/form-data")
    with Image.open(covers / f"{NEW}.jpg") as img:
        assert img.size == (200, 400)


def test_transparent_png_is_laid_on_white(alice_site):
    """A transparent PNG becomes a white JPEG, not a black one."""
    _app, covers, client, _alice = alice_site
    data = image_bytes("PNG", size=(100, 100), mode="RGBA", color=(0, 0, 0, 0))
    client.post("/book/new", data=form(photo=upload(data, "c.png")), content_type="multipart/form-data")
    with Image.open(covers / f"{NEW}.jpg") as img:
        assert img.getpixel((50, 50)) >= (250, 250, 250)


def test_webp_photo_is_accepted(alice_site):
    """A WebP photo is kept (as JPEG)."""
    _app, covers, client, _alice = alice_site
    data = image_bytes("WEBP", size=(300, 300))
    assert client.post("/book/new", data=form(photo=upload(data, "c.webp")),
                       content_type="multipart/form-data").status_code == 302
    assert (covers / f"{NEW}.jpg").is_file()


@pytest.mark.parametrize("size", [(7000, 7000), (10000, 10000)])
def test_picture_with_too_many_pixels_is_refused(alice_site, size):
    """A small PNG claiming 49 or 100 megapixels is refused without decoding it whole."""
    _app, _covers, client, _alice = alice_site
    data = image_bytes("PNG", size=size, mode="1", color=0)
    assert len(data) < 1024 * 1024
    with unchanged():
        resp = client.post("/book/new", data=form(photo=upload(data, "c.png")),
                           content_type="multipart/form-data")
    assert resp.status_code == 400 and "像素太多" in text_of(resp)


@pytest.mark.parametrize("data, name", [
    (b"just some text, not a picture", "cover.jpg"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "cover.jpg"),  # a JPEG header and nothing else
    (image_bytes()[:400], "cover.jpg"),  # a photo cut off early
    (image_bytes("GIF", size=(50, 50)), "cover.jpg"),  # a GIF named .jpg
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "cover.png"),
    (b"%PDF-1.4\n" + b"0" * 100, "cover.webp"),
])
def test_fake_images_are_refused(alice_site, data, name):
    """A file that does not decode as JPEG, PNG or WebP gets a message under the photo field,
    and neither the book nor a file is stored."""
    _app, covers, client, _alice = alice_site
    with unchanged():
        resp = client.post("/book/new", data=form(photo=upload(data, name)),
                           content_type="multipart/form-data")
    assert resp.status_code == 400 and "无法识别这张图片" in text_of(resp)
    assert not covers.exists() or not any(covers.iterdir())


def test_photo_over_the_limit_gets_a_field_message(app_factory, tmp_path):
    """A photo a little over COVER_PHOTO_MAX_BYTES is answered under the field; nothing stored."""
    app = app_factory(COVER_PHOTO_MAX_BYTES=100 * 1024, COVERS_DIR=str(tmp_path / "c"))
    with app.app_context():
        client = login_client(app, make_user("爱丽丝"))
        data = image_bytes() + b"\x00" * (110 * 1024)
        with unchanged():
            resp = client.post("/book/new", data=form(photo=upload(data)), content_type="multipart/form-data")
        assert resp.status_code == 400 and "图片不能超过" in text_of(resp)


def test_body_far_over_the_limit_is_413(app_factory, tmp_path):
    """A body larger than twice the photo limit is cut off with the 413 page; elsewhere the
    plain 64 KB cap still holds."""
    app = app_factory(COVER_PHOTO_MAX_BYTES=100 * 1024, COVERS_DIR=str(tmp_path / "c"))
    with app.app_context():
        client = login_client(app, make_user("爱丽丝"))
        big = b"\x00" * (300 * 1024)
        with unchanged():
            resp = client.post("/book/new", data=form(photo=upload(big)), content_type="multipart/form-data")
            assert resp.status_code == 413
            assert client.post("/login", data={"email": "a@b.c", "password": "x" * (100 * 1024)}
                               ).status_code == 413


# -- editing ------------------------------------------------------------------

def add(client, **fields):
    assert client.post("/book/new", data=form(**fields)).status_code == 302


def test_contributor_corrects_the_book(alice_site):
    """The contributor's corrections are saved; the ISBN cannot change."""
    _app, _covers, client, _alice = alice_site
    add(client)
    page = text_of(client.get(f"/book/{NEW}/edit"))
    assert "宇宙尽头的茶馆" in page and "宝树、刘慈欣" in page
    resp = client.post(f"/book/{NEW}/edit", data=form(title="宇宙尽头的茶馆（修订版）", isbn=SANTI))
    assert resp.status_code == 302
    assert stored().title == "宇宙尽头的茶馆（修订版）" and stored(SANTI) is None


def test_edit_with_a_photo_replaces_the_cover(alice_site):
    """A photo sent with an edit becomes the book's cover."""
    _app, covers, client, _alice = alice_site
    add(client)
    client.post(f"/book/{NEW}/edit", data=form(photo=upload(image_bytes(size=(50, 80)))),
                content_type="multipart/form-data")
    with Image.open(covers / f"{NEW}.jpg") as img:
        assert img.size == (50, 80)


def test_another_user_cannot_edit(alice_site):
    """Another user's edit page and post are 404 and change nothing."""
    app, _covers, client, _alice = alice_site
    add(client)
    bob = login_client(app, make_user("鲍勃"))
    assert bob.get(f"/book/{NEW}/edit").status_code == 404
    with unchanged():
        assert bob.post(f"/book/{NEW}/edit", data=form(title="鲍勃改的")).status_code == 404


def test_catalog_books_cannot_be_edited(alice_site):
    """A book from the catalog (no contributor) has no edit page."""
    _app, _covers, client, _alice = alice_site
    add_books()
    assert client.get(f"/book/{SANTI}/edit").status_code == 404
    assert client.get("/book/not-an-isbn/edit").status_code == 404


@pytest.mark.parametrize("relies", [make_gift, make_wish])
def test_edit_is_locked_once_someone_else_relies_on_it(alice_site, relies):
    """Once another user lists or wishes for the book, its contributor can no longer edit it."""
    app, _covers, client, _alice = alice_site
    add(client)
    relies(make_user("鲍勃"), NEW)
    resp = client.get(f"/book/{NEW}/edit")
    assert resp.status_code == 302 and resp.location.endswith(f"/book/{NEW}/detail")
    with unchanged():
        client.post(f"/book/{NEW}/edit", data=form(title="改不了"))
    assert "修改书籍信息" not in text_of(client.get(f"/book/{NEW}/detail"))


def test_own_gift_does_not_lock_the_book(alice_site):
    """The contributor listing the book themself may still correct it."""
    _app, _covers, client, alice = alice_site
    add(client)
    make_gift(alice, NEW)
    assert client.get(f"/book/{NEW}/edit").status_code == 200


# -- the search page offers it ------------------------------------------------

def test_unknown_isbn_search_offers_to_add_it(alice_site):
    """A logged-in user searching an unknown ISBN is offered the form with the ISBN in it."""
    _app, _covers, client, _alice = alice_site
    page = text_of(client.get(f"/book/search?q={NEW}"))
    assert "还没有哪个书源知道" in page and f"/book/new?isbn={NEW}" in page and "添加这本书" in page


def test_visitor_is_offered_to_log_in_first(client):
    """A visitor is asked to log in, and comes back to the form afterwards."""
    page = text_of(client.get(f"/book/search?q={NEW}"))
    assert "登录后添加这本书" in page and "/login?next=" in page and "isbn%3D" + NEW in page


def test_keyword_without_result_prefills_the_title(alice_site):
    """A keyword search with no result offers the form with the words as its title."""
    _app, _covers, client, _alice = alice_site
    page = text_of(client.get("/book/search?q=不存在的书"))
    assert "没有找到相关的书" in page
    assert "/book/new?title=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E4%B9%A6" in page


def test_added_book_is_found_by_search(alice_site):
    """Once added, the book is found by its title and its ISBN."""
    _app, _covers, client, _alice = alice_site
    add(client)
    assert "宇宙尽头的茶馆" in text_of(client.get("/book/search?q=茶馆"))
    assert "宇宙尽头的茶馆" in text_of(client.get(f"/book/search?q={NEW}"))

"""The cover views (app/web/cover.py): stored copies under /covers/ and the
drawn SVG placeholder."""
import re
import xml.etree.ElementTree as ET

from tests.helpers import SANTI, add_books, text_of

BOOK = {"isbn": "9787544291170", "title": "霍乱时期的爱情", "author": ["加西亚·马尔克斯"],
        "image": "https://img.example.com/cover/s11284102.jpg"}


def svg_root(resp):
    return ET.fromstring(resp.get_data())


def test_cover_is_svg_with_escaped_title(client):
    """The cover is well-formed SVG; a title with markup is escaped text."""
    resp = client.get(f"/covers/drawn/{SANTI}.svg",
                      query_string={"title": "<script>", "author": "A&B \"<i>\""})
    assert resp.status_code == 200
    assert resp.mimetype == "image/svg+xml"
    body = resp.get_data(as_text=True)
    assert "<script" not in body and "<i>" not in body
    assert "&lt;script&gt;" in body
    texts = [el.text for el in svg_root(resp).iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["<script>", 'A&B "<i>"']


def test_cover_splits_long_titles_and_caches(client):
    """Long titles are cut into at most four lines of eight characters; the
    answer may be cached for a day."""
    resp = client.get(f"/covers/drawn/{SANTI}.svg", query_string={"title": "一二三四五六七八" * 6})
    lines = [el.text for el in svg_root(resp).iter("{http://www.w3.org/2000/svg}text")][:-1]
    assert lines == ["一二三四五六七八"] * 4
    assert "public" in resp.headers["Cache-Control"]
    assert "max-age=86400" in resp.headers["Cache-Control"]


def test_cover_without_title_shows_isbn_and_stable_colour(client):
    """Without a title the ISBN is drawn; the colour depends only on the ISBN."""
    first = client.get(f"/covers/drawn/{SANTI}.svg")
    assert SANTI in [el.text for el in svg_root(first).iter("{http://www.w3.org/2000/svg}text")]
    again = client.get(f"/covers/drawn/{SANTI}.svg", query_string={"title": "别的"})
    colour = svg_root(first).find("{http://www.w3.org/2000/svg}rect").get("fill")
    assert svg_root(again).find("{http://www.w3.org/2000/svg}rect").get("fill") == colour
    assert re.fullmatch(r"#[0-9a-f]{6}", colour)


def test_stored_cover_is_served_from_the_site(app_factory, tmp_path):
    """Once `flask covers fetch` stored a copy, pages load it from /covers/."""
    app = app_factory(COVERS_DIR=str(tmp_path / "covers"))
    with app.app_context():
        add_books([BOOK])
    (tmp_path / "covers").mkdir()
    (tmp_path / "covers" / f"{BOOK['isbn']}.jpg").write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    client = app.test_client()
    text = text_of(client.get(f"/book/{BOOK['isbn']}/detail"))
    assert f'src="/covers/{BOOK["isbn"]}.jpg"' in text
    resp = client.get(f"/covers/{BOOK['isbn']}.jpg")
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    assert client.get("/covers/../secure.py").status_code == 404

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


SVG = "{http://www.w3.org/2000/svg}"


def texts_of(resp):
    return [el.text for el in svg_root(resp).iter(f"{SVG}text")]


def test_cover_wraps_long_titles_and_caches(client):
    """A long Chinese title breaks between characters into lines ending in "…"; the answer may be cached for a day."""
    resp = client.get(f"/covers/drawn/{SANTI}.svg", query_string={"title": "一二三四五六七八" * 6})
    lines = texts_of(resp)
    assert 2 <= len(lines) <= 8 and lines[-1].endswith("…")
    assert "".join(lines)[:-1] == ("一二三四五六七八" * 6)[:len("".join(lines)) - 1]
    assert "public" in resp.headers["Cache-Control"]
    assert "max-age=86400" in resp.headers["Cache-Control"]


def test_english_titles_keep_words_whole(client):
    """Harry Potter's title is drawn in whole words, the author on one line."""
    title = "Harry Potter and the Philosopher's Stone"
    lines = texts_of(client.get(f"/covers/drawn/{SANTI}.svg", query_string={"title": title, "author": "J. K. Rowling"}))
    assert " ".join(lines[:-1]) == title and lines[-1] == "J. K. Rowling"


def test_cover_is_safe_svg_whatever_the_title(client):
    """Markup, ampersands and quotes in title, author and ISBN stay text; no script, link or outside reference."""
    nasty = "<script>alert('x')</script> & \"q\" <image href='http://evil.example/x.png'/>"
    resp = client.get("/covers/drawn/%3Cscript%3E.svg", query_string={"title": "<b>&\"q\"</b> <script>", "author": nasty})
    body = resp.get_data(as_text=True)
    root = svg_root(resp)  # valid XML
    assert root.get("viewBox") == "0 0 240 336"
    assert {el.tag for el in root.iter()} <= {f"{SVG}{tag}" for tag in ("svg", "rect", "g", "text", "line")}
    for el in root.iter():
        assert not any("href" in name or "url(" in value or "http" in value for name, value in el.attrib.items())
    assert "<script" not in body and "<image" not in body
    drawn = " ".join(texts_of(resp))
    assert '<b>&"q"</b> <script>' in drawn and "<script>alert(" in drawn


def test_cover_survives_bad_bytes_and_huge_queries(client):
    """Invalid UTF-8, control characters and a huge title still give valid, bounded SVG."""
    resp = client.get(f"/covers/drawn/{SANTI}.svg?title=%ED%A0%80%FF%00%1b%E4%B8%89&author=" + "A" * 5000)
    assert resp.status_code == 200 and svg_root(resp) is not None
    resp = client.get(f"/covers/drawn/{SANTI}.svg", query_string={"title": "W " * 5000, "author": "x" * 5000})
    lines = texts_of(resp)
    assert lines[-2].endswith("…") and lines[-1].endswith("…") and len(resp.get_data()) < 4000


def test_cover_colours_come_from_a_contrasting_pair(client):
    """Background and text colours are one palette pair, so the text contrast is at least 4.5 : 1."""
    from app.libs.cover_design import PALETTE, contrast_ratio

    root = svg_root(client.get(f"/covers/drawn/{SANTI}.svg", query_string={"title": "三体", "author": "刘慈欣"}))
    pair = (root.find(f"{SVG}rect").get("fill"), root.find(f"{SVG}g").get("fill"))
    assert pair in PALETTE and contrast_ratio(*pair) >= 4.5


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

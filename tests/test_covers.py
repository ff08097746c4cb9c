"""`flask covers fetch`: copies of off-site cover images, fetched with limits."""
from tests.helpers import add_books, book_record

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def test_fetch_stores_covers_and_pages_use_them(app_factory, httpserver, tmp_path):
    """Covers are downloaded once, stored, and then shown from the site."""
    httpserver.expect_request("/a.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    httpserver.expect_request("/b.txt").respond_with_data("hello", content_type="text/plain")
    httpserver.expect_request("/c.jpg").respond_with_data("nope", status=404)
    app = app_factory(COVERS_DIR=str(tmp_path / "covers"))
    with app.app_context():
        add_books([book_record("9787536692930", "三体", image=httpserver.url_for("/a.jpg")),
                   book_record("9787506365437", "活着", image=httpserver.url_for("/b.txt")),
                   book_record("9787544253994", "百年孤独", image=httpserver.url_for("/c.jpg")),
                   book_record("9787115428028", "Python编程")])
    result = app.test_cli_runner().invoke(args=["covers", "fetch"])
    assert "stored: 1, failed: 2" in result.output
    assert "9787506365437: not an image (text/plain)" in result.output
    assert (tmp_path / "covers" / "9787536692930.jpg").read_bytes() == JPEG
    page = app.test_client().get("/book/9787536692930/detail").get_data(as_text=True)
    assert 'src="/covers/9787536692930.jpg"' in page
    again = app.test_cli_runner().invoke(args=["covers", "fetch"])
    assert "stored: 0, failed: 2" in again.output


def test_fetch_refuses_oversized_images(app_factory, httpserver, tmp_path):
    """An image over COVER_MAX_BYTES is not stored."""
    httpserver.expect_request("/big.jpg").respond_with_data(JPEG * 100, content_type="image/jpeg")
    app = app_factory(COVERS_DIR=str(tmp_path / "covers"), COVER_MAX_BYTES=1000)
    with app.app_context():
        add_books([book_record("9787536692930", "三体", image=httpserver.url_for("/big.jpg"))])
    result = app.test_cli_runner().invoke(args=["covers", "fetch"])
    assert "image too large" in result.output and "stored: 0, failed: 1" in result.output
    assert not (tmp_path / "covers" / "9787536692930.jpg").exists()

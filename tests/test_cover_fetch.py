"""`flask covers fetch`: copies of off-site cover images, fetched with limits.

The image host is a real server on 127.0.0.1, the one network the tests allow
(COVER_ALLOWED_NETWORKS); the "internal" service is another real server on
127.0.0.2, which stays forbidden like every loopback and private address.
"""
import shutil
import socket
import ssl
import subprocess
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from app.libs.address_policy import AddressRefused, parse_networks
from app.libs.safe_http import FetchError, Limits, safe_get
from tests.helpers import BAINIAN, HUOZHE, PYTHON, SANTI, add_books, book_record

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100
ALLOW_IMAGE_SERVER = ["127.0.0.1/32"]


def _server(host, **kwargs):
    server = HTTPServer(host=host, port=0, **kwargs)
    server.start()
    return server


@pytest.fixture
def image_server():
    """The cover host, on the allowed 127.0.0.1."""
    server = _server("127.0.0.1", threaded=True)
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def internal_server():
    """A service inside the server's network, on the forbidden 127.0.0.2; answers
    anything with an image, so a request that reached it would be stored."""
    server = _server("127.0.0.2")
    server.expect_request("/secret.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def covers_app(app_factory, tmp_path):
    """Build an app whose covers folder is tmp_path/covers and that allows the image server."""
    def build(**config):
        return app_factory(COVERS_DIR=str(tmp_path / "covers"),
                           COVER_ALLOWED_NETWORKS=ALLOW_IMAGE_SERVER, **config)
    return build


def fetch(app, *records) -> str:
    """Store ``records`` as books, run `flask covers fetch`, return its output."""
    with app.app_context():
        add_books(list(records))
    result = app.test_cli_runner().invoke(args=["covers", "fetch"])
    assert result.exception is None, result.output
    return result.output


def stored(tmp_path) -> list[str]:
    folder = tmp_path / "covers"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_fetch_stores_covers_and_pages_use_them(covers_app, image_server, tmp_path):
    """Covers are downloaded once, stored, and then shown from the site."""
    image_server.expect_request("/a.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    image_server.expect_request("/b.txt").respond_with_data("hello", content_type="text/plain")
    image_server.expect_request("/c.jpg").respond_with_data("nope", status=404)
    app = covers_app()
    output = fetch(app, book_record(SANTI, "三体", image=image_server.url_for("/a.jpg")),
                   book_record(HUOZHE, "活着", image=image_server.url_for("/b.txt")),
                   book_record(BAINIAN, "百年孤独", image=image_server.url_for("/c.jpg")),
                   book_record(PYTHON, "Python编程"))
    assert "stored: 1, failed: 2" in output
    assert f"{HUOZHE}: not an image (text/plain)" in output
    assert f"{BAINIAN}: answered 404" in output
    assert (tmp_path / "covers" / f"{SANTI}.jpg").read_bytes() == JPEG
    assert stored(tmp_path) == [f"{SANTI}.jpg"]  # no partial files left behind
    page = app.test_client().get(f"/book/{SANTI}/detail").get_data(as_text=True)
    assert f'src="/covers/{SANTI}.jpg"' in page
    again = app.test_cli_runner().invoke(args=["covers", "fetch"])
    assert "stored: 0, failed: 2" in again.output


def test_fetch_follows_a_redirect_on_an_allowed_host(covers_app, image_server, tmp_path):
    """A relative redirect to another path of an allowed host is followed."""
    image_server.expect_request("/old.jpg").respond_with_data("", status=301, headers={"Location": "/a.jpg"})
    image_server.expect_request("/a.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    output = fetch(covers_app(), book_record(SANTI, "三体", image=image_server.url_for("/old.jpg")))
    assert "stored: 1, failed: 0" in output
    assert stored(tmp_path) == [f"{SANTI}.jpg"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_an_internal_address_is_refused(covers_app, image_server, internal_server,
                                                     tmp_path, status):
    """An allowed host redirecting to an internal address is refused before connecting:
    the internal service is never asked and nothing is stored or published."""
    image_server.expect_request("/a.jpg").respond_with_data(
        "", status=status, headers={"Location": internal_server.url_for("/secret.jpg")})
    app = covers_app()
    output = fetch(app, book_record(SANTI, "三体", image=image_server.url_for("/a.jpg")))
    assert "stored: 0, failed: 1" in output
    assert "forbidden address (127.0.0.2)" in output
    assert internal_server.log == []
    assert stored(tmp_path) == []
    assert app.test_client().get(f"/covers/{SANTI}.jpg").status_code == 404


def test_internal_urls_are_refused(covers_app, internal_server, tmp_path):
    """Loopback URLs outside the allowed network and non-HTTP schemes are refused
    without a connection."""
    port = internal_server.port
    records = [book_record(SANTI, "三体", image=internal_server.url_for("/secret.jpg")),
               book_record(HUOZHE, "活着", image=f"http://[::1]:{port}/secret.jpg"),
               book_record(BAINIAN, "百年孤独", image=f"http://127.0.0.2:{port}@127.0.0.3:{port}/x.jpg")]
    output = fetch(covers_app(), *records)
    assert "stored: 0, failed: 3" in output
    assert output.count("forbidden address") == 3
    assert internal_server.log == []
    assert stored(tmp_path) == []


def test_no_network_is_allowed_by_default(app_factory, image_server, tmp_path):
    """Without COVER_ALLOWED_NETWORKS even the loopback image server is refused."""
    image_server.expect_request("/a.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    app = app_factory(COVERS_DIR=str(tmp_path / "covers"))
    assert app.config["COVER_ALLOWED_NETWORKS"] == []
    output = fetch(app, book_record(SANTI, "三体", image=image_server.url_for("/a.jpg")))
    assert "forbidden address (127.0.0.1)" in output
    assert image_server.log == []


def test_redirect_loops_are_cut(covers_app, image_server, tmp_path):
    """More than COVER_MAX_REDIRECTS redirects give up after that many hops."""
    image_server.expect_request("/loop.jpg").respond_with_data(
        "", status=302, headers={"Location": "/loop.jpg"})
    output = fetch(covers_app(COVER_MAX_REDIRECTS=3),
                   book_record(SANTI, "三体", image=image_server.url_for("/loop.jpg")))
    assert "more than 3 redirects" in output
    assert len(image_server.log) == 4
    assert stored(tmp_path) == []


def _trickle(_request):
    def body():
        yield JPEG[:4]
        for _ in range(300):  # 30 s in all, far past the deadline
            time.sleep(0.1)
            yield b"0"
    return Response(body(), content_type="image/jpeg")


def test_trickling_image_is_cut_off_at_the_deadline(covers_app, image_server, tmp_path):
    """An image sent a byte at a time is abandoned at COVER_TOTAL_TIMEOUT, though every
    read is well inside the read timeout; nothing is stored."""
    image_server.expect_request("/slow.jpg").respond_with_handler(_trickle)
    app = covers_app(COVER_TOTAL_TIMEOUT=1.0, YUSHU_READ_TIMEOUT=2.0)
    started = time.monotonic()
    output = fetch(app, book_record(SANTI, "三体", image=image_server.url_for("/slow.jpg")))
    elapsed = time.monotonic() - started
    assert "too slow" in output and "stored: 0, failed: 1" in output
    assert elapsed < 15, elapsed  # the deadline plus one read timeout, with room for a busy machine
    assert stored(tmp_path) == []


@pytest.mark.parametrize("declared", [True, False])
def test_fetch_refuses_oversized_images(covers_app, image_server, tmp_path, declared):
    """An image over COVER_MAX_BYTES is not stored, whether its length is declared or streamed."""
    big = JPEG * 100
    if declared:
        image_server.expect_request("/big.jpg").respond_with_data(big, content_type="image/jpeg")
    else:
        image_server.expect_request("/big.jpg").respond_with_handler(
            lambda _r: Response((big[i:i + 500] for i in range(0, len(big), 500)),
                                content_type="image/jpeg"))
    output = fetch(covers_app(COVER_MAX_BYTES=1000),
                   book_record(SANTI, "三体", image=image_server.url_for("/big.jpg")))
    assert "too large" in output and "stored: 0, failed: 1" in output
    assert stored(tmp_path) == []


@pytest.mark.parametrize("content_type, body, headers, reason", [
    ("image/jpeg", b"<html>internal page</html>", {}, "not an image (content is not image/jpeg)"),
    ("image/png", JPEG, {}, "not an image (content is not image/png)"),
    ("image/webp", b"RIFF0000WAVE", {}, "not an image (content is not image/webp)"),
    ("image/jpeg", JPEG, {"Content-Encoding": "gzip"}, "compressed answer"),
])
def test_answers_that_are_not_the_announced_image_are_refused(covers_app, image_server, tmp_path,
                                                              content_type, body, headers, reason):
    """The stored bytes must be an image of the announced type, uncompressed."""
    image_server.expect_request("/a").respond_with_data(body, content_type=content_type, headers=headers)
    output = fetch(covers_app(), book_record(SANTI, "三体", image=image_server.url_for("/a")))
    assert reason in output and "stored: 0, failed: 1" in output
    assert stored(tmp_path) == []


# -- safe_get: one DNS answer per hop, and the connection goes where it was checked ---

LIMITS = Limits(connect_timeout=2, read_timeout=2, total_timeout=10, max_bytes=10_000)


class RebindingDns:
    """A test double for DNS that answers the allowed address first and an internal
    one afterwards, as a rebinding attacker's name server would."""

    def __init__(self, first, later):
        self.answers, self.calls = [first, later], 0

    def __call__(self, host, port, type=0):
        answer = self.answers[min(self.calls, 1)]
        self.calls += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]


def test_connection_goes_to_the_checked_address(image_server, internal_server):
    """The name is resolved once per hop and the connection pinned to that answer, with
    the name kept in the Host header: a second, internal answer is never used."""
    image_server.expect_request("/a.jpg").respond_with_data(JPEG, content_type="image/jpeg")
    dns = RebindingDns("127.0.0.1", "127.0.0.2")
    url = f"http://images.test:{image_server.port}/a.jpg"
    got = safe_get(url, LIMITS, parse_networks(ALLOW_IMAGE_SERVER), resolver=dns)
    assert got.body == JPEG and dns.calls == 1
    assert image_server.log[0][0].headers["Host"] == f"images.test:{image_server.port}"
    assert internal_server.log == []


def test_a_rebinding_redirect_is_checked_again(image_server, internal_server):
    """A redirect to the same name is resolved again and refused when the answer moved inside."""
    image_server.expect_request("/a.jpg").respond_with_data(
        "", status=302, headers={"Location": f"http://images.test:{internal_server.port}/secret.jpg"})
    dns = RebindingDns("127.0.0.1", "127.0.0.2")
    with pytest.raises(AddressRefused, match="forbidden address"):
        safe_get(f"http://images.test:{image_server.port}/a.jpg", LIMITS,
                 parse_networks(ALLOW_IMAGE_SERVER), resolver=dns)
    assert internal_server.log == []


@pytest.fixture
def tls_files(tmp_path):
    """A self-signed certificate for images.test (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=images.test", "-addext", "subjectAltName=DNS:images.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def test_https_is_pinned_but_verified_against_the_name(tls_files):
    """Over HTTPS the connection goes to the checked address while SNI and the
    certificate check use the name; a certificate for another name is refused."""
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = _server("127.0.0.1", ssl_context=context)
    try:
        server.expect_request("/a.jpg").respond_with_data(JPEG, content_type="image/jpeg")
        allowed = parse_networks(ALLOW_IMAGE_SERVER)
        dns = RebindingDns("127.0.0.1", "127.0.0.2")
        got = safe_get(f"https://images.test:{server.port}/a.jpg", LIMITS, allowed,
                       resolver=dns, ca_certs=str(cert))
        assert got.body == JPEG
        with pytest.raises(FetchError):
            safe_get(f"https://other.test:{server.port}/a.jpg", LIMITS, allowed,
                     resolver=RebindingDns("127.0.0.1", "127.0.0.1"), ca_certs=str(cert))
    finally:
        server.clear()
        server.stop()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/a.jpg", "http:///a.jpg",
                                 "http://127.0.0.1:99999/a.jpg", "gopher://127.0.0.1:70/_x"])
def test_only_http_urls_with_a_host_are_fetched(url):
    """Other schemes, missing hosts and bad ports are refused before any connection."""
    with pytest.raises(FetchError):
        safe_get(url, LIMITS, parse_networks(ALLOW_IMAGE_SERVER))

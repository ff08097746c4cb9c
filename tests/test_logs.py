"""Log lines: the right level, and no colour codes in a log that is no terminal."""
import io
import logging
import sys
import threading

import pytest
import requests
from werkzeug.serving import make_server

from app import first_start
from app.services.catalog import ImportReport


def test_bundled_catalog_load_is_logged_at_info(app, caplog, monkeypatch):
    """Loading the bundled catalog on first start is an INFO note, not a WARNING."""
    monkeypatch.setattr(first_start, "upgrade", lambda: None)
    monkeypatch.setattr(first_start, "load_bundled_catalog_if_empty", lambda: ImportReport(imported=7))
    app.config["LOAD_BUNDLED_CATALOG"] = True
    caplog.set_level(logging.INFO, logger=app.logger.name)
    first_start.prepare_database(app)
    [record] = [r for r in caplog.records if "bundled catalog" in r.getMessage()]
    assert record.levelno == logging.INFO and "7 books" in record.getMessage()


@pytest.fixture
def werkzeug_log():
    """What the werkzeug logger writes, captured in memory."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("werkzeug")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _serve_one_404(app) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert requests.get(f"http://127.0.0.1:{server.server_port}/no-such-page", timeout=10).status_code == 404
    finally:
        server.shutdown()
        thread.join(10)


def test_dev_server_log_has_no_colour_codes_when_redirected(app, werkzeug_log, monkeypatch):
    """With standard error redirected (no terminal) the dev server's request lines carry no ANSI codes."""
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # StringIO.isatty() is False
    _serve_one_404(app)
    line = werkzeug_log.getvalue()
    assert "GET /no-such-page" in line and " 404 " in line
    assert "\x1b[" not in line


def test_dev_server_log_keeps_colours_on_a_terminal(app, werkzeug_log, monkeypatch):
    """On a terminal the colours stay (werkzeug paints a 404 yellow)."""
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.setattr(sys, "stderr", Terminal())
    _serve_one_404(app)
    assert "\x1b[33m" in werkzeug_log.getvalue()

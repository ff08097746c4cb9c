"""Failing dependencies: SMTP down, the database lost mid-request, a trickling book API."""
import os
import re
import time

from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from werkzeug import Response

from app import create_app
from app.models.base import db
from app.models.gift import Gift
from app.models.drift import Drift
from app.models.user import User
from tests.conftest import SmtpSink
from tests.helpers import DRIFT_FORM, SANTI, add_books, register, wait_until
from tests.live import free_port


def wait_for_files(folder, timeout=5.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.isdir(folder) and os.listdir(folder):
            return os.listdir(folder)
        time.sleep(0.05)
    return []


def test_smtp_down_keeps_the_message_for_retry(app_factory, tmp_path, caplog):
    """With SMTP refusing, the reset request still succeeds, the failure is logged,
    the message is kept, and `flask mail retry` sends it once SMTP is back."""
    from aiosmtpd.controller import Controller

    outbox = tmp_path / "outbox"
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), OUTBOX_DIR=str(outbox))
    with app.app_context():
        client = register(app.test_client(), "alice@example.com", "爱丽丝")
        client.post("/logout")
        resp = client.post("/reset/password", data={"email": "alice@example.com"})
        assert resp.status_code == 302
        failed = wait_for_files(outbox / "failed")
        assert len(failed) == 1
        assert wait_until(lambda: any("mail to alice@example.com failed" in r.getMessage()
                                      for r in caplog.records))

        sink = SmtpSink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            app.config["MAIL_PORT"] = port
            result = app.test_cli_runner().invoke(args=["mail", "retry"])
            assert "sent: 1, still failing: 0" in result.output
            message = sink.next()
            assert message["Subject"] == "[鱼书] 重置你的密码" and message["To"] == "alice@example.com"
            assert os.listdir(outbox / "failed") == []
        finally:
            controller.stop()


def test_retry_reports_messages_still_failing(app_factory, tmp_path):
    """A retry while SMTP is still down keeps the message and says so."""
    outbox = tmp_path / "outbox"
    (outbox / "failed").mkdir(parents=True)
    (outbox / "failed" / "m.eml").write_bytes(b"From: a@x.org\r\nTo: b@x.org\r\nSubject: s\r\n\r\nbody\r\n")
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), OUTBOX_DIR=str(outbox))
    result = app.test_cli_runner().invoke(args=["mail", "retry"])
    assert "sent: 0, still failing: 1" in result.output
    assert os.listdir(outbox / "failed") == ["m.eml"]


def test_database_lost_mid_unit_of_work_rolls_back(app):
    """A database error halfway through a drift request gives a 503 and writes nothing."""
    add_books()
    alice = register(app.test_client(), "alice@example.com", "爱丽丝")
    bob = register(app.test_client(), "bob@example.com", "鲍勃")
    alice.post("/gifts/book/9787536692930")
    bob.post("/gifts/book/9787544253994")
    bob.post("/gifts/book/9787115428028")
    gid = db.session.scalar(select(Gift.id).where(Gift.isbn == SANTI))

    def fail_on_beans(conn, cursor, statement, params, context, executemany):
        """The drift row is already inserted when the bean update 'loses' the server."""
        if re.search(r"UPDATE\s+[`\"]?user[`\"]?\s+SET\s+beans", statement):
            raise OperationalError(statement, params, Exception("server has gone away"))

    event.listen(db.engine, "before_cursor_execute", fail_on_beans)
    try:
        resp = bob.post(f"/gifts/{gid}/request", data=DRIFT_FORM)
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_on_beans)
    assert resp.status_code == 503 and "服务暂时不可用" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Drift)) == 0
    assert db.session.scalar(select(User.beans).where(User.nickname == "鲍勃")) == 1


def test_database_unavailable_is_503(tmp_path):
    """With the database gone, pages answer 503 instead of a traceback."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"})
    for path in ("/", "/book/search?q=三体", "/book/9787536692930/detail"):
        resp = app.test_client().get(path)
        assert resp.status_code == 503 and "服务暂时不可用" in resp.get_data(as_text=True)


def test_trickling_api_is_cut_off(app_factory, httpserver):
    """An API that sends a byte now and then (for 30 s) is abandoned at the 1-second total
    budget: 503 well before the body would end (a generous bound for a busy machine)."""
    def trickle(_request):
        def body():
            for _ in range(300):
                yield b" "
                time.sleep(0.1)
        return Response(body(), content_type="application/json")

    httpserver.expect_request("/v2/book/search").respond_with_handler(trickle)
    app = app_factory(BOOK_SOURCE="yushu", YUSHU_API_BASE_URL=httpserver.url_for("").rstrip("/"),
                      YUSHU_READ_TIMEOUT=0.5, YUSHU_TOTAL_TIMEOUT=1.0)
    started = time.monotonic()
    resp = app.test_client().get("/book/search?q=python")
    assert resp.status_code == 503 and time.monotonic() - started < 15

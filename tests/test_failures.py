"""Failing dependencies: SMTP down, the database lost mid-request, a trickling book API."""
import queue
import re
import time

import pytest

from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from werkzeug import Response

from app import create_app
from app.jobs import jobs_of
from app.models.base import db
from app.models.gift import Gift
from app.models.drift import Drift
from app.models.user import User
from tests.conftest import SmtpSink
from tests.helpers import DRIFT_FORM, SANTI, add_books, register
from tests.live import free_port


def test_smtp_down_leaves_the_reset_mail_queued_for_its_retry(app_factory, tmp_path, caplog):
    """With SMTP refusing, the reset request still succeeds, the failure is logged and the
    queue holds the message for a later try, which delivers it once SMTP is back."""
    from aiosmtpd.controller import Controller

    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context():
        client = register(app.test_client(), "alice@example.com", "爱丽丝")
        client.post("/logout")
        resp = client.post("/reset/password", data={"email": "alice@example.com"})
        assert resp.status_code == 302
        assert any("mail to alice@example.com failed" in r.getMessage() for r in caplog.records)
        huey = jobs_of(app).huey
        [retry] = huey.scheduled()
        assert retry.name == "account_mail" and retry.retries == app.config["MAIL_MAX_ATTEMPTS"] - 2

        sink = SmtpSink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            app.config["MAIL_PORT"] = port
            retry.eta = None  # its time has come
            huey.execute(retry)  # what a worker does when the retry is due
            message = sink.next()
            assert message["Subject"] == "[鱼书] 重置你的密码" and message["To"] == "alice@example.com"
        finally:
            controller.stop()


def test_given_up_notice_mail_is_listed_and_sent_again_by_mail_retry(app_factory):
    """Notice mail the queue gave up on shows in `flask mail failed`; `flask mail retry`
    queues it again and it arrives once SMTP is back, exactly once."""
    from aiosmtpd.controller import Controller

    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=1)
    with app.app_context():
        add_books()
        alice = register(app.test_client(), "alice@example.com", "爱丽丝")
        alice.post(f"/gifts/book/{SANTI}")
        bob = register(app.test_client(), "bob@example.com", "鲍勃")
        bob.post("/gifts/book/9787544253994")
        bob.post("/gifts/book/9787115428028")
        gid = db.session.scalar(select(Gift.id).where(Gift.isbn == SANTI))
        assert bob.post(f"/gifts/{gid}/request", data=DRIFT_FORM).status_code == 302
        runner = app.test_cli_runner()
        listed = runner.invoke(args=["mail", "failed"]).output
        assert "(request), 1 attempts: ConnectionRefusedError" in listed and "failed: 1" in listed

        sink = SmtpSink()
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            app.config["MAIL_PORT"] = port
            assert "queued again: 1" in runner.invoke(args=["mail", "retry"]).output
            assert sink.next()["To"] == "alice@example.com"
            assert "failed: 0" in runner.invoke(args=["mail", "failed"]).output
            assert "queued again: 0" in runner.invoke(args=["mail", "retry"]).output
            with pytest.raises(queue.Empty):
                sink.next(timeout=0.5)
        finally:
            controller.stop()


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
    budget: the page answers, naming the source, well before the body would end (a generous bound)."""
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
    assert resp.status_code == 200 and time.monotonic() - started < 15
    assert "鱼书 API暂时不可用" in resp.get_data(as_text=True)

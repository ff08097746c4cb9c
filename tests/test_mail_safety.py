"""Mail is best effort after a committed action, and never puts a reset token in a log."""
import logging
import queue
import re
import runpy
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select, update

from app.jobs import jobs_of
from app.models.base import db
from app.models.gift import Gift
from app.models.notice import MailState, Notice
from app.models.user import User
from tests.helpers import (
    BAINIAN, DRIFT_FORM, PYTHON, SANTI, add_books, login_client, make_user, make_wish, minutes_ago, register)
from tests.live import free_port

READER = "读者@example.com"


def _wishers_with_a_bad_address(app):
    """爱丽丝 is about to list 三体; 鲍勃, then a user stored with a non-ASCII address, then
    卡罗尔 wish for it. Returns a client logged in as 爱丽丝."""
    add_books()
    gifter = make_user("爱丽丝", "alice@example.com")
    for minutes, (nickname, email) in zip((9, 7, 5), (("鲍勃", "bob@example.com"), ("读者", READER),
                                                       ("卡罗尔", "carol@example.com"))):
        make_wish(make_user(nickname, email), SANTI, create_time=minutes_ago(minutes))
    return login_client(app, gifter)


# The test's own SMTP server and HTTP client log what they exchange; they are not the site's logs.
TEST_SIDE = ("mail.log", "urllib3")


def _logged(caplog) -> str:
    return "\n".join(r.getMessage() + (f"\n{r.exc_text}" if r.exc_text else "")
                     for r in caplog.records if not r.name.startswith(TEST_SIDE))


# -- best effort ---------------------------------------------------------------

def _mail_states() -> dict:
    db.session.expire_all()
    return dict(db.session.execute(select(Notice.mail_state, func.count()).group_by(Notice.mail_state)).all())


def test_unbuildable_message_does_not_stop_the_wish_alerts(mail_app, caplog):
    """A wisher whose address cannot be encoded is skipped and logged; the gift is listed
    (a normal redirect) and the other wishers' alerts still arrive over SMTP."""
    resp = _wishers_with_a_bad_address(mail_app).post(f"/gifts/book/{SANTI}")
    assert resp.status_code == 302
    assert db.session.scalar(select(Gift.isbn)) == SANTI
    sink = mail_app.smtp_sink
    assert [sink.next()["To"], sink.next()["To"]] == ["bob@example.com", "carol@example.com"]
    with pytest.raises(queue.Empty):
        sink.next(timeout=0.5)
    assert re.search(r"mail for notice \d+ to user \d+ given up: UnicodeEncodeError", _logged(caplog))
    assert _mail_states() == {MailState.SENT: 2, MailState.FAILED: 1}


def test_unbuildable_message_does_not_stop_the_outbox(app_factory, tmp_path, caplog):
    """Without SMTP the same listing writes the two good alerts to the outbox and logs the bad one."""
    app = app_factory(OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        resp = _wishers_with_a_bad_address(app).post(f"/gifts/book/{SANTI}")
        assert _mail_states() == {MailState.SENT: 2, MailState.FAILED: 1}
    assert resp.status_code == 302
    to = sorted(message_from_bytes(p.read_bytes(), policy=policy.default)["To"]
                for p in (tmp_path / "outbox").glob("*.eml"))
    assert to == ["bob@example.com", "carol@example.com"]
    assert "given up: UnicodeEncodeError" in _logged(caplog)


def test_a_send_that_raises_does_not_stop_the_batch(mail_app, monkeypatch, tmp_path, caplog):
    """A message the SMTP client chokes on (not an OSError) is given up on, recorded on its
    notice and logged; the next still goes."""
    from app.libs import email

    real_send = email.smtp_send

    def choke_on_bob(cfg, sender, recipients, data):
        if "bob@example.com" in recipients:
            raise ValueError("cannot encode this recipient")
        real_send(cfg, sender, recipients, data)

    monkeypatch.setattr(email, "smtp_send", choke_on_bob)
    add_books()
    gifter = make_user("爱丽丝", "alice@example.com")
    make_wish(make_user("鲍勃", "bob@example.com"), SANTI, create_time=minutes_ago(9))
    make_wish(make_user("卡罗尔", "carol@example.com"), SANTI, create_time=minutes_ago(5))
    assert login_client(mail_app, gifter).post(f"/gifts/book/{SANTI}").status_code == 302
    assert mail_app.smtp_sink.next()["To"] == "carol@example.com"
    failed = db.session.scalars(select(Notice).where(Notice.mail_state == MailState.FAILED)).all()
    assert [n.mail_error for n in failed] == ["ValueError: cannot encode this recipient"]
    assert "given up: ValueError: cannot encode this recipient" in _logged(caplog)


def test_drift_request_to_an_unmailable_gifter_still_succeeds(app_factory, tmp_path):
    """The request is committed and answered with the usual redirect, though the gifter's mail fails."""
    app = app_factory(OUTBOX_DIR=str(tmp_path / "outbox"))
    with app.app_context():
        add_books()
        alice = register(app.test_client(), "alice@example.com", "爱丽丝")
        bob = register(app.test_client(), "bob@example.com", "鲍勃")
        alice.post(f"/gifts/book/{SANTI}")
        bob.post(f"/gifts/book/{BAINIAN}")
        bob.post(f"/gifts/book/{PYTHON}")
        with db.auto_commit():
            db.session.execute(update(User).where(User.nickname == "爱丽丝").values(email=READER))
        gift_id = db.session.scalar(select(Gift.id).where(Gift.isbn == SANTI))
        resp = bob.post(f"/gifts/{gift_id}/request", data=DRIFT_FORM)
    assert resp.status_code == 302 and resp.headers["Location"] == "/pending"


# -- no token in any log with SMTP configured ------------------------------------

def _reset_path(body: str) -> str:
    return urlsplit(re.search(r"https?://\S+/reset/password/\S+", body).group(0)).path


@pytest.mark.parametrize("smtp", ["up", "down"])
def test_reset_token_never_logged_with_smtp(app_factory, smtp_server, caplog, smtp):
    """With MAIL_SERVER set, neither sending the reset mail (delivered or failing) nor visiting
    and using its link through a real server writes the token to any log."""
    from tests.live import serve

    caplog.set_level(logging.DEBUG)
    sink, port = smtp_server
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port if smtp == "up" else free_port())
    with app.app_context(), serve(app) as base:
        client = register(app.test_client(), "alice@example.com", "爱丽丝")
        client.post("/logout")
        assert client.post("/reset/password", data={"email": "alice@example.com"}).status_code == 302
        if smtp == "up":
            path = _reset_path(sink.next().get_body(preferencelist=("plain",)).get_content())
        else:  # the message waits in the queue for its retry
            assert "mail to alice@example.com failed" in _logged(caplog)
            [(to, _subject, text, _html)] = [task.args for task in jobs_of(app).huey.scheduled()]
            path = _reset_path(text)
        token = path.rsplit("/", 1)[1]
        assert requests.get(base + path, timeout=10).status_code == 200
        requests.post(base + path, data={"password1": "brand-new1", "password2": "brand-new1"}, timeout=10)
        requests.get(base + path, headers={"Referer": base + path}, timeout=10)
    logged = _logged(caplog)
    assert "/reset/password/" in logged  # the requests were logged, with the token left out
    assert token not in logged


def test_gunicorn_access_log_leaves_the_token_out():
    """gunicorn.conf.py's logger writes /reset/password/<token> requests without the token."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    logger = conf["logger_class"](Config())
    token = "eyJ1aWQiOjF9.Z2E4cQ.abcdefghijklmnopqrstuvwx"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/reset/password/{token}", "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": f"/reset/password/{token}", "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_REFERER": f"https://fisher.example/reset/password/{token}"}
    resp = SimpleNamespace(status="200 OK", headers=[], sent=10)
    atoms = logger.atoms(resp, SimpleNamespace(headers=[("Referer", environ["HTTP_REFERER"])]), environ,
                         timedelta(milliseconds=5))
    assert "/reset/password/" in atoms["r"]
    assert not any(token in str(value) for value in atoms.values())

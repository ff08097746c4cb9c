"""Times shown in the reader's zone and language (Babel), deadlines with the time left,
mails in the recipient's zone, beans written the page language's way, and set_timezone."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import render_template_string
from sqlalchemy import update

from app.jobs import run_due
from app.libs.beans import beans_text
from app.libs.display_time import reading_as
from app.models.base import db
from app.models.notice import Notice
from app.models.user import User
from app.services import drift as drifts
from app.services.account import set_timezone
from app.services.errors import Refused
from tests.helpers import (DRIFT_FORM, SANTI, add_books, login_client, make_gift, make_user,
                           outbox_messages, text_of)
from tests.i18n_helpers import english

START = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)  # stored as naive 12:00 UTC
NOON = START.replace(tzinfo=None)
NEW_YORK = "America/New_York"


def _hour_in(zone: str, when: datetime = START) -> int:
    return when.astimezone(ZoneInfo(zone)).hour


def _plain(text: str) -> str:
    """Babel puts a narrow no-break space before AM/PM; compare with a plain one."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _render(app, source: str, language: str | None = None, **values) -> str:
    headers = {"Accept-Language": language} if language else {}
    with app.app_context(), app.test_request_context(headers=headers):  # its own g, as a real request
        return _plain(render_template_string(source, **values))


def _set(user, **values) -> None:
    with db.auto_commit():
        db.session.execute(update(User).where(User.id == user.id).values(**values))


def _notice(user) -> None:
    with db.auto_commit():
        db.session.add(Notice(uid=user.id, kind="wish_available", isbn=SANTI, book_title="三体", actor="bob"))


def test_default_zone_shows_utc_noon_as_eight_in_the_evening(app):
    """With no account zone a stored 12:00 UTC reads 20:00 (Asia/Shanghai), in Chinese by default."""
    assert app.config["DISPLAY_TIMEZONE"] == "Asia/Shanghai"
    assert _render(app, "{{ t|datetime }}", t=NOON) == "2026年3月1日 20:00"
    assert _render(app, "{{ t|date }}", t=datetime(2026, 3, 1, 17, 0)) == "2026年3月2日"  # already tomorrow there


def test_english_reader_gets_the_english_formats(app):
    """The same time in English: month name, comma, 12-hour clock."""
    assert _render(app, "{{ t|datetime }}", "en", t=NOON) == "Mar 1, 2026, 8:00 PM"
    assert _render(app, "{{ t|date }}", "en", t=NOON) == "Mar 1, 2026"
    assert _render(app, "{{ t|datetime }}|{{ none|datetime }}", t=NOON.replace(tzinfo=timezone.utc),
                   none=None) == "2026年3月1日 20:00|"


def test_account_zone_moves_the_notices_times(app, clock):
    """A reader whose account says America/New_York sees a notice's 12:00 UTC in New York time."""
    reader = make_user("reader", "reader@example.com")
    _set(reader, timezone=NEW_YORK)
    _notice(reader)
    page = _plain(text_of(login_client(app, reader).get("/notices")))
    hour = _hour_in(NEW_YORK)
    assert hour in (7, 8)
    assert f"2026年3月1日 {hour:02d}:00" in page and "20:00" not in page and "UTC" not in page
    clock.shift(timedelta(days=3))
    page = _plain(text_of(english(login_client(app, reader)).get("/notices")))
    assert f"Mar 1, 2026, {hour}:00 AM" in page and "3 days ago" in page


def test_a_bad_stored_zone_falls_back_to_the_sites(app, clock):
    """An account zone nobody knows never breaks a page: the times read in DISPLAY_TIMEZONE."""
    reader = make_user("reader", "reader@example.com")
    _set(reader, timezone="Mars/Olympus")
    _notice(reader)
    resp = login_client(app, reader).get("/notices")
    assert resp.status_code == 200 and "2026年3月1日 20:00" in text_of(resp)
    personal = login_client(app, reader).get("/personal")
    assert personal.status_code == 200


def test_pending_page_shows_the_deadline_and_the_time_left(app, clock):
    """The gifter reads "请在 3 天 内处理（截止 …）" in their zone; the requester, in English,
    ", 3 days left (by …)"; half a day before the deadline the time left is in hours."""
    add_books()
    alice = make_user("alice", "alice@example.com")
    bob = make_user("bob", "bob@example.com", beans=1)
    _set(bob, timezone=NEW_YORK)
    drifts.request_gift(bob, make_gift(alice, SANTI).id, dict(DRIFT_FORM))
    page = text_of(login_client(app, alice).get("/pending"))
    assert "，请在 3 天 内处理（截止 2026年3月4日 20:00）" in page
    assert "2026年3月1日 ·" in page and "UTC" not in page
    due = START + timedelta(days=3)
    hour = _hour_in(NEW_YORK, due)
    page = _plain(text_of(english(login_client(app, bob)).get("/pending")))
    assert f", 3 days left (by Mar 4, 2026, {hour}:00 AM)" in page
    clock.shift(timedelta(days=2, hours=12))
    assert "，请在 12 小时 内处理" in text_of(login_client(app, alice).get("/pending"))


@pytest.mark.parametrize("zone, locale, expected", [
    (None, None, "期限：2026年3月4日 20:00（还剩 1 天）"),
    (NEW_YORK, "en", "Deadline: Mar 4, 2026, {hour}:00 AM (1 day left)"),
    ("Not/AZone", None, "期限：2026年3月4日 20:00（还剩 1 天）"),
])
def test_a_reminder_mail_states_the_deadline_in_the_recipients_zone(app, clock, zone, locale, expected):
    """The sweep's reminder mail (rendered by a job, no request) names the deadline in the
    recipient's zone and language, else DISPLAY_TIMEZONE and Chinese."""
    add_books()
    alice = make_user("alice", "alice@example.com")
    bob = make_user("bob", "bob@example.com", beans=1)
    _set(alice, timezone=zone, locale=locale)
    drifts.request_gift(bob, make_gift(alice, SANTI).id, dict(DRIFT_FORM))
    clock.shift(timedelta(days=2))
    assert run_due()["reminded"] == 1
    subject = "Please answer a request" if locale == "en" else "请处理一个请求"  # the recipient's language
    reminder = [m for m in outbox_messages(app.config["OUTBOX_DIR"]) if subject in m["Subject"]]
    assert len(reminder) == 1
    line = expected.format(hour=_hour_in(NEW_YORK, START + timedelta(days=3)))
    for kind in ("plain", "html"):
        assert line in _plain(reminder[0].get_body(preferencelist=(kind,)).get_content())


def test_other_mails_name_no_deadline(app, clock):
    """A request's mail (no deadline to state) has no deadline line, and its text is as before."""
    add_books()
    alice = make_user("alice", "alice@example.com")
    bob = make_user("bob", "bob@example.com", beans=1)
    drifts.request_gift(bob, make_gift(alice, SANTI).id, dict(DRIFT_FORM))
    (message,) = outbox_messages(app.config["OUTBOX_DIR"])
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "期限" not in body and "想要你的《三体》，请同意或拒绝\n\nhttp" in body.replace("\r\n", "\n")


def test_reading_as_restores_the_page_language_and_zone(app):
    """Inside reading_as the recipient's zone and language apply; after it, the page's again."""
    recipient = User(nickname="r", email="r@example.com", timezone=NEW_YORK, locale="en")
    with app.app_context(), app.test_request_context():
        with reading_as(recipient):
            inside = _plain(render_template_string("{{ t|datetime }}", t=NOON))
        after = render_template_string("{{ t|datetime }}", t=NOON)
    assert inside == f"Mar 1, 2026, {_hour_in(NEW_YORK)}:00 AM" and after == "2026年3月1日 20:00"


def test_one_time_written_for_readers_in_turn_reads_right_for_each(app):
    """The same time written for a Chinese page, an English New York reader and the page again reads right each time."""
    from app.libs.display_time import datetime_text
    recipient = User(nickname="r", email="r@example.com", timezone=NEW_YORK, locale="en")
    with app.app_context(), app.test_request_context():
        first = datetime_text(NOON)
        with reading_as(recipient):
            inside = _plain(datetime_text(NOON))
        again = datetime_text(NOON)
    assert (first, again) == ("2026年3月1日 20:00", "2026年3月1日 20:00")
    assert inside == f"Mar 1, 2026, {_hour_in(NEW_YORK)}:00 AM"


def test_time_ago_in_both_languages(app, clock):
    """time_ago says how long ago in the page's language, and "in …" for a time ahead."""
    three_days = NOON - timedelta(days=3)
    assert _render(app, "{{ t|time_ago }}", t=three_days) == "3天前"
    assert _render(app, "{{ t|time_ago }}", "en", t=three_days) == "3 days ago"
    assert _render(app, "{{ t|time_ago }}", "en", t=NOON + timedelta(hours=2)) == "in 2 hours"


@pytest.mark.parametrize("left, chinese, english_text", [
    (timedelta(days=2), "2 天", "2 days"), (timedelta(days=1, hours=1), "2 天", "2 days"),
    (timedelta(days=1), "1 天", "1 day"), (timedelta(hours=5), "5 小时", "5 hours"),
    (timedelta(minutes=61), "2 小时", "2 hours"), (timedelta(seconds=30), "1 分钟", "1 minute"),
    (timedelta(minutes=-5), "1 分钟", "1 minute"), (timedelta(minutes=12), "12 分钟", "12 minutes")])
def test_time_left_rounds_up_in_the_largest_unit(app, clock, left, chinese, english_text):
    """time_left: the largest whole unit, rounded up, at least a minute; a deadline or a timedelta."""
    assert _render(app, "{{ t|time_left }}", t=NOON + left) == chinese
    assert _render(app, "{{ t|time_left }}", "en", t=left) == english_text


@pytest.mark.parametrize("amount, signed, chinese, english_text", [
    (0.5, False, "0.5 个鱼豆", "0.5 beans"), (Decimal("1.0"), False, "1 个鱼豆", "1 bean"),
    (1, True, "+1 个鱼豆", "+1 bean"), (Decimal("-0.5"), True, "-0.5 个鱼豆", "-0.5 beans"),
    (Decimal("-0.0"), True, "0 个鱼豆", "0 beans"), (Decimal("1.5"), False, "1.5 个鱼豆", "1.5 beans"),
    (Decimal("2"), True, "+2 个鱼豆", "+2 beans"), (Decimal("1234.5"), False, "1,234.5 个鱼豆", "1,234.5 beans")])
def test_beans_in_both_languages(app, amount, signed, chinese, english_text):
    """Beans keep their Chinese form; in English the unit is "bean" for exactly one, else "beans"."""
    with app.app_context(), app.test_request_context():
        assert beans_text(amount, signed=signed) == chinese
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert beans_text(amount, signed=signed) == english_text


def test_personal_ledger_times_in_the_readers_zone(app, clock):
    """The personal page's bean ledger shows its times in the account's zone, not UTC."""
    bob = make_user("bob", "bob@example.com", beans=1)
    page = text_of(login_client(app, bob).get("/personal"))
    assert "2026年3月1日 20:00" in page
    _set(bob, timezone="Asia/Tokyo")
    assert "2026年3月1日 21:00" in text_of(login_client(app, bob).get("/personal"))


def test_set_timezone_saves_a_known_zone_and_clears_with_empty(app):
    """set_timezone keeps an IANA zone; an empty name goes back to the site's zone."""
    user = make_user("tz", "tz@example.com")
    set_timezone(user, NEW_YORK)
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == NEW_YORK
    set_timezone(user, " ")
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone is None


@pytest.mark.parametrize("name", ["Mars/Olympus", "asia/shanghai", "../../etc/passwd", "/usr/share/zoneinfo/UTC",
                                  "Asia/Shanghai; DROP TABLE user", "x" * 300, "+08:00"])
def test_set_timezone_refuses_unknown_names(app, name):
    """A name zoneinfo does not know is Refused and nothing is saved."""
    user = make_user("tz", "tz@example.com")
    set_timezone(user, "Europe/Paris")
    with pytest.raises(Refused) as refused:
        set_timezone(user, name)
    assert "未知的时区" in refused.value.message
    db.session.expire_all()
    assert db.session.get(User, user.id).timezone == "Europe/Paris"

"""Times as a reader reads them: in their language and their time zone.

Every time is stored as a naive UTC datetime. A page shows it in the
reader's zone -- the account's ``timezone`` when it names a zone both
zoneinfo and pytz (Flask-Babel's) know, else ``DISPLAY_TIMEZONE`` -- and in
the page's language, through Babel. A mail is read by its recipient, not by
whoever caused it, so ``reading_as(user)`` renders it in the recipient's
language and zone. Data (the export, the API) keeps UTC ISO times and never
comes through here.

Jinja filters (registered by ``register_filters``): ``datetime`` (2026年12月3日
20:15 / Dec 3, 2026, 8:15 PM), ``date`` (2026年12月3日 / Dec 3, 2026),
``time_ago`` (3天前 / 3 days ago) and ``time_left`` (2 天 / 2 days).
"""
import math
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

import pytz
from babel import Locale, dates
from flask import current_app, g, has_app_context
from flask_babel import force_locale, get_locale, get_timezone, ngettext

DEFAULT_LOCALE = "zh"  # the site's own language (app.i18n.DEFAULT_LOCALE)
_FORCED_ZONE = "fisher_reader_zone"  # g attribute set by reading_as


@cache
def _known_zones() -> frozenset[str]:
    """IANA names that both zoneinfo (these filters) and pytz (Flask-Babel's
    own formatting) can read; scanning the zone files once is enough."""
    return frozenset(available_timezones()) & frozenset(pytz.all_timezones_set)


def known_timezone(name) -> bool:
    return isinstance(name, str) and name in _known_zones()


def zone_name(name) -> str:
    """``name`` when it is a known zone, else DISPLAY_TIMEZONE: a bad stored
    zone never breaks a page, the reader just sees the site's zone."""
    return name if known_timezone(name) else current_app.config["DISPLAY_TIMEZONE"]


def reader_zone() -> ZoneInfo:
    """The zone of whoever reads what is being rendered."""
    forced = g.get(_FORCED_ZONE) if has_app_context() else None
    if forced:
        return ZoneInfo(forced)
    if not has_app_context():
        return ZoneInfo("UTC")
    return ZoneInfo(zone_name(str(get_timezone())))


def reader_locale() -> Locale:
    """The page's (or, inside ``reading_as``, the recipient's) language."""
    return get_locale() or Locale.parse(DEFAULT_LOCALE)  # None outside any app context


@contextmanager
def reading_as(user):
    """Render for ``user`` (a mail's recipient): their saved language, else
    Chinese, and their zone, else DISPLAY_TIMEZONE -- whoever's request or
    job is doing the rendering."""
    from app.i18n import LANGUAGES

    locale = user.locale if getattr(user, "locale", None) in LANGUAGES else DEFAULT_LOCALE
    before = g.get(_FORCED_ZONE)
    setattr(g, _FORCED_ZONE, zone_name(getattr(user, "timezone", None)))
    try:
        with force_locale(locale):
            yield
    finally:
        setattr(g, _FORCED_ZONE, before)


def as_utc(value: datetime) -> datetime:
    """A stored naive time is UTC; say so before converting it."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _local(value: datetime) -> datetime:
    return as_utc(value).astimezone(reader_zone())


def datetime_text(value: datetime | None) -> str:
    """The locale's medium date and short time: 2026年12月3日 20:15, Dec 3, 2026, 8:15 PM."""
    if value is None:
        return ""
    return _datetime_written(as_utc(value), reader_zone(), reader_locale())


@lru_cache(maxsize=4096)
def _datetime_written(value: datetime, zone: ZoneInfo, locale: Locale) -> str:
    """``datetime_text`` of an aware time in ``zone`` and ``locale``: a pure
    function, written once each (Babel's formatting was a tenth of a page with
    a ledger)."""
    local = value.astimezone(zone)
    day = dates.format_date(local.date(), "medium", locale=locale)
    clock = dates.format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
    pattern = dates.get_datetime_format("medium", locale=locale).replace("'", "")
    return pattern.replace("{0}", clock).replace("{1}", day)


def date_text(value: datetime | None) -> str:
    """The day in the reader's zone: 2026年12月3日, Dec 3, 2026."""
    if value is None:
        return ""
    return dates.format_date(_local(value).date(), "medium", locale=reader_locale())


def _now() -> datetime:
    return datetime.now(timezone.utc)


def time_ago(value: datetime | None) -> str:
    """How long ago, in the locale's words: 3天前, 3 days ago (or "in ..." for a
    time ahead)."""
    if value is None:
        return ""
    return dates.format_timedelta(as_utc(value) - _now(), add_direction=True, locale=reader_locale())


def time_left(value: datetime | timedelta | None) -> str:
    """The time left until a deadline in its largest whole unit, rounded up
    (1.5 days left read "2 天" / "2 days"): "5 小时", "12 分钟", and at least
    one minute, also once past. Catalog plurals, not Babel's format_timedelta,
    so the Chinese keeps its "2 天" and the rounding stays the deadline's."""
    if value is None:
        return ""
    left = value if isinstance(value, timedelta) else as_utc(value) - _now()
    seconds = left.total_seconds()
    if seconds >= 86400:
        days = math.ceil(seconds / 86400)
        return ngettext("%(num)s 天", "%(num)s 天", days)
    if seconds >= 3600:
        hours = math.ceil(seconds / 3600)
        return ngettext("%(num)s 小时", "%(num)s 小时", hours)
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("%(num)s 分钟", "%(num)s 分钟", minutes)


def register_filters(app) -> None:
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(date_text, "date")
    app.add_template_filter(time_ago, "time_ago")
    app.add_template_filter(time_left, "time_left")

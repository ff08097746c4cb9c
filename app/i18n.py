"""Which language and time zone a page is shown in.

Simplified Chinese is the site's own language: the message ids in the code
and templates are the Chinese text, and English is a translation of them
(``app/translations/en``). A page's language is the reader's choice -- saved
on the account, or for a visitor in the ``locale`` cookie -- else the best
match of ``Accept-Language``, else Chinese. Times are stored in UTC and
shown in the account's time zone, else ``DISPLAY_TIMEZONE``.
"""
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

LANGUAGES = {"zh": "中文", "en": "English"}  # code: its own name
DEFAULT_LOCALE = "zh"
LOCALE_COOKIE = "locale"
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _account(attribute: str) -> str | None:
    """The signed-in reader's saved ``attribute``, None for a visitor (or
    when the account cannot be read: the page then falls back)."""
    try:
        user = current_user._get_current_object()
    except SQLAlchemyError:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, attribute, None)


API_BLUEPRINTS = frozenset({"api_v1", "yushu_api"})  # their answers are not translated


def select_locale() -> str:
    if not has_request_context():  # a CLI command or a job: messages stay in the site's own language
        return DEFAULT_LOCALE
    if request.blueprint in API_BLUEPRINTS:
        return DEFAULT_LOCALE  # problem details and labels in JSON stay Chinese
    chosen = _account("locale") or request.cookies.get(LOCALE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return accepted_language(request.accept_languages)


def accepted_language(accepted) -> str:
    """The first language of Accept-Language (in its order of preference)
    whose primary tag fisher speaks: zh-TW and zh-Hant read Chinese, en-GB
    English; none of them, Chinese."""
    for tag, _quality in accepted:
        primary = tag.replace("_", "-").split("-", 1)[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LOCALE


def select_timezone() -> str:
    """The account's zone; one nobody knows (a bad stored value) is ignored."""
    from app.libs.display_time import zone_name

    return zone_name(_account("timezone"))


def page_locale() -> str:
    """The code (``zh`` or ``en``) of the current page's language."""
    return str(get_locale() or DEFAULT_LOCALE).split("_")[0]


def html_lang() -> str:
    return HTML_LANG.get(page_locale(), "zh-CN")

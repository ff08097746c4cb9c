"""The settings page's small forms, one per setting.

The nickname and the new email address use registration's own field
builders (app/forms/auth.py), so the rules are the same in both places.
The language and zone selects accept what the services accept: the choices
shown are a convenience, the service is the judge (an unknown zone is
Refused there).
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from app.forms.auth import email_field, nickname_field
from app.i18n import LANGUAGES

# Offered in the zone select; any other IANA name zoneinfo knows is accepted too.
COMMON_ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Asia/Singapore",
                "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
                "Australia/Sydney", "UTC")


class LanguageForm(FlaskForm):
    locale = SelectField(_l("语言"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()], validate_choice=False,
                         validators=[AnyOf(list(LANGUAGES), message=_l("不支持这种语言"))])


class TimezoneForm(FlaskForm):
    timezone = SelectField(_l("时区"), validate_choice=False)

    def offer(self, stored: str | None) -> "TimezoneForm":
        """Fill the choices: the site's zone, the common ones, and the stored one
        (kept selected) when it is not among them."""
        zones = list(COMMON_ZONES)
        if stored and stored not in zones:
            zones.insert(0, stored)
        self.timezone.choices = [SelectChoice("", _l("网站默认时区"))] + [SelectChoice(z, z) for z in zones]
        if self.timezone.data is None:
            self.timezone.data = stored or ""
        return self


class NicknameForm(FlaskForm):
    nickname = nickname_field()


class EmailChangeForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请输入当前密码"))])

"""The form of a gift being listed (the copy's condition and a note on it), and
the filters of the list of copies on offer."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.forms.book import KEYWORD_MAX, PageField

from app.libs.enums import GiftCondition

CONDITIONS = [SelectChoice(str(int(c)), _l(c.label)) for c in GiftCondition if c is not GiftCondition.UNSAID]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ConditionField(RadioField):
    """A radio field whose "not one of the choices" message is the site's own."""

    def pre_validate(self, form):
        if self.data and self.data not in {choice.value for choice in CONDITIONS}:
            raise ValidationError(_l("请从列出的品相中选择一项"))


class GiftForm(FlaskForm):
    condition = ConditionField(_l("品相"), choices=CONDITIONS, validators=[Optional()],
                           validate_choice=False)
    note = StringField(_l("品相说明"), filters=[_strip], validators=[
        Optional(), Length(max=200, message=_l("品相说明最多 200 个字"))])

    def condition_value(self) -> GiftCondition:
        return GiftCondition(int(self.condition.data)) if self.condition.data else GiftCondition.UNSAID


class OfferFilterForm(FlaskForm):
    """GET /gifts: a keyword, "有人想要" and the page (no CSRF: it only reads)."""
    class Meta:
        csrf = False

    q = StringField(_l("关键字"), filters=[_strip], validators=[Optional(), Length(
        max=KEYWORD_MAX, message=_l("关键字最多 %(max)s 个字符", max=KEYWORD_MAX))])
    wanted = BooleanField(_l("有人想要"))
    page = PageField(_l("页码"), default=1, validators=[
        Optional(), NumberRange(min=1, max=99, message=_l("页码须在 1 到 99 之间"))])

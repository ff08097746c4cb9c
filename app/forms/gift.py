"""The form of a gift being listed: the copy's condition and a note on it."""
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from app.libs.enums import GiftCondition

CONDITIONS = [SelectChoice(str(int(c)), c.label) for c in GiftCondition if c is not GiftCondition.UNSAID]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ConditionField(RadioField):
    """A radio field whose "not one of the choices" message is in Chinese."""

    def pre_validate(self, form):
        if self.data and self.data not in {choice.value for choice in CONDITIONS}:
            raise ValidationError("请从列出的品相中选择一项")


class GiftForm(FlaskForm):
    condition = ConditionField("品相", choices=CONDITIONS, validators=[Optional()],
                           validate_choice=False)
    note = StringField("品相说明", filters=[_strip], validators=[
        Optional(), Length(max=200, message="品相说明最多 200 个字")])

    def condition_value(self) -> GiftCondition:
        return GiftCondition(int(self.condition.data)) if self.condition.data else GiftCondition.UNSAID

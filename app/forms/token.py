"""The form that makes a personal access token (令牌)."""
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.libs.enums import TokenScope
from app.models.api_token import NAME_MAX

SCOPES = [SelectChoice(scope.value, _l(scope.label)) for scope in TokenScope]  # ids marked in libs/enums


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ScopeField(RadioField):
    """The scope radios, saying so (in the page's language) when the answer is none of them."""

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in SCOPES}:
            raise ValidationError(_("请选择只读或读写"))


class TokenForm(FlaskForm):
    name = StringField(_l("名称"), filters=[_strip], validators=[
        DataRequired(message=_l("请给令牌起个名字，例如“家里的脚本”")),
        Length(max=NAME_MAX, message=_l("名称最多 %(max)d 个字"))])
    scope = ScopeField(_l("权限"), choices=SCOPES, default=TokenScope.READ.value)

"""The book search form (a GET form: no CSRF token)."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


KEYWORD_MAX = 30  # the search input's maxlength too


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PageField(IntegerField):
    """An integer field whose conversion error is in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("页码须是 1 到 99 之间的整数") from None


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("搜索", filters=[_strip], validators=[
        DataRequired(message="请输入书名、作者或 ISBN"),
        Length(min=1, max=KEYWORD_MAX, message=f"关键字长度须在 1 到 {KEYWORD_MAX} 个字符之间")])
    page = PageField("页码", default=1, validators=[
        Optional(), NumberRange(min=1, max=99, message="页码须在 1 到 99 之间")])

"""The book search form (a GET form: no CSRF token) and the form of a book
added by hand."""
import re

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.libs.book_record import TEXT_LIMITS
from app.libs.helper import normalize_isbn


KEYWORD_MAX = 30  # the search input's maxlength too


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PageField(IntegerField):
    """An integer field whose conversion error is in the page's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("页码须是 1 到 99 之间的整数")) from None


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("搜索"), filters=[_strip], validators=[
        DataRequired(message=_l("请输入书名、作者或 ISBN")),
        Length(min=1, max=KEYWORD_MAX, message=_l("关键字长度须在 %(min)s 到 %(max)s 个字符之间"))])
    page = PageField(_l("页码"), default=1, validators=[
        Optional(), NumberRange(min=1, max=99, message=_l("页码须在 %(min)s 到 %(max)s 之间"))])
    offered = BooleanField(_l("只看有人赠送的书"))


_NAME_SPLIT = re.compile(r"[、,，;；/\n]+")


def names(text: str) -> list[str]:
    """A list of names as people type it: 刘慈欣、宝树 or "A, B" or one per line."""
    return [name.strip() for name in _NAME_SPLIT.split(text or "") if name.strip()]


def _limit(name: str, message):
    """At most the stored column's length; ``message`` names the field and
    says "%(max)s" where the limit goes (WTForms fills it in)."""
    return Length(max=TEXT_LIMITS[name], message=message)


class IsbnField(StringField):
    """An ISBN-10 or ISBN-13 (hyphens allowed), kept as its ISBN-13."""

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and self.data:
            isbn = normalize_isbn(self.data)
            if isbn is None:
                self.errors.append(_("这不是有效的 ISBN（请检查位数和最后一位校验码）"))
            else:
                self.data = isbn


class BookForm(FlaskForm):
    """A book added (or corrected) by hand; checked again as an imported record."""
    isbn = IsbnField("ISBN", filters=[_strip], validators=[DataRequired(message=_l("请填写 ISBN"))])
    title = StringField(_l("书名"), filters=[_strip], validators=[
        DataRequired(message=_l("请填写书名")), _limit("title", _l("书名最多 %(max)s 个字符"))])
    subtitle = StringField(_l("副标题"), filters=[_strip], validators=[
        Optional(), _limit("subtitle", _l("副标题最多 %(max)s 个字符"))])
    authors = StringField(_l("作者"), filters=[_strip], validators=[Optional(), Length(max=400)])
    translators = StringField(_l("译者"), filters=[_strip], validators=[Optional(), Length(max=400)])
    publisher = StringField(_l("出版社"), filters=[_strip], validators=[
        Optional(), _limit("publisher", _l("出版社最多 %(max)s 个字符"))])
    pubdate = StringField(_l("出版时间"), filters=[_strip], validators=[
        Optional(), Regexp(r"^\d{4}(-\d{1,2}){0,2}$", message=_l("请写成 2008 或 2008-1 或 2008-01-15"))])
    pages = StringField(_l("页数"), filters=[_strip], validators=[
        Optional(), Regexp(r"^\d{1,5}$", message=_l("页数须是整数"))])
    price = StringField(_l("定价"), filters=[_strip], validators=[Optional(), _limit("price", _l("定价最多 %(max)s 个字符"))])
    binding = StringField(_l("装帧"), filters=[_strip], validators=[
        Optional(), _limit("binding", _l("装帧最多 %(max)s 个字符"))])
    summary = TextAreaField(_l("内容简介"), filters=[_strip], validators=[
        Optional(), _limit("summary", _l("内容简介最多 %(max)s 个字符"))])
    photo = FileField(_l("封面照片（可不传）"))

    def record(self) -> dict:
        """The form as a book record in the Yushu shape."""
        fields = ("isbn", "title", "subtitle", "publisher", "pubdate", "pages", "price", "binding", "summary")
        record = {name: getattr(self, name).data or "" for name in fields}
        record["author"] = names(self.authors.data)
        record["translator"] = names(self.translators.data)
        return record

    def fill(self, book: dict) -> None:
        """Show a stored book in the form (for editing it)."""
        for name in ("isbn", "title", "subtitle", "publisher", "pubdate", "pages", "price", "binding",
                     "summary"):
            getattr(self, name).data = book.get(name, "")
        self.authors.data = "、".join(book.get("author") or [])
        self.translators.data = "、".join(book.get("translator") or [])

    def photo_bytes(self, limit: int) -> bytes | None:
        """The uploaded photo's bytes (at most ``limit`` + 1 are read), or None."""
        upload = self.photo.data
        if not upload or not getattr(upload, "filename", ""):
            return None
        return upload.stream.read(limit + 1)

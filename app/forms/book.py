"""The book search form (a GET form: no CSRF token) and the form of a book
added by hand."""
import re

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
    offered = BooleanField("只看有人赠送的书")


_NAME_SPLIT = re.compile(r"[、,，;；/\n]+")


def names(text: str) -> list[str]:
    """A list of names as people type it: 刘慈欣、宝树 or "A, B" or one per line."""
    return [name.strip() for name in _NAME_SPLIT.split(text or "") if name.strip()]


def _limit(name: str, label: str):
    top = TEXT_LIMITS[name]
    return Length(max=top, message=f"{label}最多 {top} 个字符")


class IsbnField(StringField):
    """An ISBN-10 or ISBN-13 (hyphens allowed), kept as its ISBN-13."""

    def post_validate(self, form, validation_stopped):
        if not validation_stopped and self.data:
            isbn = normalize_isbn(self.data)
            if isbn is None:
                self.errors.append("这不是有效的 ISBN（请检查位数和最后一位校验码）")
            else:
                self.data = isbn


class BookForm(FlaskForm):
    """A book added (or corrected) by hand; checked again as an imported record."""
    isbn = IsbnField("ISBN", filters=[_strip], validators=[DataRequired(message="请填写 ISBN")])
    title = StringField("书名", filters=[_strip], validators=[
        DataRequired(message="请填写书名"), _limit("title", "书名")])
    subtitle = StringField("副标题", filters=[_strip], validators=[Optional(), _limit("subtitle", "副标题")])
    authors = StringField("作者", filters=[_strip], validators=[Optional(), Length(max=400)])
    translators = StringField("译者", filters=[_strip], validators=[Optional(), Length(max=400)])
    publisher = StringField("出版社", filters=[_strip], validators=[Optional(), _limit("publisher", "出版社")])
    pubdate = StringField("出版时间", filters=[_strip], validators=[
        Optional(), Regexp(r"^\d{4}(-\d{1,2}){0,2}$", message="请写成 2008 或 2008-1 或 2008-01-15")])
    pages = StringField("页数", filters=[_strip], validators=[
        Optional(), Regexp(r"^\d{1,5}$", message="页数须是整数")])
    price = StringField("定价", filters=[_strip], validators=[Optional(), _limit("price", "定价")])
    binding = StringField("装帧", filters=[_strip], validators=[Optional(), _limit("binding", "装帧")])
    summary = TextAreaField("内容简介", filters=[_strip], validators=[Optional(), Length(
        max=TEXT_LIMITS["summary"], message=f"内容简介最多 {TEXT_LIMITS['summary']} 个字符")])
    photo = FileField("封面照片（可不传）")

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

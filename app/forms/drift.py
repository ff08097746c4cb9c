"""The forms of a drift (鱼漂): the request, and the notes that go with mailing
it and with reporting a problem."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.libs.enums import N_


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DriftForm(FlaskForm):
    recipient_name = StringField(_l("收件人姓名"), filters=[_strip], validators=[
        DataRequired(message=_l("请填写收件人姓名")),
        Length(2, 20, message=_l("收件人姓名长度必须在2到20个字符之间"))])
    mobile = StringField(_l("手机号"), filters=[_strip], validators=[
        DataRequired(message=_l("请填写手机号")), Regexp(r"^1[0-9]{10}$", message=_l("请输入正确的手机号"))])
    message = TextAreaField(_l("留言"), filters=[_strip], validators=[
        Optional(), Length(max=200, message=_l("留言最多200个字符"))])
    address = StringField(_l("邮寄地址"), filters=[_strip], validators=[
        DataRequired(message=_l("地址不能为空")),
        Length(10, 70, message=_l("地址还不到10个字吗？尽量写详细一些吧（最多70个字）"))])

    def details(self) -> dict:
        return {"recipient_name": self.recipient_name.data, "mobile": self.mobile.data,
                "message": self.message.data or "", "address": self.address.data}


class MailedForm(FlaskForm):
    tracking = StringField(_l("快递单号或备注（可不填）"), filters=[_strip], validators=[
        Optional(), Length(max=100, message=_l("备注最多100个字符"))])


# The stored problem text keeps the Chinese label (it is the drift's record,
# read by both parties and the API); the form shows it translated.
PROBLEMS = {"not_arrived": N_("没有收到"), "damaged": N_("收到的书有损坏")}


class ProblemForm(FlaskForm):
    kind = RadioField(_l("遇到的问题"), choices=[SelectChoice(value, _l(label)) for value, label in PROBLEMS.items()], default="not_arrived",
                      validators=[DataRequired(message=_l("请选择遇到的问题"))])
    note = TextAreaField(_l("说明"), filters=[_strip], validators=[
        Optional(), Length(max=180, message=_l("说明最多180个字符"))])

    def text(self) -> str:
        label = PROBLEMS[self.kind.data]
        return f"{label}：{self.note.data}" if self.note.data else label

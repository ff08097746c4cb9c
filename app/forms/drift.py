"""The form for requesting a book (鱼漂)."""
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DriftForm(FlaskForm):
    recipient_name = StringField("收件人姓名", filters=[_strip], validators=[
        DataRequired(message="请填写收件人姓名"),
        Length(2, 20, message="收件人姓名长度必须在2到20个字符之间")])
    mobile = StringField("手机号", filters=[_strip], validators=[
        DataRequired(message="请填写手机号"), Regexp(r"^1[0-9]{10}$", message="请输入正确的手机号")])
    message = TextAreaField("留言", filters=[_strip], validators=[
        Optional(), Length(max=200, message="留言最多200个字符")])
    address = StringField("邮寄地址", filters=[_strip], validators=[
        DataRequired(message="地址不能为空"),
        Length(10, 70, message="地址还不到10个字吗？尽量写详细一些吧（最多70个字）")])

    def details(self) -> dict:
        return {"recipient_name": self.recipient_name.data, "mobile": self.mobile.data,
                "message": self.message.data or "", "address": self.address.data}

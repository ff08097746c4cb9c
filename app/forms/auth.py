"""Account forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, StopValidation, ValidationError

from app.libs.passwords import is_common
from app.models.user import User, normalize_email


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _canonical(value):
    return normalize_email(value) if isinstance(value, str) else value


def ascii_only(_form, field):
    """Mail to a non-ASCII address needs SMTPUTF8, which we cannot count on."""
    if field.data and not field.data.isascii():
        raise StopValidation("电子邮件地址只能使用英文字母、数字和符号，暂不支持含中文等其他文字的地址")


def _email_field():
    """An address in its canonical form (what is stored and looked up), so the
    length checked is the length stored."""
    return EmailField("电子邮件", filters=[_canonical], validators=[
        DataRequired(message="电子邮件不能为空"), ascii_only,
        Length(8, 64, message="电子邮件长度须在 8 到 64 个字符之间"),
        Email(message="电子邮件不符合规范", allow_smtputf8=False)])


def _new_password(label: str, *extra):
    return PasswordField(label, validators=[
        DataRequired(message="密码不能为空，请输入你的密码"),
        Length(6, 32, message="密码长度须在 6 到 32 个字符之间"), *extra])


def not_common(_form, field):
    if is_common(field.data):
        raise ValidationError("这个密码太常见了，很容易被猜到，请换一个")


class EmailForm(FlaskForm):
    email = _email_field()


class LoginForm(EmailForm):
    password = PasswordField("密码", validators=[DataRequired(message="密码不能为空，请输入你的密码")])
    remember = BooleanField("记住我")


class RegisterForm(EmailForm):
    password = _new_password("密码", not_common)
    nickname = StringField("昵称", filters=[_strip], validators=[
        DataRequired(message="昵称不能为空"), Length(2, 10, message="昵称至少需要两个字符，最多10个字符")])

    def validate_email(self, field):
        if User.email_taken(field.data):
            raise ValidationError("电子邮件已被注册")

    def validate_nickname(self, field):
        if User.nickname_taken(field.data):
            raise ValidationError("昵称已存在")


class ResetPasswordForm(FlaskForm):
    password1 = _new_password("新密码", not_common)
    password2 = PasswordField("确认新密码", validators=[
        DataRequired(message="请再次输入新密码"), EqualTo("password1", message="两次输入的密码不相同")])


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField("原密码", validators=[DataRequired(message="请输入原密码")])
    new_password1 = _new_password("新密码", not_common)
    new_password2 = PasswordField("确认新密码", validators=[
        DataRequired(message="请再次输入新密码"), EqualTo("new_password1", message="两次输入的密码不相同")])

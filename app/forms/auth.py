"""Account forms."""
from flask_babel import gettext as _, lazy_gettext as _l
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
        raise StopValidation(_("电子邮件地址只能使用英文字母、数字和符号，暂不支持含中文等其他文字的地址"))


def email_field():
    """An address in its canonical form (what is stored and looked up), so the
    length checked is the length stored."""
    return EmailField(_l("电子邮件"), filters=[_canonical], validators=[
        DataRequired(message=_l("电子邮件不能为空")), ascii_only,
        Length(8, 64, message=_l("电子邮件长度须在 8 到 64 个字符之间")),
        Email(message=_l("电子邮件不符合规范"), allow_smtputf8=False)])


def _new_password(label, *extra):
    return PasswordField(label, validators=[
        DataRequired(message=_l("密码不能为空，请输入你的密码")),
        Length(6, 32, message=_l("密码长度须在 6 到 32 个字符之间")), *extra])


def nickname_field():
    """The nickname as registration takes it (also the settings page's change
    of nickname, so both keep one set of rules)."""
    return StringField(_l("昵称"), filters=[_strip], validators=[
        DataRequired(message=_l("昵称不能为空")), Length(2, 10, message=_l("昵称至少需要两个字符，最多10个字符"))])


def not_common(_form, field):
    if is_common(field.data):
        raise ValidationError(_("这个密码太常见了，很容易被猜到，请换一个"))


class EmailForm(FlaskForm):
    email = email_field()


class LoginForm(EmailForm):
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("密码不能为空，请输入你的密码"))])
    remember = BooleanField(_l("记住我"))


class RegisterForm(EmailForm):
    password = _new_password(_l("密码"), not_common)
    nickname = nickname_field()

    def validate_email(self, field):
        if User.email_taken(field.data):
            raise ValidationError(_("电子邮件已被注册"))

    def validate_nickname(self, field):
        if User.nickname_taken(field.data):
            raise ValidationError(_("昵称已存在"))


class ResetPasswordForm(FlaskForm):
    password1 = _new_password(_l("新密码"), not_common)
    password2 = PasswordField(_l("确认新密码"), validators=[
        DataRequired(message=_l("请再次输入新密码")), EqualTo("password1", message=_l("两次输入的密码不相同"))])


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(_l("原密码"), validators=[DataRequired(message=_l("请输入原密码"))])
    new_password1 = _new_password(_l("新密码"), not_common)
    new_password2 = PasswordField(_l("确认新密码"), validators=[
        DataRequired(message=_l("请再次输入新密码")), EqualTo("new_password1", message=_l("两次输入的密码不相同"))])

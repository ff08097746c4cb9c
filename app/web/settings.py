"""The settings page: language, time zone, nickname, email address.

Each setting is its own small POST form; a saved one flashes and goes back
to the page, a refused one shows the page again with the error under its
field. A new email address is asked for here and taken from the link mailed
to it (``/settings/email/<token>``, opened logged in or not): the GET shows
a button, the POST makes the change, so a mail scanner following the link
changes nothing.
"""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user, login_required

from app.extensions import limiter, user_key
from app.forms.settings import EmailChangeForm, LanguageForm, NicknameForm, TimezoneForm
from app.i18n import LANGUAGES, LOCALE_COOKIE, page_locale
from app.libs.email import send_mail
from app.services import account, email_verification, settings as changes
from app.services.errors import Conflict, Refused
from app.web import web
from app.web._throttle import account_key, hit_account_limits
from app.web._login import keep_this_session
from app.web.language import COOKIE_MAX_AGE


def _settings_page(status: int = 200, **bound):
    """The page, with ``bound`` (a form just posted) in place of its blank one."""
    user = current_user._get_current_object()
    forms = {"language": LanguageForm(formdata=None, locale=user.locale or page_locale()),
             "timezone": TimezoneForm(formdata=None),
             "nickname": NicknameForm(formdata=None, nickname=user.nickname),
             "email": EmailChangeForm(formdata=None)}
    forms.update(bound)
    forms["timezone"].offer(user.timezone)
    return render_template("settings/index.html", user=user, forms=forms), status


def _back(message: str):
    flash(message, "success")
    return redirect(url_for("web.settings_page"))


@web.get("/settings")
@login_required
def settings_page():
    return _settings_page()


@web.post("/settings/language")
@login_required
def settings_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return _settings_page(400, language=form)
    account.set_locale(current_user._get_current_object(), form.locale.data)
    with force_locale(form.locale.data):  # the flash in the language just chosen
        response = _back(_("语言已保存"))
    response.set_cookie(LOCALE_COOKIE, form.locale.data, max_age=COOKIE_MAX_AGE,
                        samesite="Lax", httponly=True, secure=request.is_secure)
    return response


def _save(name: str, form, field, change, done: str):
    """One setting's POST: validate ``form``, apply ``change(user, value)``,
    flash ``done`` and go back; a refusal becomes the field's error, on the
    page answered 400 with the posted form in place."""
    if form.validate_on_submit():
        try:
            change(current_user._get_current_object(), field.data)
        except (Refused, Conflict) as refused:
            field.errors.append(str(refused.message))
        else:
            return _back(done)
    return _settings_page(400, **{name: form})


@web.post("/settings/timezone")
@login_required
def settings_timezone():
    form = TimezoneForm()
    return _save("timezone", form, form.timezone, account.set_timezone, _("时区已保存"))


@web.post("/settings/nickname")
@login_required
def settings_nickname():
    form = NicknameForm()
    return _save("nickname", form, form.nickname, changes.change_nickname, _("昵称已更新"))


@web.post("/settings/email")
@login_required
def settings_email():
    """Ask to move my account to a new address: a link goes to it, a notice to the old one."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        hit_account_limits("password", account_key(current_user))  # else a password oracle
        user = current_user._get_current_object()
        if not user.check_password(form.password.data):
            form.password.errors.append(_("密码不正确"))
            return _settings_page(400, email=form)
        try:
            token = changes.email_change_token(user, form.email.data)
        except (Refused, Conflict) as refused:
            form.email.errors.append(str(refused.message))
            return _settings_page(400, email=form)
        _send_email_change_mails(user, form.email.data, token)
        return _back(_("确认链接已发到 %(email)s，打开链接后新邮箱才会生效", email=form.email.data))
    return _settings_page(400, email=form)


def _send_email_change_mails(user, new_email: str, token: str) -> None:
    """The link to the new address and a word to the old one, in the account's language."""
    hours = changes.link_hours()
    with force_locale(user.locale if user.locale in LANGUAGES else page_locale()):
        send_mail(new_email, _("确认你的新邮箱"), "email_change", user=user, token=token, hours=hours)
        send_mail(user.email, _("有人请求修改你的邮箱"), "email_change_notice", user=user,
                  new_email=new_email)


@web.route("/settings/email/<token>", methods=["GET", "POST"])
def settings_email_confirm(token):
    """Take the new address from the mailed link (a POST, from the page's button)."""
    try:
        user, new_email = changes.email_change_request(token)
    except Refused as refused:
        return render_template("settings/email_link.html", problem=refused.message), 400
    if request.method == "GET":
        return render_template("settings/email_link.html", user=user, new_email=new_email)
    mine = current_user.is_authenticated and current_user.id == user.id
    try:
        changes.confirm_email_change(token)
    except (Refused, Conflict) as refused:
        return render_template("settings/email_link.html", problem=refused.message), 400
    if mine:  # every other session ended; this one carries on
        keep_this_session(user)
    flash(_("你的电子邮件地址已改为 %(email)s，其他设备上的登录已退出", email=new_email), "success")
    return redirect(url_for("web.settings_page" if current_user.is_authenticated else "web.login"))


# -- verifying a new account's address ------------------------------------------------------

def send_verification_mail(user) -> None:
    """The link that verifies ``user``'s address, in the account's language."""
    with force_locale(user.locale if user.locale in LANGUAGES else page_locale()):
        send_mail(user.email, _("请验证你的邮箱"), "verify_email", user=user,
                  token=email_verification.verification_token(user), hours=email_verification.link_hours())


def _resend_limit() -> str:
    return current_app.config["VERIFY_RESEND_RATE_LIMIT"]


@web.post("/settings/verify/resend")
@login_required
@limiter.limit(_resend_limit, key_func=user_key)
def resend_verification():
    """Mail the verification link again (rate limited per account)."""
    user = current_user._get_current_object()
    if user.email_verified:
        flash(_("你的邮箱已经验证过了"), "info")
    else:
        send_verification_mail(user)
        flash(_("验证邮件已重新发到 %(email)s", email=user.email), "success")
    return redirect(url_for("web.settings_page"))


@web.route("/verify/email/<token>", methods=["GET", "POST"])
def verify_email(token):
    """The mailed link: the GET shows a button, its POST marks the address verified."""
    try:
        if request.method == "GET":
            email_verification.token_account(token)
            return render_template("settings/verify_link.html")
        email_verification.verify_email(token)
    except Refused as refused:
        return render_template("settings/verify_link.html", problem=refused.message), 400
    flash(_("邮箱已验证，通知邮件会发到这个地址"), "success")
    return redirect(url_for("web.settings_page" if current_user.is_authenticated else "web.login"))

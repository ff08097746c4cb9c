"""Register, log in and out, change and reset the password, personal page."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import limiter, login_rate_limit, register_rate_limit
from app.forms.auth import ChangePasswordForm, EmailForm, LoginForm, RegisterForm, ResetPasswordForm
from app.i18n import LANGUAGES, page_locale
from sqlalchemy.exc import IntegrityError

from app.libs.email import send_mail
from app.libs.helper import is_safe_next
from app.models import page_queries
from app.models.base import db
from app.models.user import User, password_matches
from app.services import account
from app.services.errors import Conflict, Refused
from app.services.notices import MAIL_GROUP_KEYS, MAIL_GROUPS, set_mail_groups
from app.view_models.ledger import ledger_rows
from app.web import web
from app.web._login import keep_this_session
from app.web._throttle import account_attempt, account_key, hit_account_limits
from app.web.settings import send_verification_mail


def _account_made(response) -> bool:
    return response.status_code == 302


@web.route("/register", methods=["GET", "POST"])
@limiter.limit(register_rate_limit, methods=["POST"], deduct_when=_account_made)
def register():
    """Make an account; REGISTER_RATE_LIMIT counts the accounts made per address."""
    form = RegisterForm()
    if form.validate_on_submit():
        verify = current_app.config["EMAIL_VERIFICATION"]
        user = User(email=form.email.data, nickname=form.nickname.data, email_verified=not verify)
        user.password = form.password.data
        try:
            with db.auto_commit():
                db.session.add(user)
        except IntegrityError:  # the same email or nickname registered a moment ago
            form.email.errors.append(_("电子邮件或昵称刚刚已被注册，请换一个"))
            return render_template("auth/register.html", form=form)
        login_user(user)
        if verify:
            send_verification_mail(user)
        flash(_("注册成功，欢迎来到鱼书"), "success")
        return redirect(url_for("web.welcome"))
    return render_template("auth/register.html", form=form)


@web.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = account_attempt("password", form.email.data)
        if password_matches(user, form.password.data):
            account.rehash_if_outdated(user, form.password.data)
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("web.index"))
        flash(_("账号不存在或密码错误"), "danger")
    return render_template("auth/login.html", form=form)


@web.post("/logout")
@login_required
def logout():
    """Log out. The session generation is bumped too, so a copied session or
    remember-me cookie of this account stops working (on every device:
    sessions carry no id of their own that could be revoked alone)."""
    return _logged_out(_("你已退出登录"), "web.index")


@web.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """End every session and remember-me cookie of my account, this one too."""
    return _logged_out(_("已退出所有设备上的登录"), "web.login")


def _logged_out(message: str, endpoint: str):
    account.end_sessions(current_user._get_current_object())
    logout_user()
    flash(message, "info")
    return redirect(url_for(endpoint))


@web.route("/reset/password", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def reset_password_request():
    """Ask for a reset link; known and unknown addresses get the same answer."""
    form = EmailForm()
    if form.validate_on_submit():
        user = account_attempt("reset", form.email.data)
        if user:
            _send_reset_mail(user)
        flash(_("如果该邮箱已注册，一封重置密码的邮件已经发出，请查收"), "info")
        return redirect(url_for("web.login"))
    return render_template("auth/reset_password_request.html", form=form)


def _send_reset_mail(user: User) -> None:
    """The reset mail, in the reader's language: the account's saved choice,
    else the language of the page the reset was asked from."""
    with force_locale(user.locale if user.locale in LANGUAGES else page_locale()):
        send_mail(user.email, _("重置你的密码"), "reset_password", user=user,
                  token=user.generate_reset_token(),
                  minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60)


@web.route("/reset/password/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Set a new password from a reset link (valid once, until it expires)."""
    user = User.from_reset_token(token)
    if user is None:
        return render_template("auth/reset_link_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if not account.reset_password(user, form.password1.data):
            return render_template("auth/reset_link_invalid.html"), 400
        flash(_("你的密码已更新，请使用新密码登录"), "success")
        return redirect(url_for("web.login"))
    return render_template("auth/reset_password.html", form=form)


@web.route("/change/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change my password: every other session ends, this one stays logged in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        hit_account_limits("password", account_key(current_user))  # else an old-password oracle
        user = current_user._get_current_object()
        try:
            account.change_password(user, form.old_password.data, form.new_password1.data)
        except Conflict as ended:
            logout_user()
            flash(str(ended.message), "warning")  # a flash is kept as text
            return redirect(url_for("web.login"))
        except Refused as refused:
            form.old_password.errors.append(refused.message)
        else:
            keep_this_session(user)  # the new session id
            flash(_("密码已更新，其他设备上的登录已退出"), "success")
            return redirect(url_for("web.personal_center"))
    return render_template("auth/change_password.html", form=form)


@web.get("/personal")
@login_required
def personal_center():
    """My account, my bean ledger (newest first) and my mail settings."""
    ledger = ledger_rows(rows=page_queries.ledger_rows(current_user.id), viewer_id=current_user.id)
    return render_template("auth/personal.html", user=current_user, ledger=ledger,
                           mail_groups=MAIL_GROUPS)


@web.post("/personal/mail")
@login_required
def mail_settings():
    """Which kinds of notices also come by email (checked boxes named ``mail``)."""
    set_mail_groups(current_user, set(request.form.getlist("mail")) & MAIL_GROUP_KEYS)
    flash(_("邮件通知设置已保存"), "success")
    return redirect(url_for("web.personal_center"))

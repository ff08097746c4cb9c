"""The account area in English: sign-up, login, password reset and change, the personal page,
API tokens and the wish import, their form errors and flashes, and the reset mail's language."""
import io
import re

import pytest
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from app.forms.auth import ChangePasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from app.forms.token import TokenForm
from app.forms.wish_import import WishImportForm
from app.models.base import db
from app.models.user import User
from tests.helpers import HUOZHE, SANTI, login_client, make_user, outbox_messages, text_of
from tests.i18n_helpers import chinese_left, english

# Chinese that these pages show from files other areas own: the flash's close button
# (_flashes.html), the bean amounts (the ``beans`` filter), the mail settings' labels
# (services/notices.py), the token scopes (libs/enums.py) and "never used" on the line of
# tokens.html that formats times. Allowing them changes nothing once they are translated.
OTHER_AREAS = []  # every area is translated now
# The mails' shared layout (email/_layout.html) and subject prefix (MAIL_SUBJECT_PREFIX).
MAIL_LAYOUT = []


def main_of(resp) -> str:
    """The page's own part (the layout's navigation and footer belong to another area)."""
    page = resp.get_data(as_text=True)
    return page[page.index("<main"):page.index("</main>")]


def title_of(resp) -> str:
    return re.search(r"<title>(.*?) · ", resp.get_data(as_text=True), re.S).group(1)


def left(resp, *allowed) -> list[str]:
    return chinese_left(main_of(resp), allowed=[*OTHER_AREAS, *allowed])


def english_user(nickname="Alice", email="alice@example.com", locale="en", beans=0):
    user = make_user(nickname, email, beans=beans)
    with db.auto_commit():
        db.session.get(User, user.id).locale = locale
    return user


def reset_token(app, user) -> str:
    with app.test_request_context():
        return db.session.get(User, user.id).generate_reset_token()


def bodies(message) -> str:
    return "\n".join(message.get_body(preferencelist=(kind,)).get_content() for kind in ("plain", "html"))


# -- pages a visitor sees -------------------------------------------------------

@pytest.mark.parametrize("path, title, key", [
    ("/login", "Log in", "Forgot your password?"),
    ("/register", "Sign up", "2 to 10 characters, shown to other readers"),
    ("/reset/password", "Forgot password", "we will send you a link to reset your password"),
])
def test_visitor_pages_are_english(client, path, title, key):
    """The login, sign-up and reset-request pages have no Chinese left in English."""
    resp = english(client).get(path)
    assert resp.status_code == 200 and left(resp) == []
    assert title_of(resp) == title and key in text_of(resp)


def test_reset_form_and_invalid_link_are_english(app, client):
    """The new-password form of a valid link, and the page of a bad one, are English."""
    token = reset_token(app, make_user("Alice", "alice@example.com"))
    resp = english(client).get(f"/reset/password/{token}")
    assert resp.status_code == 200 and left(resp) == [] and "Set a new password" in text_of(resp)
    bad = client.get("/reset/password/not-a-token")
    assert bad.status_code == 400 and left(bad) == []
    minutes = app.config["RESET_TOKEN_MAX_AGE"] // 60
    assert f"A reset link works once and for {minutes} minutes" in text_of(bad)


def test_login_required_flash_is_english(client):
    """A visitor sent to the login page from a members' page is told so in English."""
    resp = english(client).get("/personal", follow_redirects=True)
    assert "Please log in or sign up first" in text_of(resp) and left(resp) == []


def test_chinese_pages_stay_chinese(client):
    """With no language chosen the account pages and their messages are the Chinese ones."""
    assert "还没有账号？" in text_of(client.get("/login"))
    resp = client.post("/register", data={"email": "x@example.com", "nickname": "a", "password": "1"})
    assert "密码长度须在 6 到 32 个字符之间" in text_of(resp)


# -- form errors and flashes ------------------------------------------------------

def test_register_errors_are_english(client):
    """A too-short password and nickname, and a bad address, are refused in English."""
    resp = english(client).post("/register", data={"email": "not-an-address", "nickname": "a", "password": "1"})
    page = text_of(resp)
    assert "A password must be 6 to 32 characters long" in page
    assert "A nickname must be 2 to 10 characters long" in page
    assert "That is not a valid email address" in page and left(resp, "not-an-address") == []


def test_register_taken_and_common_are_english(client):
    """A taken email and nickname, and a common password, are refused in English."""
    make_user("Alice", "alice@example.com")
    resp = english(client).post("/register", data={"email": "alice@example.com", "nickname": "Alice",
                                                    "password": "123456"})
    page = text_of(resp)
    assert "That email is already registered" in page and "That nickname is taken" in page
    assert "That password is too common" in page and left(resp, "Alice") == []


def test_non_ascii_email_refused_in_english(client):
    """An address in Chinese characters gets the English explanation."""
    resp = english(client).post("/login", data={"email": "张三@example.com", "password": "x"})
    assert "addresses with Chinese or other scripts are not supported" in text_of(resp)
    assert left(resp, "张三") == []


def test_register_flash_is_english(client):
    """Signing up in English greets the new reader in English."""
    resp = english(client).post("/register", data={"email": "bob@example.com", "nickname": "Bob",
                                                   "password": "zq8!kk2mm"}, follow_redirects=True)
    assert "Welcome to Fisher" in text_of(resp)


def test_wrong_login_flash_is_english(client):
    """A wrong password is answered in English, with nothing Chinese on the page."""
    make_user("Alice", "alice@example.com")
    resp = english(client).post("/login", data={"email": "alice@example.com", "password": "wrong-one"})
    assert "Unknown account or wrong password" in text_of(resp) and left(resp) == []


def test_reset_request_flash_is_english(client):
    """Asking for a reset link is answered in English, for known and unknown addresses alike."""
    make_user("Alice", "alice@example.com")
    english(client)
    for email in ("alice@example.com", "nobody@example.com"):
        resp = client.post("/reset/password", data={"email": email}, follow_redirects=True)
        assert "a password reset mail is on its way" in text_of(resp) and left(resp) == []


def test_reset_form_errors_and_flash_are_english(app, client):
    """Mismatched new passwords are refused in English; a good one ends with an English flash."""
    token = reset_token(app, make_user("Alice", "alice@example.com"))
    english(client)
    resp = client.post(f"/reset/password/{token}", data={"password1": "zq8!kk2mm", "password2": "other-one"})
    assert "The two passwords do not match" in text_of(resp) and left(resp) == []
    resp = client.post(f"/reset/password/{token}", data={"password1": "zq8!kk2mm", "password2": "zq8!kk2mm"},
                       follow_redirects=True)
    assert "Your password is updated" in text_of(resp)


def test_change_password_page_and_errors_are_english(app):
    """The change form is English, as are a wrong current password and a short new one."""
    client = login_client(app, english_user())
    assert left(client.get("/change/password")) == []
    resp = client.post("/change/password", data={"old_password": "wrong", "new_password1": "zq8!kk2mm",
                                                 "new_password2": "zq8!kk2mm"})
    assert "The current password is wrong" in text_of(resp) and left(resp) == []
    resp = client.post("/change/password", data={"old_password": "secret123", "new_password1": "12",
                                                 "new_password2": "12"})
    assert "A password must be 6 to 32 characters long" in text_of(resp)
    resp = client.post("/change/password", data={"old_password": "secret123", "new_password1": "zq8!kk2mm",
                                                 "new_password2": "zq8!kk2mm"}, follow_redirects=True)
    assert "you are logged out on your other devices" in text_of(resp) and left(resp) == []


def test_logout_flashes_are_english(app):
    """Logging out, here or everywhere, is confirmed in English (the page after it, by the cookie, too)."""
    resp = english(login_client(app, english_user())).post("/logout/everywhere", follow_redirects=True)
    assert "You are logged out on every device" in text_of(resp) and left(resp) == []
    client = login_client(app, english_user("Bob", "bob@example.com"))
    resp = client.post("/logout", follow_redirects=True)
    assert "You are logged out" in text_of(resp)


# -- the personal page, tokens and the import --------------------------------------

def test_personal_page_is_english(app):
    """The personal page, with a bean history, has no Chinese of its own in English."""
    client = login_client(app, english_user(beans=3))
    resp = client.get("/personal")
    page = text_of(resp)
    assert left(resp, "test_grant") == [] and title_of(resp) == "My account"
    assert "Bean history" in page and "0 books" in page and "Log out everywhere" in page
    assert 'aria-label="My lists"' in resp.get_data(as_text=True)


def test_personal_page_without_history_and_mail_flash(app):
    """With no bean history the hint is English, and saving the mail settings flashes English."""
    client = login_client(app, english_user())
    resp = client.get("/personal")
    assert "No bean changes yet" in text_of(resp) and left(resp) == []
    resp = client.post("/personal/mail", data={"mail": ["request"]}, follow_redirects=True)
    assert "Email notice settings saved" in text_of(resp)


def test_tokens_page_is_english(app):
    """The tokens page in English, before and after making a token, has no Chinese of its own."""
    client = login_client(app, english_user())
    resp = client.get("/personal/tokens")
    assert left(resp) == [] and "No tokens yet." in text_of(resp)
    made = client.post("/personal/tokens", data={"name": "home script", "scope": "read"})
    assert "Token created." in text_of(made) and left(made) == []
    listed = client.get("/personal/tokens")
    html = listed.get_data(as_text=True)
    assert left(listed) == [] and "My tokens (1 / " in text_of(listed)
    assert "Revoke the token “home script”?" in html


def test_token_errors_and_limit_are_english(app):
    """An empty name, a bad scope and one token over the limit are refused in English."""
    app.config["API_TOKENS_MAX"] = 1
    client = login_client(app, english_user())
    resp = client.post("/personal/tokens", data={"name": "", "scope": "admin"})
    assert "Please give the token a name" in text_of(resp) and "read-only or read-write" in text_of(resp)
    assert left(resp) == []
    long = client.post("/personal/tokens", data={"name": "x" * 51, "scope": "read"})
    assert "A name can have at most 50 characters" in text_of(long)
    client.post("/personal/tokens", data={"name": "one", "scope": "read"})
    over = client.post("/personal/tokens", data={"name": "two", "scope": "read"})
    assert "An account can have at most 1 tokens" in text_of(over) and left(over) == []


def test_revoke_flash_is_english(app):
    """Revoking a token is confirmed in English; another's token stays a 404."""
    from app.services.api_tokens import tokens_of
    user = english_user()
    client = login_client(app, user)
    client.post("/personal/tokens", data={"name": "one", "scope": "write"})
    tid = tokens_of(user)[0].id
    resp = client.post(f"/personal/tokens/{tid}/revoke", follow_redirects=True)
    assert "Token revoked" in text_of(resp)
    other = login_client(app, english_user("Bob", "bob@example.com"))
    assert other.post(f"/personal/tokens/{tid}/revoke").status_code == 404


def _upload(client, data: bytes, name="list.txt"):
    return client.post("/personal/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_import_page_and_outcomes_are_english(app, books):
    """The import page and each line's outcome read English (book titles aside)."""
    client = login_client(app, english_user())
    assert left(client.get("/personal/import")) == []
    resp = _upload(client, f"{SANTI}\nnot-an-isbn\n{SANTI}\n{HUOZHE}\n".encode())
    page = text_of(resp)
    assert resp.status_code == 200 and left(resp) == []
    assert "Import results (ISBN list)" in page and "Added: 2; Already on your lists: 1; Invalid ISBN: 1" in page


def test_goodreads_outcomes_escape_titles(app, books):
    """A Goodreads line reads "Title (ISBN)" in English, and a title is shown as text, never as HTML."""
    client = login_client(app, english_user())
    csv = ('Title,ISBN,ISBN13,Exclusive Shelf\n"<b>bold</b>",="",="",to-read\n'
           f'Santi,="",="{SANTI}",to-read\n')
    resp = _upload(client, csv.encode(), "goodreads.csv")
    html = resp.get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt; (no ISBN)" in html and "<b>bold</b>" not in html
    assert f"Santi ({SANTI})" in html and "Import results (Goodreads export)" in html and left(resp) == []


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01binary", "This is not a text file"),
    ("ISBN 列表".encode("gbk"), "The file is not UTF-8 text"),
    (b"# only a comment\n", "The file has no ISBNs"),
])
def test_import_refusals_are_english(app, data, message):
    """A file that cannot be imported is refused whole, with an English reason."""
    client = login_client(app, english_user())
    resp = _upload(client, data)
    assert resp.status_code == 400 and message in text_of(resp) and left(resp) == []


def test_import_limits_are_english(app):
    """Too many lines and too many bytes are refused in English, with the numbers."""
    app.config.update(WISH_IMPORT_MAX_LINES=1, WISH_IMPORT_MAX_BYTES=2048)
    client = login_client(app, english_user())
    resp = _upload(client, f"{SANTI}\n{HUOZHE}\n".encode())
    assert "at most 1 books at once and this file has 2" in text_of(resp)
    assert "the maximum is 2 KB" in text_of(_upload(client, b"9" * 3000))
    assert "Please choose a file to import" in text_of(client.post("/personal/import", data={}))


# -- the reset mail's language ------------------------------------------------------

def _reset_mail(app, client, email):
    client.post("/reset/password", data={"email": email})
    return outbox_messages(app.config["OUTBOX_DIR"])[-1]


def test_reset_mail_follows_the_account_language(app, client):
    """An English account gets the reset mail in English, even asked from a Chinese page."""
    english_user()
    mail = _reset_mail(app, client, "alice@example.com")
    text = bodies(mail)
    assert mail["Subject"].endswith("Reset your password") and "Hello Alice," in text
    assert "Someone asked to reset your Fisher password" in text and "/reset/password/" in text
    assert chinese_left(text + mail["Subject"], allowed=MAIL_LAYOUT) == []


def test_reset_mail_chinese_account_from_english_page(app, client):
    """A Chinese account gets the reset mail in Chinese, even asked from an English page."""
    english_user("爱丽丝", "alice@example.com", locale="zh")
    mail = _reset_mail(app, english(client), "alice@example.com")
    assert mail["Subject"].endswith("重置你的密码") and "爱丽丝，你好：" in bodies(mail)
    assert "Someone asked" not in bodies(mail)


def test_reset_mail_without_choice_follows_the_page(app, client):
    """An account with no saved language gets the mail in the language of the page it was asked from."""
    make_user("Alice", "alice@example.com")
    assert "Hello Alice," in bodies(_reset_mail(app, english(client), "alice@example.com"))
    client.set_cookie("locale", "zh")
    assert "Alice，你好：" in bodies(_reset_mail(app, client, "alice@example.com"))


def test_reset_mail_leaves_the_page_language_alone(app, client):
    """Sending a Chinese mail from an English page does not turn the rest of the answer Chinese."""
    english_user("爱丽丝", "alice@example.com", locale="zh")
    resp = english(client).post("/reset/password", data={"email": "alice@example.com"}, follow_redirects=True)
    assert "a password reset mail is on its way" in text_of(resp)


# -- WTForms' own messages ------------------------------------------------------------

@pytest.mark.parametrize("form_class", [LoginForm, RegisterForm, ResetPasswordForm, ChangePasswordForm,
                                        TokenForm, WishImportForm])
def test_account_forms_carry_their_own_messages(app, form_class):
    """Every built-in validator of the account forms has a message of ours (translated), none of WTForms'."""
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        for field in form:
            for validator in field.validators:
                if hasattr(validator, "message"):
                    assert validator.message is not None, (form_class.__name__, field.name, validator)


def test_wtforms_builtin_messages_follow_the_page_language(app):
    """Were a built-in message used, Flask-WTF's i18n would give it in the page's language."""
    class Bare(FlaskForm):
        name = StringField("name", validators=[Length(min=6)])

    def errors(locale):  # a fresh app context each: the page's locale is kept on ``g``
        with app.app_context(), app.test_request_context(method="POST", data={"name": "abc"},
                                                         headers={"Cookie": f"locale={locale}"}):
            form = Bare(meta={"csrf": False})
            assert not form.validate()
            return form.name.errors

    assert errors("en") == ["Field must be at least 6 characters long."]
    assert chinese_left(errors("zh")[0]) != []

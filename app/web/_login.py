"""Keeping the session that made a change once the account's other sessions end."""
from flask import current_app, request
from flask_login import login_user


def keep_this_session(user) -> None:
    """Log ``user`` in again under its new session generation (after a
    password or email change ended every session), remembered as before."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)

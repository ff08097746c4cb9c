"""Per-account rate limits, keyed on the account a request actually reaches.

Flask-Limiter's decorators limit each client address before a view runs. The
limits here need the account, so a view calls ``hit_account_limits`` once it
has looked the account up: ``LOGIN_RATE_LIMIT`` per (account, client address)
and the softer ``ACCOUNT_RATE_LIMIT`` per account. Guesses from one address
throttle that address without locking the owner out from their own, and
spelling the address differently ("VICTIM@…", full-width letters) cannot
start a fresh count, because the key is the account's id.
"""
import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from app.extensions import limiter
from app.models.user import User, normalize_email

NAMESPACE = "fisher-account"


def account_key(user, email: str = "") -> str:
    """The account's id; an address with no account is keyed by its canonical
    form, so unknown and known addresses are throttled alike."""
    return f"user:{user.id}" if user is not None else "email:" + normalize_email(email)[:64]


def account_attempt(scope: str, email: str) -> "User | None":
    """The account ``email`` names (or None), after counting one attempt of
    kind ``scope`` on it -- over a limit, 429 before anything is checked."""
    user = User.by_email(email)
    hit_account_limits(scope, account_key(user, email))
    return user


def hit_account_limits(scope: str, account: str) -> None:
    """Count one attempt of kind ``scope`` on ``account``; over a limit, 429 with Retry-After.

    The (account, address) limit is counted first: an address already
    throttled there does not use up the account's overall allowance."""
    if not limiter.enabled:
        return
    config = current_app.config
    for limits_text, keys in ((config["LOGIN_RATE_LIMIT"], (scope, account, get_remote_address())),
                              (config["ACCOUNT_RATE_LIMIT"], (scope, account))):
        for item in parse_many(limits_text):
            if not limiter.limiter.hit(item, NAMESPACE, *keys):
                reset = limiter.limiter.get_window_stats(item, NAMESPACE, *keys).reset_time
                raise TooManyRequests(retry_after=max(1, math.ceil(reset - time.time())))

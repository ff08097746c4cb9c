"""The JSON API at /api/v1, authenticated by personal access tokens.

The blueprint and what holds for all of it: cookies never authenticate
these paths (``app/api/auth``), so it is exempt from CSRF; every error is
problem+json (``app/api/problems``, through ``app/api/errors``); answers
are never cached by a shared cache. Requests are limited per client
address (API_V1_RATE_LIMIT, counted before the token is checked, so
guessing tokens is limited as well) and per token (API_V1_TOKEN_RATE_LIMIT).
The operations live in the ``v1_*`` modules imported at the bottom; the
OpenAPI document generated from them is ``GET /api/v1/openapi.json``.
"""
import hashlib

from flask import Blueprint, current_app, g, jsonify

from app.api.auth import bearer_secret, ignore_session
from app.api.paging import BadCursor
from app.api.problems import problem
from app.api.schemas.common import Me
from app.api.spec import openapi_document, operation
from app.extensions import limiter
from app.libs.enums import TokenScope
from app.services import errors
from flask_limiter.util import get_remote_address

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def api_v1_rate_limit() -> str:
    return current_app.config["API_V1_RATE_LIMIT"]


def api_v1_token_rate_limit() -> str:
    return current_app.config["API_V1_TOKEN_RATE_LIMIT"]


def token_key() -> str:
    """The request's token (a digest of it, never the secret) for the
    per-token limit; requests without one count by address."""
    secret = bearer_secret()
    if not secret:
        return get_remote_address()
    return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


limiter.limit(api_v1_rate_limit)(api_v1)
limiter.limit(api_v1_token_rate_limit, key_func=token_key)(api_v1)
api_v1.before_request(ignore_session)


@api_v1.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document of this API (needs no token)."""
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@api_v1.get("/me")
@operation("getMe", ok=Me, tags=("account",))
def me():
    """The token's account, and what the token may do."""
    user = g.api_user
    return jsonify({"id": user.id, "nickname": user.nickname, "beans": float(user.beans),
                    "scope": g.api_token.scope})


@api_v1.post("/me/ping")
@operation("ping", scope=TokenScope.WRITE, ok=None, status=204, tags=("account",))
def ping():
    """A probe for write scope only: changes nothing, answers 204."""
    return "", 204


@api_v1.after_request
def no_store(response):
    """Answers are one account's: no shared cache keeps them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@api_v1.errorhandler(BadCursor)
def bad_cursor(error):
    return problem(400, "cursor 无效：请使用上一页给出的 next_cursor", kind="invalid-cursor",
                   title="Invalid cursor")


@api_v1.errorhandler(errors.NotFound)
def not_found(error):
    """A service's NotFound carries the id it looked for, not words for a
    person: the answer says what it means instead."""
    return problem(404, "没有这个对象，或它不属于你")


@api_v1.errorhandler(errors.Refused)
def refused(error):
    return problem(400, error.message, kind="refused", title="Refused")


@api_v1.errorhandler(errors.Conflict)
def conflict(error):
    return problem(409, error.message, kind="conflict", title="Conflict")


from app.api import v1_books, v1_lists, v1_drifts, v1_account  # noqa: E402,F401  (operations)

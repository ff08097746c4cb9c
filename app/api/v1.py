"""The JSON API at /api/v1, authenticated by personal access tokens.

Only a probe lives here so far: ``GET /api/v1/me`` (the token's account)
and ``POST /api/v1/me/ping``, which does nothing and exists to test that a
write needs a write token. Cookies never authenticate these paths
(``app/api/auth``), so the blueprint is exempt from CSRF; every error is
problem+json (``app/api/problems``, through ``app/api/errors``). Requests are
limited per client address (API_V1_RATE_LIMIT), counted before the token is
checked, so guessing tokens is limited as well.
"""
from flask import Blueprint, current_app, g, jsonify

from app.api.auth import ignore_session, token_required
from app.api.problems import problem
from app.extensions import limiter
from app.libs.enums import TokenScope
from app.services import errors

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def api_v1_rate_limit() -> str:
    return current_app.config["API_V1_RATE_LIMIT"]


limiter.limit(api_v1_rate_limit)(api_v1)
api_v1.before_request(ignore_session)


@api_v1.get("/me")
@token_required(TokenScope.READ)
def me():
    """The token's account, and what the token may do."""
    user = g.api_user
    return jsonify({"id": user.id, "nickname": user.nickname, "beans": float(user.beans),
                    "scope": g.api_token.scope})


@api_v1.post("/me/ping")
@token_required(TokenScope.WRITE)
def ping():
    """A probe for write scope only: changes nothing, answers 204."""
    return "", 204


@api_v1.after_request
def no_store(response):
    """Answers are one account's: no shared cache keeps them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@api_v1.errorhandler(errors.NotFound)
def not_found(error):
    return problem(404, error.message)


@api_v1.errorhandler(errors.Refused)
def refused(error):
    return problem(400, error.message)


@api_v1.errorhandler(errors.Conflict)
def conflict(error):
    return problem(409, error.message)

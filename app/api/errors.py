"""Errors of the API paths as JSON instead of the site's HTML pages.

Routing failures (an unknown path, a wrong method) happen before any
blueprint is chosen, so the site-wide error handlers in ``app/web`` ask
``is_api_request`` and answer through ``api_error`` for every path under
``/v2/`` and ``/api/v1``: an API client always gets a JSON body it can read
-- the Yushu shape under /v2, problem details (``app/api/problems``) under
/api/v1.
"""
from flask import jsonify, request

from app.api.problems import is_api_v1_request, problem
from app.models.base import db

API_PREFIX = "/v2/"
# The Yushu API's error_code beside the HTTP status.
ERROR_CODES = {400: 1001, 404: 1000, 405: 1002, 429: 1003}
MESSAGES = {400: "invalid request", 404: "not found", 405: "method not allowed",
            429: "too many requests", 500: "server error", 503: "service unavailable"}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) or is_api_v1_request()


def api_error(code: int, message: str | None = None, headers: dict | None = None):
    """A JSON error answer: ``{"msg", "error_code", "request"}`` and ``code``
    (a problem+json one under /api/v1)."""
    if is_api_v1_request():
        return problem(code, message or "", headers=headers)
    try:
        db.session.rollback()  # as the HTML error pages do; never fails the answer
    except Exception:  # noqa: BLE001 - the database may be what failed
        pass
    body = {"msg": message or MESSAGES.get(code, "error"), "error_code": ERROR_CODES.get(code, 999),
            "request": f"{request.method} {request.path}"[:200]}
    response = jsonify(body)
    response.status_code = code
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response

"""Error answers of /api/v1 as RFC 9457 problem details.

Every error under /api/v1 -- a missing token, a wrong method, an unknown
path, a rate limit, a failure -- is ``application/problem+json`` with
``type``, ``title``, ``status`` and ``detail``. A plain HTTP error has the
type ``about:blank`` and the status's phrase as its title (as RFC 9457 asks);
the token problems have types of their own, so a client can tell "send a
token" from "this token may not do that".
"""
from http import HTTPStatus

from flask import current_app, json, request

from app.models.base import db

API_V1_PREFIX = "/api/v1"
PROBLEM_TYPE = "tag:fisher,2026:problem:"  # + a slug; names the kind, resolves nowhere
PROBLEM_MIMETYPE = "application/problem+json"


def is_api_v1_request() -> bool:
    path = request.path
    return path == API_V1_PREFIX or path.startswith(API_V1_PREFIX + "/")


def problem(status: int, detail: str = "", kind: str | None = None, title: str | None = None,
            headers: dict | None = None):
    """A problem+json answer; ``kind`` is the slug of the problem's type."""
    try:
        db.session.rollback()  # as the site's error pages do; never fails the answer
    except Exception:  # noqa: BLE001 - the database may be what failed
        pass
    phrase = _phrase(status)
    body = {"type": PROBLEM_TYPE + kind if kind else "about:blank", "title": title or phrase,
            "status": status, "detail": str(detail) if detail else phrase}
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"

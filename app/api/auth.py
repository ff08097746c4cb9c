"""Authentication of /api/v1: a personal access token, and nothing else.

``token_required(scope)`` reads only ``Authorization: Bearer <token>``. The
site's session cookie never authenticates the API (``ignore_session`` makes
``current_user`` anonymous for every /api/v1 request, so a view cannot use it
by mistake), which is also why the blueprint needs no CSRF token: a browser
adds cookies to a forged request, never an Authorization header. The other
way round holds too: Flask-Login has no request_loader, so a token never
logs anyone in to the HTML site.

Failures are problem details (RFC 9457) with the RFC 6750 challenge: 401
with ``WWW-Authenticate: Bearer`` for a missing, malformed, unknown or
revoked token, 403 for a read token on a write.
"""
from functools import wraps

from flask import g, request
from flask_login import AnonymousUserMixin

from app.api.problems import problem
from app.libs.enums import TokenScope
from app.services.api_tokens import authenticate

REALM = 'Bearer realm="fisher"'


def ignore_session() -> None:
    """Before every /api/v1 request: whatever the session cookie says, the
    request has no logged-in user (Flask-Login reads ``g._login_user``
    before it would load one from the session)."""
    g._login_user = AnonymousUserMixin()


def bearer_secret() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header ("" when the
    header is there but malformed), None without a Bearer header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    secret = rest.strip()
    return secret if secret and " " not in secret else ""


def token_required(scope: TokenScope | str = TokenScope.READ):
    """The view runs for a live token of at least ``scope``; ``g.api_user``
    and ``g.api_token`` are its account and token."""
    needed = TokenScope(scope)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            secret = bearer_secret()
            if secret is None:
                return _unauthorized("missing-token", "需要 Authorization: Bearer <令牌> 请求头", REALM)
            found = authenticate(secret) if secret else None
            if found is None:
                return _unauthorized("invalid-token", "令牌无效、格式错误或已被吊销",
                                     f'{REALM}, error="invalid_token"')
            user, token = found
            if not token.scope_enum.allows(needed):
                return problem(403, f"此操作需要 {needed.value}（{needed.label}）权限的令牌",
                               kind="insufficient-scope", title="Insufficient scope",
                               headers={"WWW-Authenticate":
                                        f'{REALM}, error="insufficient_scope", scope="{needed.value}"'})
            g.api_user, g.api_token = user, token
            return view(*args, **kwargs)
        return wrapper
    return decorator


def _unauthorized(kind: str, detail: str, challenge: str):
    return problem(401, detail, kind=kind, headers={"WWW-Authenticate": challenge})

"""/api/v1 authenticates with a Bearer token only: 401/403 problem details, no cookies, no HTML logins."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from app.extensions import login_manager
from app.models.api_token import ApiToken
from app.models.base import db
from app.models.user import User
from app.services import account
from app.services.api_tokens import authenticate, create_token, revoke_token
from tests.helpers import login_client, make_user, minutes_ago

PROBLEM = "application/problem+json"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def reader(app):
    """(user 爱丽丝 with 3.0 beans, a read token's secret)."""
    user = make_user("爱丽丝", beans=3)
    return user, create_token(user, "只读脚本", "read")[1]


@pytest.fixture
def writer(app):
    """(user 鲍勃, a write token's secret)."""
    user = make_user("鲍勃")
    return user, create_token(user, "读写脚本", "write")[1]


def assert_problem(resp, status: int) -> dict:
    """The answer is problem+json with the RFC 9457 members and ``status``."""
    assert resp.status_code == status and resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert body["status"] == status and {"type", "title", "detail"} <= set(body)
    return body


def test_me_answers_the_tokens_account(client, reader):
    """A read token's GET /api/v1/me is its user's id, nickname, beans and the scope."""
    user, secret = reader
    resp = client.get("/api/v1/me", headers=bearer(secret))
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    assert resp.get_json() == {"id": user.id, "nickname": "爱丽丝", "beans": 3.0, "scope": "read"}


def test_no_header_is_401_with_a_bearer_challenge(client, reader):
    """Without Authorization the answer is 401 problem+json and WWW-Authenticate: Bearer."""
    body = assert_problem(client.get("/api/v1/me"), 401)
    assert body["type"].endswith("missing-token")
    assert client.get("/api/v1/me").headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "Bearer a b", "Basic dXNlcjpwYXNz", "fsh_abc", "Token fsh_abc", "Bearer\tfsh_x",
])
def test_malformed_header_is_401(client, reader, header):
    """A header that is no single Bearer token is 401 with the Bearer challenge."""
    resp = client.get("/api/v1/me", headers={"Authorization": header})
    assert_problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_scheme_is_case_insensitive(client, reader):
    """"bearer" in lower case works as RFC 7235 says."""
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {reader[1]}"}).status_code == 200


@pytest.mark.parametrize("wrong", ["fsh_" + "A" * 43, "fsh_", "x" * 47, "fsh_" + "a" * 5000])
def test_wrong_token_is_401_invalid_token(client, reader, wrong):
    """An unknown, empty, foreign-looking or huge token is 401 with error="invalid_token"."""
    resp = client.get("/api/v1/me", headers=bearer(wrong))
    assert assert_problem(resp, 401)["type"].endswith("invalid-token")
    assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]


def test_almost_right_token_is_401(client, reader):
    """The right token with its last character changed does not authenticate."""
    secret = reader[1]
    changed = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert_problem(client.get("/api/v1/me", headers=bearer(changed)), 401)


def test_revoked_token_is_401(client, reader):
    """A token works until revoked, then is 401."""
    user, secret = reader
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    revoke_token(user, db.session.scalar(select(ApiToken.id)))
    assert_problem(client.get("/api/v1/me", headers=bearer(secret)), 401)


def test_deleted_users_token_is_401(client, reader):
    """A token of a deleted (soft-deleted) account no longer authenticates."""
    user, secret = reader
    with db.auto_commit():
        db.session.execute(update(User).where(User.id == user.id).values(status=0))
    assert_problem(client.get("/api/v1/me", headers=bearer(secret)), 401)


def test_password_change_and_logout_everywhere_keep_tokens(client, reader):
    """Ending the sessions (a password change, logging out everywhere) does not revoke tokens."""
    user, secret = reader
    account.change_password(user, "secret123", "another-pass-456")
    account.end_sessions(user)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_read_token_on_the_write_probe_is_403(client, reader):
    """A read token may not POST /api/v1/me/ping: 403 problem+json, insufficient_scope."""
    resp = client.post("/api/v1/me/ping", headers=bearer(reader[1]))
    assert assert_problem(resp, 403)["type"].endswith("insufficient-scope")
    assert 'error="insufficient_scope"' in resp.headers["WWW-Authenticate"]


def test_write_token_pings_and_reads(client, writer):
    """A write token gets 204 from the write probe and may read /api/v1/me too."""
    resp = client.post("/api/v1/me/ping", headers=bearer(writer[1]))
    assert resp.status_code == 204 and resp.get_data() == b""
    assert client.get("/api/v1/me", headers=bearer(writer[1])).get_json()["scope"] == "write"


def test_write_probe_without_token_is_401(client, writer):
    """No token on the write probe is 401, not 403 (and no CSRF 400: the blueprint is exempt)."""
    assert_problem(client.post("/api/v1/me/ping"), 401)


def test_session_cookie_alone_does_not_authenticate_the_api(app, reader):
    """A client logged in to the site gets 401 from /api/v1/me without a token, and stays logged in."""
    client = login_client(app, reader[0])
    assert client.get("/my/gifts").status_code == 200
    assert_problem(client.get("/api/v1/me"), 401)
    assert_problem(client.post("/api/v1/me/ping"), 401)
    assert client.get("/my/gifts").status_code == 200


def test_token_does_not_log_in_to_html_pages(app, client, writer):
    """A Bearer token on /my/gifts or /personal is no login: a redirect to /login (no request_loader)."""
    assert login_manager._request_callback is None
    for path in ("/my/gifts", "/personal", "/personal/tokens"):
        resp = client.get(path, headers=bearer(writer[1]))
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def _token_updates(app):
    """A list that collects every UPDATE of api_token the engine runs."""
    seen = []

    def collect(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE API_TOKEN"):
            seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", collect)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", collect)


def _last_used():
    db.session.expire_all()
    return db.session.scalar(select(ApiToken.last_used_time))


def test_last_used_time_is_written_at_most_once_a_minute(app, client, reader):
    """The first use sets last_used_time with one UPDATE; uses within a minute write nothing;
    a use a minute later writes it again."""
    assert _last_used() is None
    seen, stop = _token_updates(app)
    try:
        for _ in range(3):
            assert client.get("/api/v1/me", headers=bearer(reader[1])).status_code == 200
        first = _last_used()
        assert first is not None and len(seen) == 1
        with db.auto_commit():
            db.session.execute(update(ApiToken).values(last_used_time=minutes_ago(2)))
        seen.clear()
        client.get("/api/v1/me", headers=bearer(reader[1]))
        assert len(seen) == 1 and _last_used() > minutes_ago(1)
    finally:
        stop()


def test_last_used_shows_on_the_tokens_page(app, reader):
    """After a use the list shows a time instead of 从未使用."""
    user, secret = reader
    page = login_client(app, user)
    assert "从未使用" in page.get("/personal/tokens").get_data(as_text=True)
    app.test_client().get("/api/v1/me", headers=bearer(secret))
    assert "从未使用" not in page.get("/personal/tokens").get_data(as_text=True)


def test_authenticate_refuses_what_is_no_token(app, reader):
    """authenticate() refuses None, an int and text without the fsh_ prefix, and accepts the secret."""
    user, secret = reader
    assert authenticate(None) is None and authenticate(42) is None and authenticate(secret[4:]) is None
    found = authenticate(secret)
    assert found is not None and found[0].id == user.id


def test_touch_that_lost_a_race_writes_nothing(app, reader):
    """When another request wrote last_used_time after this one read the token, the
    conditional UPDATE matches no row: no error, and the other request's time stays."""
    from app.services.api_tokens import _touch

    token = db.session.scalar(select(ApiToken))
    assert token.last_used_time is None
    other = minutes_ago(0.5)
    with db.engine.begin() as conn:  # another request, on its own connection
        conn.execute(update(ApiToken.__table__).values(last_used_time=other))
    _touch(token)
    assert abs(_last_used() - other) < timedelta(seconds=1)  # MariaDB keeps whole seconds


def test_unknown_path_and_method_under_api_v1_are_problem_json(client):
    """404 and 405 under /api/v1 are problem+json (405 with Allow), not the site's HTML pages."""
    assert assert_problem(client.get("/api/v1/nothing-here"), 404)["type"] == "about:blank"
    resp = client.delete("/api/v1/me")
    assert_problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_rate_limit_under_api_v1_is_problem_json(app_factory):
    """Past API_V1_RATE_LIMIT the answer is 429 problem+json with Retry-After."""
    app = app_factory(API_V1_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [client.get("/api/v1/me").status_code for _ in range(2)]
    resp = client.get("/api/v1/me")
    assert codes == [401, 401]
    assert_problem(resp, 429)
    assert int(resp.headers["Retry-After"]) > 0


def test_server_error_under_api_v1_is_problem_json(app, client, reader, monkeypatch):
    """An unexpected failure in an /api/v1 view is a 500 problem+json."""
    import app.api.auth as api_auth

    def broken(_secret):
        raise RuntimeError("boom")
    monkeypatch.setattr(api_auth, "authenticate", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_problem(client.get("/api/v1/me", headers=bearer(reader[1])), 500)
    assert "boom" not in body["detail"]


def test_yushu_api_errors_keep_their_shape(client):
    """The /v2 API's errors are still its own JSON, not problem+json."""
    resp = client.get("/v2/book/nothing")
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert "error_code" in resp.get_json()

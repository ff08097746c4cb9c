"""Personal access tokens on the site: /personal/tokens makes, lists and revokes them."""
import re

import pytest
from sqlalchemy import select

from app.models.api_token import ApiToken, token_digest
from app.models.base import db
from app.services.api_tokens import create_token
from tests.helpers import login_client, make_user, text_of, unchanged

SECRET = re.compile(r"fsh_[A-Za-z0-9_-]{43}")


def make_token(client, name="我的脚本", scope="read"):
    """POST the form; (response, the secret the page shows)."""
    resp = client.post("/personal/tokens", data={"name": name, "scope": scope})
    found = SECRET.findall(text_of(resp))
    return resp, (found[0] if found else None)


def all_tokens() -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(select(ApiToken).execution_options(include_deleted=True)
                                   .order_by(ApiToken.id)))


def test_personal_page_links_to_the_tokens(as_alice):
    """The personal page has an API 令牌 section linking to /personal/tokens."""
    page = text_of(as_alice.get("/personal"))
    assert "API 令牌" in page and 'href="/personal/tokens"' in page


def test_tokens_page_links_to_the_api_reference(as_alice):
    """The tokens page points to /api/docs, where every operation is described."""
    assert 'href="/api/docs"' in as_alice.get("/personal/tokens").get_data(as_text=True)


def test_new_token_is_shown_once_and_never_again(as_alice, alice):
    """The creating answer shows the secret (not cached); the list afterwards shows only its prefix."""
    resp, secret = make_token(as_alice, "家里的脚本", "write")
    assert resp.status_code == 200 and secret is not None
    assert resp.headers["Cache-Control"] == "no-store"
    assert "不会再显示" in text_of(resp)
    later = text_of(as_alice.get("/personal/tokens"))
    assert secret not in later and f"{secret[:8]}…" in later
    assert "家里的脚本" in later and "读写" in later and "从未使用" in later
    [token] = all_tokens()
    assert (token.uid, token.name, token.scope, token.prefix) == (alice.id, "家里的脚本", "write", secret[:8])


def test_stored_hash_is_the_sha256_of_the_secret_not_the_secret(as_alice):
    """Only the SHA-256 hex digest of the secret is stored; no column holds the secret."""
    _resp, secret = make_token(as_alice)
    [token] = all_tokens()
    assert token.token_hash == token_digest(secret) and len(token.token_hash) == 64
    row = db.session.execute(select(ApiToken.__table__)).one()
    assert all(secret not in str(value) for value in row)


def test_two_tokens_differ(alice):
    """Every token is random: two made at once have different secrets and digests."""
    (one, first), (two, second) = create_token(alice, "一", "read"), create_token(alice, "二", "read")
    assert first != second and one.token_hash != two.token_hash


def test_revoke_soft_deletes_and_lists_it_no_more(as_alice):
    """Revoking keeps the row (status deleted) and takes the token off the list."""
    make_token(as_alice, "旧脚本")
    [token] = all_tokens()
    resp = as_alice.post(f"/personal/tokens/{token.id}/revoke")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/personal/tokens")
    [token] = all_tokens()
    assert token.revoked
    assert "旧脚本" not in text_of(as_alice.get("/personal/tokens"))


def test_revoking_another_users_token_is_404_and_changes_nothing(app, alice, as_bob):
    """Bob cannot revoke Alice's token, an unknown one or an already revoked one: 404, no change."""
    token, _secret = create_token(alice, "爱丽丝的", "read")
    with unchanged():
        assert as_bob.post(f"/personal/tokens/{token.id}/revoke").status_code == 404
        assert as_bob.post(f"/personal/tokens/{token.id + 100}/revoke").status_code == 404
    as_alice = login_client(app, alice)
    assert as_alice.post(f"/personal/tokens/{token.id}/revoke").status_code == 302
    with unchanged():
        assert as_alice.post(f"/personal/tokens/{token.id}/revoke").status_code == 404


def test_lists_only_my_tokens(app, alice, bob, as_bob):
    """The list shows the user's own tokens only."""
    create_token(alice, "爱丽丝的令牌", "read")
    create_token(bob, "鲍勃的令牌", "read")
    page = text_of(as_bob.get("/personal/tokens"))
    assert "鲍勃的令牌" in page and "爱丽丝的令牌" not in page


@pytest.mark.parametrize("path", ["/personal/tokens", "/personal/tokens/1/revoke"])
def test_login_required(client, path):
    """Without a login the pages send to /login (GET and POST) and make nothing."""
    for method in ("get", "post") if path == "/personal/tokens" else ("post",):
        resp = getattr(client, method)(path, data={"name": "x", "scope": "read"})
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert all_tokens() == []


def test_csrf_token_required(app_factory):
    """With CSRF on, creating or revoking without the form's token is a 400 and changes nothing."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        alice = make_user("爱丽丝")
        token, _secret = create_token(alice, "已有", "read")
        client = login_client(app, alice)
        with unchanged():
            assert client.post("/personal/tokens", data={"name": "新", "scope": "read"}).status_code == 400
            assert client.post(f"/personal/tokens/{token.id}/revoke").status_code == 400
        page = text_of(client.get("/personal/tokens"))
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        resp = client.post("/personal/tokens", data={"name": "新", "scope": "read", "csrf_token": csrf})
        assert SECRET.search(text_of(resp)) and len(all_tokens()) == 2


@pytest.mark.parametrize("name, scope, message", [
    ("", "read", "请给令牌起个名字"),
    ("   ", "read", "请给令牌起个名字"),
    ("长" * 51, "read", "最多 50 个字"),
    ("脚本", "admin", "请选择只读或读写"),
    ("脚本", "", "请选择只读或读写"),
])
def test_bad_form_input_is_refused_with_a_message(as_alice, name, scope, message):
    """An empty or too long name, or an unknown scope, re-shows the form with the message; no token."""
    resp, secret = make_token(as_alice, name, scope)
    assert resp.status_code == 200 and message in text_of(resp) and secret is None
    assert all_tokens() == []


def test_name_of_fifty_characters_is_accepted(as_alice):
    """A name of exactly 50 characters (surrounding space stripped) is kept."""
    _resp, secret = make_token(as_alice, " " + "长" * 50 + " ")
    assert secret and all_tokens()[0].name == "长" * 50


def test_token_limit_is_refused_with_a_message(app_factory):
    """Beyond API_TOKENS_MAX live tokens the form says so and makes none; revoking one makes room."""
    app = app_factory(API_TOKENS_MAX=2)
    with app.app_context():
        alice = make_user("爱丽丝")
        client = login_client(app, alice)
        assert make_token(client, "一")[1] and make_token(client, "二")[1]
        resp, secret = make_token(client, "三")
        assert secret is None and "每个账号最多 2 个令牌" in text_of(resp)
        assert len(all_tokens()) == 2
        client.post(f"/personal/tokens/{all_tokens()[0].id}/revoke")
        assert make_token(client, "三")[1]

"""Calling /api/v1 in tests: a client that sends a token, and problem checks."""
from app.services.api_tokens import create_token

PROBLEM = "application/problem+json"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


class ApiClient:
    """The test client with ``Authorization: Bearer`` on every request."""

    def __init__(self, client, secret: str):
        self.client, self.secret = client, secret

    def _call(self, method, path, **kwargs):
        headers = {**bearer(self.secret), **kwargs.pop("headers", {})}
        return getattr(self.client, method)(path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self._call("get", path, **kwargs)

    def post(self, path, **kwargs):
        return self._call("post", path, **kwargs)

    def delete(self, path, **kwargs):
        return self._call("delete", path, **kwargs)


def api_client(app, user, scope: str = "write") -> ApiClient:
    """A fresh test client holding a new ``scope`` token of ``user``."""
    return ApiClient(app.test_client(), create_token(user, f"测试 {scope}", scope)[1])


def assert_problem(resp, status: int, kind: str | None = None) -> dict:
    """The answer is problem+json with the RFC 9457 members, ``status`` and,
    when given, a type ending in ``kind``."""
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert body["status"] == status and {"type", "title", "detail"} <= set(body)
    if kind is not None:
        assert body["type"].endswith(":" + kind), body["type"]
    return body


def all_pages(api, path: str, limit: int = 2) -> list[dict]:
    """Every item of a list, following next_cursor and checking that the
    Link header names the same next page."""
    items, url = [], f"{path}{'&' if '?' in path else '?'}limit={limit}"
    for _ in range(1000):
        resp = api.get(url)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        body = resp.get_json()
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        if body["next_cursor"] is None:
            assert "Link" not in resp.headers
            return items
        link = resp.headers["Link"]
        assert link.endswith('>; rel="next"') and f"cursor={body['next_cursor']}" in link
        url = link[1:link.index(">")]
    raise AssertionError("the pages never end")

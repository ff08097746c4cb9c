"""The OpenAPI document of /api/v1, the reference page rendered from it, and the API's rate limits."""
import re

import pytest

from app.view_models.api_reference import limits_of, reference, type_of
from tests.api_helpers import PROBLEM, api_client, assert_problem
from tests.helpers import make_user

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def api_routes(app) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every /api/v1 route but the document itself."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_v1.") and rule.endpoint != "api_v1.openapi_json":
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


@pytest.fixture
def document(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op


def test_document_is_openapi_3_1_and_needs_no_token(document):
    """GET /api/v1/openapi.json answers without a token with an OpenAPI 3.1.0 document."""
    assert document["openapi"] == "3.1.0" and document["info"]["title"]
    assert document["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer", "description": "a personal access token (令牌)"}


def test_document_has_every_route_and_nothing_else(app, document):
    """Each /api/v1 route is one operation of the document; no site page is in it."""
    documented = {(method, path) for method, path, _op in operations(document)}
    assert documented == api_routes(app)
    assert all(path.startswith("/api/v1/") for _m, path, _op in operations(document))


def test_operation_ids_are_unique_and_named(document):
    """Every operation has its own operationId, a summary and a tag."""
    ids = [op["operationId"] for _m, _p, op in operations(document)]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z][A-Za-z]+", i) for i in ids)
    assert all(op["summary"] and op["tags"] for _m, _p, op in operations(document))


def test_every_error_is_a_documented_problem(document):
    """Every 4xx/5xx answer is application/problem+json of the Problem schema; 401 and 429 are everywhere."""
    for method, path, op in operations(document):
        assert {"400", "401", "429"} <= set(op["responses"]), (method, path)
        assert op["security"] == [{"bearerToken": []}]
        for status, answer in op["responses"].items():
            if int(status) >= 400:
                assert answer["content"] == {PROBLEM: {"schema": PROBLEM_REF}}, (method, path, status)
        assert "422" not in op["responses"]
    assert "Problem" in document["components"]["schemas"]
    assert not [name for name in document["components"]["schemas"] if name.startswith("ValidationError")]


def test_writes_document_403_and_reads_do_not(document):
    """A write operation can answer 403 insufficient scope; a GET never does."""
    for method, path, op in operations(document):
        assert ("403" in op["responses"]) == (method != "GET"), (method, path)


def test_lists_document_their_link_header_and_paging(document):
    """Every operation with a cursor parameter documents the Link header of its 200 answer."""
    paged = [(path, op) for method, path, op in operations(document)
             if any(p["name"] == "cursor" for p in op.get("parameters", []))]
    assert paged
    for path, op in paged:
        assert "Link" in op["responses"]["200"]["headers"], path
        limit = next(p for p in op["parameters"] if p["name"] == "limit")["schema"]
        assert (limit["minimum"], limit["maximum"]) == (1, 100)


def test_every_ref_resolves(document):
    """Every $ref in the document names a schema it holds."""
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(document).replace("'", '"')))
    assert refs and refs <= set(document["components"]["schemas"])


def test_reference_page_lists_every_operation(app, client, document):
    """/api/docs shows every operation's method, path and anchor, and every schema."""
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for method, path, op in operations(document):
        assert f'id="op-{op["operationId"]}"' in html and f"<code>{method} {path}</code>" in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert 'href="/api/v1/openapi.json"' in html


def test_reference_page_loads_nothing_from_elsewhere(client):
    """The reference page has no script or stylesheet from another origin."""
    html = client.get("/api/docs").get_data(as_text=True)
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)


def test_type_of_reads_like_prose():
    """Schema types are written as refs, unions, arrays of refs and enums."""
    assert type_of({"$ref": "#/components/schemas/Book"}) == "Book"
    assert type_of({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "string | null"
    assert type_of({"type": "array", "items": {"$ref": "#/components/schemas/Gift"}}) == "array of Gift"
    assert type_of({"enum": ["read", "write"]}) == '"read" | "write"'
    assert type_of({}) == "any"


def test_limits_of_names_bounds_and_defaults():
    """Bounds, lengths (also inside anyOf) and non-null defaults are shown."""
    assert limits_of({"type": "integer", "minimum": 1, "maximum": 100, "default": 20}) == "1..100，默认 20"
    assert limits_of({"anyOf": [{"type": "string", "maxLength": 200, "minLength": 1}, {"type": "null"}],
                      "default": None}) == "1..200 字符"
    assert limits_of({"type": "string"}) == ""


def test_reference_groups_by_tag_in_a_fixed_order():
    """Operations are grouped by their first tag, books before account, unknown tags last."""
    doc = {"paths": {"/a": {"get": {"tags": ["account"], "operationId": "a"}},
                     "/b": {"get": {"tags": ["zzz"], "operationId": "b"}},
                     "/c": {"post": {"tags": ["books"], "operationId": "c"}}}}
    groups, schemas = reference(doc)
    assert list(groups) == ["books", "account", "zzz"] and schemas == []


def test_token_limit_counts_each_token_apart(app_factory):
    """Past API_V1_TOKEN_RATE_LIMIT one token gets 429 problems while another token still gets answers."""
    app = app_factory(API_V1_TOKEN_RATE_LIMIT="3 per minute", API_V1_RATE_LIMIT="100 per minute")
    with app.app_context():
        first, second = (api_client(app, make_user(name, f"{tag}@example.com"), "read")
                         for name, tag in (("爱丽丝", "alice"), ("鲍勃", "bob")))
        assert [first.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
        resp = first.get("/api/v1/me")
        assert_problem(resp, 429)
        assert int(resp.headers["Retry-After"]) > 0
        assert second.get("/api/v1/me").status_code == 200


def test_address_limit_holds_across_tokens(app_factory):
    """API_V1_RATE_LIMIT counts per address, whatever token (or guess) is sent."""
    app = app_factory(API_V1_TOKEN_RATE_LIMIT="100 per minute", API_V1_RATE_LIMIT="3 per minute")
    with app.app_context():
        user = make_user("爱丽丝", "alice@example.com")
        codes = [api_client(app, user, "read").get("/api/v1/me").status_code for _ in range(3)]
        guess = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer fsh_guess"})
        assert codes == [200, 200, 200]
        assert_problem(guess, 429)


def test_answer_that_breaks_its_schema_is_a_plain_500(app, alice_api, monkeypatch):
    """A view whose answer breaks its own model gives a 500 problem without the validation details."""
    import app.api.v1_books as v1_books
    monkeypatch.setattr(v1_books, "book_json", lambda record, offered: {"isbn": record["isbn"]})
    body = assert_problem(alice_api.get("/api/v1/books/9787536692930"), 500, "server-error")
    assert "errors" not in body and "title" in body


def test_not_found_from_a_service_says_words_not_an_id(alice_api):
    """A service's NotFound (which carries the id) is a 404 problem whose detail is text for a person."""
    body = assert_problem(alice_api.delete("/api/v1/me/gifts/2147483646"), 404)
    assert isinstance(body["detail"], str) and "2147483646" not in body["detail"]


def test_a_body_whose_fields_all_have_defaults_is_optional(document):
    """An operation whose body model requires nothing documents its body as optional; others as required."""
    bodies = {op["operationId"]: op["requestBody"] for _m, _p, op in operations(document) if "requestBody" in op}
    assert bodies["markMyNoticesRead"]["required"] is False
    assert bodies["addGift"]["required"] is True

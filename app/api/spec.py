"""The OpenAPI 3.1 document of /api/v1, generated from the code by spectree.

Every operation is declared once with ``operation``: its token scope, the
pydantic models of its query, body and answers, the error statuses it can
give. ``operation`` stacks the token check (``app/api/auth``) over
spectree's validation, so a request without a usable token is a 401 before
its input is judged, and a request spectree refuses is a 400 problem (not
spectree's own 422 body). The answers are validated too: a view whose
answer breaks its model is a bug, reported as a 500.

``openapi_document`` completes what spectree writes: the bearer scheme,
problem+json bodies for every error status, the statuses every operation
can give (401, 429; 403 for writes; 400 for input), and the ``Link`` header
of paginated lists.
"""
import copy

from flask import abort, current_app
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData, SecureType

from app.api.auth import token_required
from app.api.problems import PROBLEM_MIMETYPE, problem
from app.api.schemas.common import Problem
from app.libs.enums import TokenScope
from app.web._converters import ID_MAX

SECURITY = "bearerToken"
ERROR_TEXT = {400: "The request's query, path or body is not acceptable",
              401: "No usable token", 403: "The token's scope does not allow this",
              404: "Not found", 409: "The object has moved on and this cannot be done now",
              429: "Too many requests (per address and per token)",
              503: "A book source or the database cannot answer now"}

spec = SpecTree(
    "flask", title="fisher API", version="1", path="api/v1/spectree",
    description="The JSON API of fisher (鱼书). Authenticate with a personal access token "
                "made on the personal page: `Authorization: Bearer fsh_…`.",
    security_schemes=[SecurityScheme(name=SECURITY, data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer", description="a personal access token (令牌)"))],
    validation_error_status=400, validation_error_model=Problem, annotations=True, mode="strict",
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child)

# operation id -> {"scope": TokenScope, "paginated": bool}
OPERATIONS: dict[str, dict] = {}


def _refuse(errors: list[dict]):
    """Stop the request with a 400 problem listing ``errors``."""
    answer = problem(400, "请求的参数或正文不符合要求", kind="invalid-request", title="Invalid request")
    body = answer.get_json(force=True)
    body["errors"] = errors
    answer.set_data(current_app.json.dumps(body))
    abort(answer)


def _not_a_json_object(req) -> bool:
    """spectree reads a body it cannot parse as ``{}`` and skips one sent as
    a form, so a malformed body could pass as an empty one ("mark all"):
    a body that is there must be a JSON object sent as JSON."""
    if getattr(getattr(req, "context", None), "json", None) is None:
        return True
    if not req.get_data(cache=True):
        return False
    return not req.is_json or not isinstance(req.get_json(silent=True), dict)


def _refuse_invalid(json_model):
    """spectree's before hook: a request it refused, or whose body is not a
    JSON object where one is expected, becomes a 400 problem."""
    def before(req, resp, error, instance, model_adapter):
        if error is not None:
            _refuse([{"loc": ".".join(str(part) for part in item.get("loc", ())), "msg": str(item.get("msg", ""))}
                     for item in error.errors(include_url=False, include_context=False, include_input=False)])
        if json_model is not None and _not_a_json_object(req):
            _refuse([{"loc": "body", "msg": "the body must be a JSON object sent as application/json"}])
    return before


def _report_invalid_answer(req, resp, error, instance, model_adapter):
    """spectree's after hook: an answer that breaks its own model is a bug;
    it is logged, and the client gets a plain 500 problem (not the errors)."""
    if error is not None:
        current_app.logger.error("api answer breaks its schema at %s: %s", req.path, error)
        abort(problem(500, "服务器出错了", kind="server-error", title="Internal Server Error"))


def operation(operation_id: str, *, scope: TokenScope | None = TokenScope.READ, query=None, json=None,
              ok=None, status: int = 200, errors: tuple[int, ...] = (), paginated: bool = False,
              tags: tuple[str, ...] = ()):
    """Declare an /api/v1 operation: ``ok`` the model of its ``status``
    answer (None for an empty one), ``errors`` the statuses it can give
    besides those every operation can. ``scope=None`` needs no token."""
    OPERATIONS[operation_id] = {"scope": scope, "paginated": paginated,
                                "body_optional": json is not None and not any(
                                    field.is_required() for field in json.model_fields.values())}
    answers = {f"HTTP_{status}": ok, **{f"HTTP_{code}": None for code in errors}}
    validated = spec.validate(query=query, json=json, resp=Response(**answers), tags=tags,
                              operation_id=operation_id, before=_refuse_invalid(json),
                              after=_report_invalid_answer,
                              security={SECURITY: []} if scope else {})

    def decorator(view):
        inner = validated(view)
        return inner if scope is None else token_required(scope)(inner)
    return decorator


def openapi_document() -> dict:
    """The finished document (spectree's, completed as the module says)."""
    document = copy.deepcopy(spec.spec)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in [name for name in schemas if name.startswith("ValidationError")]:
        del schemas[name]  # spectree's 422 body, which this API never sends
    schemas["Problem"] = _problem_schema(schemas)
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                _complete(op, OPERATIONS.get(op.get("operationId"), {}), method)
    return document


def _problem_schema(schemas: dict) -> dict:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    return schema


def _complete(op: dict, meta: dict, method: str) -> None:
    responses = op["responses"]
    responses.pop("422", None)
    scope = meta.get("scope")
    statuses = {400, 429}
    if scope is not None:
        statuses |= {401} | ({403} if scope == TokenScope.WRITE else set())
    for code in statuses:
        responses.setdefault(str(code), {})
    content = {PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for code, answer in responses.items():
        if code.isdigit() and int(code) >= 400:
            answer["description"] = ERROR_TEXT.get(int(code), answer.get("description") or "Error")
            answer["content"] = content
    for parameter in op.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("schema") is None:  # the site's <id:…>, unknown to spectree
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
    if scope is not None:
        op["security"] = [{SECURITY: []}]
    else:
        op.pop("security", None)
    if meta.get("body_optional") and "requestBody" in op:
        op["requestBody"]["required"] = False  # every field has a default: no body is {}
    if meta.get("paginated"):
        ok = responses.get("200", {})
        ok.setdefault("headers", {})["Link"] = {
            "description": 'The next page, `<…>; rel="next"` (absent on the last page)',
            "schema": {"type": "string"}}

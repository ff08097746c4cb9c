"""The OpenAPI document shaped for the reference page (/api/docs).

Pure functions over the document's dict: operations grouped by tag in the
document's order, each with its parameters, body fields and answers, and
the schemas with their fields. Types are written the way a reader says them
(``string``, ``integer | null``, ``array of Book``). The page's own words
(limits, tag titles) are in the page's language; what the document says
(summaries, descriptions) stays as written there.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _, lazy_gettext as _l

METHODS = ("get", "post", "put", "patch", "delete")
SCOPE_NAMES = {"read": _l("只读或读写令牌"), "write": _l("读写令牌")}


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str = ""
    limits: str = ""


@dataclass
class Answer:
    status: str
    description: str
    media: str = ""
    type: str = ""
    headers: list[str] = field(default_factory=list)


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    needs_token: bool
    parameters: list[Field]
    body: list[Field]
    body_type: str
    answers: list[Answer]

    @property
    def anchor(self) -> str:
        return "op-" + self.operation_id


@dataclass
class Schema:
    name: str
    description: str
    fields: list[Field]


def type_of(schema: dict) -> str:
    """A schema's type in a few words."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            return " | ".join(type_of(part) for part in schema[combined])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(kind)
    if kind == "array":
        return "array of " + type_of(schema.get("items", {}))
    if "enum" in schema:
        return " | ".join(f'"{value}"' for value in schema["enum"])
    return kind or "any"


def limits_of(schema: dict) -> str:
    """Bounds and defaults worth knowing: ``1..100``, ``≤ 200 chars``, ``default 20``."""
    parts = []
    for part in schema.get("anyOf", []):
        if part.get("type") != "null":
            schema = {**part, **{k: v for k, v in schema.items() if k != "anyOf"}}
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        parts.append(f"{'' if low is None else low}..{'' if high is None else high}")
    if schema.get("maxLength") is not None:
        parts.append(_("%(low)s..%(high)s 字符", low=schema.get("minLength", 0), high=schema["maxLength"]))
    if schema.get("maxItems") is not None:
        parts.append(_("≤ %(count)s 项", count=schema["maxItems"]))
    if "default" in schema and schema["default"] is not None:
        parts.append(_("默认 %(value)s", value=schema["default"]))
    return _("，").join(parts)


def _fields(schema: dict, schemas: dict) -> list[Field]:
    if "$ref" in schema:
        schema = schemas.get(type_of(schema), {})
    required = set(schema.get("required", ()))
    return [Field(name, type_of(prop), name in required, prop.get("description", ""), limits_of(prop))
            for name, prop in schema.get("properties", {}).items()]


def _answer(status: str, answer: dict) -> Answer:
    media, body = next(iter(answer.get("content", {}).items()), ("", {}))
    return Answer(status, answer.get("description", ""), media, type_of(body["schema"]) if body else "",
                  sorted(answer.get("headers", {})))


def _operation(path: str, method: str, op: dict, schemas: dict) -> Operation:
    parameters = [Field(p["name"] + ("" if p["in"] == "query" else f" ({p['in']})"), type_of(p["schema"]),
                        p.get("required", False), p.get("description", ""), limits_of(p["schema"]))
                  for p in op.get("parameters", [])]
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    answers = [_answer(status, answer) for status, answer in sorted(op.get("responses", {}).items())]
    return Operation(method.upper(), path, op.get("operationId", ""), op.get("summary", ""),
                     bool(op.get("security")), parameters, _fields(body, schemas) if body else [],
                     type_of(body) if body else "", answers)


def reference(document: dict) -> tuple[dict[str, list[Operation]], list[Schema]]:
    """({tag: operations}, schemas) of an OpenAPI document."""
    schemas = document.get("components", {}).get("schemas", {})
    groups: dict[str, list[Operation]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                groups.setdefault(tag, []).append(_operation(path, method, item[method], schemas))
    order = list(TAG_TITLES)
    groups = dict(sorted(groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99))
    listed = [Schema(name, schema.get("description", ""), _fields(schema, schemas))
              for name, schema in sorted(schemas.items())]
    return groups, listed


TAG_TITLES = {"books": _l("书"), "gifts": _l("赠送"), "wishes": _l("心愿"), "drifts": _l("鱼漂"),
              "account": _l("我的账户")}


def tag_title(tag: str) -> str:
    return _("%(title)s（%(tag)s）", title=TAG_TITLES[tag], tag=tag) if tag in TAG_TITLES else tag

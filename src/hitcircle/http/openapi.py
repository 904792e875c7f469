"""OpenAPI 3.1 document built from the routes and their parameter models."""

from __future__ import annotations

from typing import Any

from hitcircle.http.routing import Route

_STATUS_TEXT = {
    200: "Success",
    400: "Bad parameter combination",
    401: "Missing or unknown API key",
    403: "The key's owner may not do this",
    404: "Not found",
    413: "Body too large",
    422: "Malformed parameter",
    503: "A dependency is unavailable",
}

_VALIDATION_ERROR = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "input": {},
                    "ctx": {"type": "object"},
                },
                "required": ["type", "loc", "msg"],
            },
        }
    },
    "required": ["detail"],
}
_STATUS_BODY = {"type": "object", "properties": {"status": {"type": "string"}}, "required": ["status"]}


def _parameters(route: Route) -> list[dict[str, Any]]:
    if route.params is None:
        return []
    schema = route.params.model_json_schema(by_alias=True)
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    out = []
    for name, prop in props.items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        if prop.get("type") == "array":
            param["style"] = "form"
            param["explode"] = True
        out.append(param)
    return out


def _operation(route: Route, method: str, path: str) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    statuses = {200, 422, *route.responses} if route.params is not None else {200, *route.responses}
    for status in sorted(statuses):
        description = route.responses.get(status) or _STATUS_TEXT.get(status, "")
        if status == 200:
            content: dict[str, Any] = {route.response_type: {"schema": {}}}
        elif status == 422:
            content = {"application/json": {"schema": _VALIDATION_ERROR}}
        else:
            content = {"application/json": {"schema": _STATUS_BODY}}
        responses[str(status)] = {"description": description, "content": content}
    name = path.strip("/").replace("/", "_") or "root"
    op: dict[str, Any] = {
        "operationId": f"{method.lower()}_{name}",
        "summary": route.summary,
        "parameters": _parameters(route),
        "responses": responses,
    }
    if route.description:
        op["description"] = route.description
    if route.tag:
        op["tags"] = [route.tag]
    if route.auth:
        op["security"] = [{"apiKey": []}]
    if route.request_body == "multipart":
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"avatar": {"type": "string", "format": "binary"}},
                        "required": ["avatar"],
                    }
                }
            },
        }
    elif route.request_body == "form-or-json":
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            },
        }
    return op


def build_openapi(
    title: str, version: str, description: str, routes: list[tuple[str, Route]]
) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, route in routes:
        if not route.include_in_schema:
            continue
        item = paths.setdefault(path, {})
        for method in sorted(route.methods):
            item[method.lower()] = _operation(route, method, path)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <key>`; a bare `Authorization: <key>` also works.",
                }
            }
        },
    }


SWAGGER_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{url: "{spec_url}", dom_id: "#ui"}});</script>
</body></html>"""

"""Developer API v1 (`api.<domain>`): bancho.py's endpoints at `/v1/<name>`, `/<name>` and `/api/<name>`."""

from __future__ import annotations

from dataclasses import replace

from hitcircle import __version__
from hitcircle.api import account, avatars, beatmaps, community, matches, meta, players, pp
from hitcircle.api.common import cached_response
from hitcircle.http.openapi import SWAGGER_HTML, build_openapi
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route, Router
from hitcircle.services.container import Services

#: endpoint modules, each with `routes(ctx) -> list[Route]` whose paths are `/v1/<name>`
ENDPOINT_MODULES = (players, beatmaps, matches, community, account, pp, avatars)

DESCRIPTION = (
    "The bancho.py developer API. Every endpoint answers at `/v1/<name>`, at `/<name>` on the api host "
    'and at `/api/<name>`. Errors are `{"status": "..."}` JSON; malformed parameters answer 422 '
    "with FastAPI's `detail` list."
)


def build_router(services: Services) -> Router:
    ctx = services
    router = Router()
    documented: list[tuple[str, Route]] = []
    for module in ENDPOINT_MODULES:
        for route in module.routes(ctx):
            if route.cache_tables:
                route = replace(route, handler=cached_response(ctx.runtime.cache, route))
            name = route.path.removeprefix("/v1/")
            router.add(route, f"/{name}", f"/api/{name}")
            documented.append((route.path, route))
    for route in meta.routes(ctx):
        router.add(route)
        documented.append((route.path, route))

    spec = build_openapi("hitcircle developer API", __version__, DESCRIPTION, documented)
    spec_body = json_response(spec).body
    docs_html = SWAGGER_HTML.format(title="hitcircle API", spec_url="/openapi.json").encode()

    async def openapi(_: Request) -> Response:
        return Response(spec_body)

    async def docs(_: Request) -> Response:
        return Response(docs_html, content_type=b"text/html; charset=utf-8")

    base = Route(path="", handler=openapi, include_in_schema=False)
    router.add(replace(base, path="/openapi.json"))
    router.add(replace(base, path="/docs", handler=docs))
    return router

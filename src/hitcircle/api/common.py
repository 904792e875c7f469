"""Checks shared by several endpoints, in the order bancho.py applies them."""

from __future__ import annotations

from hitcircle.cache.readcache import ReadCache
from hitcircle.constants.gamemodes import INVALID_MODES
from hitcircle.constants.mods import mods_from_string
from hitcircle.http.errors import HTTPError
from hitcircle.http.request import Request
from hitcircle.http.response import Response
from hitcircle.http.routing import Handler, Route
from hitcircle.repositories.scores import ModsFilter

MODS_MAX = 0x7FFFFFFF


def check_mode(mode: int) -> None:
    if mode in INVALID_MODES:
        raise HTTPError(400, "Invalid gamemode.")


def parse_mods_filter(text: str | None) -> ModsFilter | None:
    """`=` (all of, default) or `~` (any of), then a decimal number or a mod string; empty = no filter."""
    if not text:
        return None
    strong = True
    if text[0] in "=~":
        strong = text[0] == "="
        text = text[1:]
    if text.isdecimal():
        mods = int(text)
        if mods > MODS_MAX:
            raise HTTPError(400, "Invalid mods.")
    else:
        mods = mods_from_string(text)
    return ModsFilter(mods, strong)


def cached_response(cache: ReadCache, route: Route) -> Handler:
    """Serve a route's successful answers from the read cache, keyed by the raw query string and stamped
    with the versions of `route.cache_tables`. Errors are never cached; headers are made per request."""
    handler, tables, name = route.handler, route.cache_tables, route.path

    async def serve(request: Request) -> Response:
        async def build() -> tuple[int, bytes]:
            response = await handler(request)
            return response.status, response.body

        key = ("response", name, request.scope.get("query_string", b""))
        status, body = await cache.get(key, tables, build)
        return Response(body, status)

    return serve

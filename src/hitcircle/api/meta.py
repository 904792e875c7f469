"""Operational endpoints: health."""

from __future__ import annotations

from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.services.container import Services


def routes(ctx: Services) -> list[Route]:
    async def health(_: Request) -> Response:
        report = await ctx.runtime.health()
        healthy = all(v == "ok" for v in report.values())
        return json_response(
            {"status": "ok" if healthy else "unavailable", **report}, 200 if healthy else 503
        )

    return [
        Route(
            path="/health",
            handler=health,
            summary="Health check (database and live state)",
            tag="meta",
            responses={503: "Database or live state unavailable"},
        )
    ]

"""Player endpoints: get_player_count (more land with the read API)."""

from __future__ import annotations

from hitcircle.api.context import ApiContext
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.repositories.users import UsersRepository


def routes(ctx: ApiContext) -> list[Route]:
    users = UsersRepository(ctx.runtime.engine)
    live = ctx.runtime.live

    async def get_player_count(_: Request) -> Response:
        online = await live.online_count()
        total = await users.count_players()
        return json_response({"status": "success", "counts": {"online": online, "total": total}})

    return [
        Route(
            path="/v1/get_player_count",
            handler=get_player_count,
            summary="Online and registered player counts (the bot is not counted)",
            tag="players",
        )
    ]

"""Player endpoints: counts, info and stats, status, scores, most played, search."""

from __future__ import annotations

from typing import Any

from hitcircle.api.common import check_mode, parse_mods_filter
from hitcircle.api.params import (
    PlayerInfoParams,
    PlayerMostPlayedParams,
    PlayerScoresParams,
    PlayerStatusParams,
    SearchPlayersParams,
)
from hitcircle.api.serializers import beatmap_dict, player_score_dict, row_dict, stats_dict
from hitcircle.http.errors import HTTPError
from hitcircle.http.params import parse_query
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.services.container import Services

ID_OR_NAME = "Must provide either id OR name!"
NOT_FOUND = "Player not found."


def routes(svc: Services) -> list[Route]:
    live = svc.runtime.live

    async def get_player_count(_: Request) -> Response:
        online = await live.online_count()
        total = await svc.users.count_players()
        return json_response({"status": "success", "counts": {"online": online, "total": total}})

    async def get_player_info(request: Request) -> Response:
        p = parse_query(PlayerInfoParams, request)
        if (p.id is None) == (p.name is None):
            raise HTTPError(400, ID_OR_NAME)
        info = await svc.users.info(p.id, p.name)
        if info is None:
            raise HTTPError(404, NOT_FOUND)
        player: dict[str, Any] = {}
        if p.scope in ("info", "all"):
            player["info"] = row_dict(info)
        if p.scope in ("stats", "all"):
            rows = await svc.stats.for_user(info.id)
            ranks = await svc.ranks.for_player(
                info.id, info.country, info.priv, {int(r.mode): int(r.pp) for r in rows}
            )
            player["stats"] = {str(r.mode): stats_dict(r, *ranks[int(r.mode)]) for r in rows}
        return json_response({"status": "success", "player": player})

    async def get_player_status(request: Request) -> Response:
        p = parse_query(PlayerStatusParams, request)
        if (p.id is None) == (p.name is None):
            raise HTTPError(400, ID_OR_NAME)
        online = await (live.get_player(p.id) if p.id is not None else live.get_player_by_name(p.name or ""))
        if online is None:
            info = await svc.users.info(p.id, p.name)
            if info is None:
                raise HTTPError(404, NOT_FOUND)
            return json_response(
                {"status": "success", "player_status": {"online": False, "last_seen": info.latest_activity}}
            )
        status = online.status
        beatmap = await svc.beatmaps.by_md5(status.map_md5) if status.map_md5 else None
        return json_response(
            {
                "status": "success",
                "player_status": {
                    "online": True,
                    "login_time": float(online.login_time),
                    "status": {
                        "action": status.action,
                        "info_text": status.info_text,
                        "mode": status.mode,
                        "mods": status.mods,
                        "beatmap": beatmap_dict(beatmap) if beatmap is not None else None,
                    },
                },
            }
        )

    async def get_player_scores(request: Request) -> Response:
        p = parse_query(PlayerScoresParams, request)
        check_mode(p.mode)
        if (p.id is None) == (p.name is None):
            raise HTTPError(400, ID_OR_NAME)
        mods = parse_mods_filter(p.mods)
        info = await svc.users.info(p.id, p.name)
        if info is None:
            raise HTTPError(404, NOT_FOUND)
        rows = await svc.scores.player_scores(
            info.id, p.mode, p.scope, mods, p.limit, p.include_loved, p.include_failed
        )
        clan = await svc.clans.by_id(info.clan_id) if info.clan_id else None
        return json_response(
            {
                "status": "success",
                "scores": [player_score_dict(r) for r in rows],
                "player": {
                    "id": info.id,
                    "name": info.name,
                    "clan": {"id": clan.id, "name": clan.name, "tag": clan.tag} if clan is not None else None,
                },
            }
        )

    async def get_player_most_played(request: Request) -> Response:
        p = parse_query(PlayerMostPlayedParams, request)
        check_mode(p.mode)
        if p.id is None and p.name is None:
            raise HTTPError(400, "Must provide either id or name.")
        info = await svc.users.info(p.id, None if p.id is not None else p.name)
        if info is None:
            raise HTTPError(404, NOT_FOUND)
        rows = await svc.scores.most_played(info.id, p.mode, p.limit)
        return json_response({"status": "success", "maps": [row_dict(r) for r in rows]})

    async def search_players(request: Request) -> Response:
        p = parse_query(SearchPlayersParams, request)
        rows = await svc.users.search(p.q, p.limit)
        return json_response(
            {
                "status": "success",
                "results": len(rows),
                "result": [{"id": r.id, "name": r.name} for r in rows],
            }
        )

    not_found = {404: "Player not found"}
    both = {400: "Neither or both of id and name", 404: "Player not found"}
    mode_and_both = {400: "Invalid gamemode, or neither/both of id and name", 404: "Player not found"}
    return [
        Route(
            "/v1/get_player_count",
            get_player_count,
            summary="Online and registered player counts (the bot is not counted)",
            tag="players",
        ),
        Route(
            "/v1/get_player_info",
            get_player_info,
            params=PlayerInfoParams,
            summary="A player's account info and/or stats per mode with global and country rank",
            tag="players",
            responses=both,
            cache_tables=("users", "stats"),
        ),
        Route(
            "/v1/get_player_status",
            get_player_status,
            params=PlayerStatusParams,
            summary="Whether a player is online, and what they are doing",
            tag="players",
            responses=both,
        ),
        Route(
            "/v1/get_player_scores",
            get_player_scores,
            params=PlayerScoresParams,
            summary="A player's best or recent scores in a mode",
            tag="players",
            responses=mode_and_both,
            cache_tables=("users", "clans", "scores", "maps"),
        ),
        Route(
            "/v1/get_player_most_played",
            get_player_most_played,
            params=PlayerMostPlayedParams,
            summary="The maps a player has played most in a mode",
            tag="players",
            responses={**mode_and_both, **not_found},
            cache_tables=("users", "scores", "maps"),
        ),
        Route(
            "/v1/search_players",
            search_players,
            params=SearchPlayersParams,
            summary="Verified, unrestricted players whose name contains `q`",
            tag="players",
            cache_tables=("users",),
        ),
    ]

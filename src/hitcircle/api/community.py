"""Leaderboards, clans and tournament map pools."""

from __future__ import annotations

from typing import Any

from hitcircle.api.common import check_mode
from hitcircle.api.params import ClanParams, LeaderboardParams, MappoolParams
from hitcircle.api.serializers import leaderboard_dict, pool_map_dict
from hitcircle.constants.mods import mods_to_string
from hitcircle.http.errors import HTTPError
from hitcircle.http.params import parse_query
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.services.container import Services

CLAN_RANKS = {1: "Member", 2: "Officer", 3: "Owner"}


def routes(svc: Services) -> list[Route]:
    live = svc.runtime.live

    async def get_leaderboard(request: Request) -> Response:
        p = parse_query(LeaderboardParams, request)
        check_mode(p.mode)
        rows = await svc.leaderboards.page(p.sort, p.mode, p.limit, p.offset, p.country)
        return json_response({"status": "success", "leaderboard": [leaderboard_dict(r) for r in rows]})

    async def get_clan(request: Request) -> Response:
        p = parse_query(ClanParams, request)
        clan = await svc.clans.by_id(p.id)
        if clan is None:
            raise HTTPError(404, "Clan not found.")
        members = await svc.clans.members(clan.id)
        owner_info = await svc.users.info(clan.owner)
        owner: dict[str, Any] | None = None
        if owner_info is not None:
            online = await live.get_player(owner_info.id)
            country = online.country if online is not None else owner_info.country
            owner = {"id": owner_info.id, "name": owner_info.name, "country": country, "rank": "Owner"}
        return json_response(
            {
                "id": clan.id,
                "name": clan.name,
                "tag": clan.tag,
                "members": [
                    {
                        "id": m.id,
                        "name": m.name,
                        "country": m.country,
                        "rank": CLAN_RANKS.get(int(m.clan_priv), "Member"),
                    }
                    for m in members
                ],
                "owner": owner,
            }
        )

    async def get_mappool(request: Request) -> Response:
        p = parse_query(MappoolParams, request)
        pool = await svc.pools.by_id(p.id)
        if pool is None:
            raise HTTPError(404, "Pool not found.")
        creator = await svc.users.info(pool.created_by)
        if creator is None:
            raise HTTPError(404, "Pool creator not found.")
        online = await live.get_player(creator.id)
        clan = await svc.clans.by_id(creator.clan_id) if creator.clan_id else None
        clan_obj = None
        if clan is not None:
            count = await svc.clans.member_count(clan.id)
            clan_obj = {"id": clan.id, "name": clan.name, "tag": clan.tag, "members": count}
        maps: dict[str, Any] = {}
        for entry in await svc.pools.maps(pool.id):
            beatmap = await svc.beatmaps.by_id(int(entry.map_id))
            if beatmap is not None:
                maps[f"{mods_to_string(int(entry.mods))}{entry.slot}"] = pool_map_dict(beatmap)
        return json_response(
            {
                "id": pool.id,
                "name": pool.name,
                "created_at": pool.created_at,
                "created_by": {
                    "id": creator.id,
                    "name": creator.name,
                    "country": online.country if online is not None else creator.country,
                    "clan": clan_obj,
                    "online": online is not None,
                },
                "maps": maps,
            }
        )

    return [
        Route(
            "/v1/get_leaderboard",
            get_leaderboard,
            params=LeaderboardParams,
            summary="Global or country leaderboard of a mode, by pp, score, accuracy, plays or playtime",
            tag="leaderboards",
            responses={400: "Invalid gamemode"},
            cache_tables=("stats", "users", "clans"),
        ),
        Route(
            "/v1/get_clan",
            get_clan,
            params=ClanParams,
            summary="A clan with its members and owner",
            tag="clans",
            responses={404: "Clan not found"},
        ),
        Route(
            "/v1/get_mappool",
            get_mappool,
            params=MappoolParams,
            summary="A tournament map pool, keyed by mods and slot (NM1, HD1, HDHR2)",
            tag="tournaments",
            responses={404: "Pool or its creator not found"},
        ),
    ]

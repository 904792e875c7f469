"""Multiplayer: live matches from the live-state interface."""

from __future__ import annotations

from typing import Any

from hitcircle.api.params import MatchParams
from hitcircle.http.errors import HTTPError
from hitcircle.http.params import parse_query
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.live.models import Match
from hitcircle.services.container import Services

#: SlotStatus bits meaning "a player is in this slot" (not_ready|ready|no_map|playing|complete)
SLOT_HAS_PLAYER = 124


def routes(svc: Services) -> list[Route]:
    live = svc.runtime.live

    async def names_of(user_ids: set[int]) -> dict[int, str]:
        names: dict[int, str] = {}
        for user_id in user_ids:
            player = await live.get_player(user_id)
            if player is not None:
                names[user_id] = player.name
        missing = [u for u in user_ids if u not in names]
        names.update(await svc.users.names(missing))
        return names

    def match_dict(match: Match, names: dict[int, str]) -> dict[str, Any]:
        def who(user_id: int) -> dict[str, Any]:
            return {"id": user_id, "name": names.get(user_id, "")}

        refs = [match.host_id, *sorted(set(match.referee_ids) - {match.host_id})]
        slots = {
            str(i): {
                "loaded": slot.loaded,
                "mods": slot.mods,
                "player": who(slot.player_id),
                "skipped": slot.skipped,
                "status": slot.status,
                "team": slot.team,
            }
            for i, slot in enumerate(match.slots)
            if slot.player_id is not None and slot.status & SLOT_HAS_PLAYER
        }
        return {
            "name": match.name,
            "mode": match.mode,
            "mods": match.mods,
            "seed": match.seed,
            "host": who(match.host_id),
            "refs": [who(r) for r in refs],
            "in_progress": match.in_progress,
            "is_scrimming": match.is_scrimming,
            "map": {"id": match.map_id, "md5": match.map_md5, "name": match.map_name},
            "active_slots": slots,
        }

    async def get_match(request: Request) -> Response:
        p = parse_query(MatchParams, request)
        match = await live.get_match(p.id)
        if match is None:
            raise HTTPError(404, "Match not found.")
        ids = {
            match.host_id,
            *match.referee_ids,
            *(s.player_id for s in match.slots if s.player_id is not None),
        }
        names = await names_of(ids)
        return json_response({"status": "success", "match": match_dict(match, names)})

    return [
        Route(
            "/v1/get_match",
            get_match,
            params=MatchParams,
            summary="A live multiplayer match by the id the game shows",
            tag="multiplayer",
            responses={404: "Match not found"},
        )
    ]

"""In-process live state: the embedded default for a single worker."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from hitcircle.constants.privileges import is_restricted
from hitcircle.live.base import LiveState, MatchSlotsFull
from hitcircle.live.models import MAX_MATCHES, Match, OnlinePlayer, PlayerStatus, make_safe_name

BOT_ID = 1


class InMemoryLiveState(LiveState):
    def __init__(self) -> None:
        self._players: dict[int, OnlinePlayer] = {}
        self._names: dict[str, int] = {}
        self._matches: dict[int, Match] = {}
        self._lock = asyncio.Lock()

    async def add_player(self, player: OnlinePlayer) -> None:
        old = self._players.get(player.id)
        if old is not None:
            self._names.pop(old.safe_name, None)
        self._players[player.id] = player.clone()
        self._names[player.safe_name] = player.id

    async def remove_player(self, user_id: int) -> None:
        player = self._players.pop(user_id, None)
        if player is not None:
            self._names.pop(player.safe_name, None)

    async def get_player(self, user_id: int) -> OnlinePlayer | None:
        player = self._players.get(user_id)
        return player.clone() if player is not None else None

    async def get_player_by_name(self, name: str) -> OnlinePlayer | None:
        user_id = self._names.get(make_safe_name(name))
        return await self.get_player(user_id) if user_id is not None else None

    async def set_status(self, user_id: int, status: PlayerStatus) -> bool:
        player = self._players.get(user_id)
        if player is None:
            return False
        player.status = replace(status)
        return True

    async def set_privileges(self, user_id: int, priv: int) -> bool:
        player = self._players.get(user_id)
        if player is None:
            return False
        player.priv = priv
        return True

    async def online_players(self) -> list[OnlinePlayer]:
        return [p.clone() for p in self._players.values()]

    async def online_among(self, user_ids: list[int]) -> set[int]:
        return {user_id for user_id in user_ids if user_id in self._players}

    async def online_count(self) -> int:
        return sum(1 for p in self._players.values() if p.id != BOT_ID and not is_restricted(p.priv))

    async def create_match(self, match: Match) -> Match:
        async with self._lock:
            for match_id in range(MAX_MATCHES):
                if match_id not in self._matches:
                    match.id = match_id
                    self._matches[match_id] = match.clone()
                    return match
        raise MatchSlotsFull

    async def update_match(self, match: Match) -> None:
        self._matches[match.id] = match.clone()

    async def get_match(self, match_id: int) -> Match | None:
        match = self._matches.get(match_id)
        return match.clone() if match is not None else None

    async def remove_match(self, match_id: int) -> None:
        self._matches.pop(match_id, None)

    async def list_matches(self) -> list[Match]:
        return [m.clone() for _, m in sorted(self._matches.items())]

    async def clear(self) -> None:
        self._players.clear()
        self._names.clear()
        self._matches.clear()

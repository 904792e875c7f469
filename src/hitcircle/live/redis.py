"""Live state in Redis, shared by every worker and host pointed at the same server.

Keys (all under one prefix, `hitcircle:` by default):
  `{p}live:players`      hash  user id -> player JSON
  `{p}live:names`        hash  safe name -> user id
  `{p}live:matches`      hash  match id -> match JSON
Match ids are claimed with HSETNX so two workers never create the same id.
"""

from __future__ import annotations

from typing import Any

import orjson
from redis.asyncio import Redis

from hitcircle.constants.privileges import is_restricted
from hitcircle.live.base import LiveState, MatchSlotsFull
from hitcircle.live.models import MAX_MATCHES, Match, OnlinePlayer, PlayerStatus, make_safe_name

BOT_ID = 1


class RedisLiveState(LiveState):
    def __init__(self, redis: Redis, prefix: str = "hitcircle:") -> None:
        self._redis = redis
        self._players = f"{prefix}live:players"
        self._names = f"{prefix}live:names"
        self._matches = f"{prefix}live:matches"

    async def add_player(self, player: OnlinePlayer) -> None:
        old = await self.get_player(player.id)
        async with self._redis.pipeline(transaction=True) as pipe:
            if old is not None and old.safe_name != player.safe_name:
                pipe.hdel(self._names, old.safe_name)
            pipe.hset(self._players, str(player.id), orjson.dumps(player.to_dict()))
            pipe.hset(self._names, player.safe_name, str(player.id))
            await pipe.execute()

    async def remove_player(self, user_id: int) -> None:
        player = await self.get_player(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._players, str(user_id))
            if player is not None:
                pipe.hdel(self._names, player.safe_name)
            await pipe.execute()

    async def get_player(self, user_id: int) -> OnlinePlayer | None:
        raw = await self._redis.hget(self._players, str(user_id))
        return OnlinePlayer.from_dict(orjson.loads(raw)) if raw else None

    async def get_player_by_name(self, name: str) -> OnlinePlayer | None:
        user_id = await self._redis.hget(self._names, make_safe_name(name))
        return await self.get_player(int(user_id)) if user_id else None

    async def _modify_player(self, user_id: int, field: str, value: Any) -> bool:
        # Optimistic update: retried if another worker changed the hash meanwhile.
        async with self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(self._players)
                    raw = await pipe.hget(self._players, str(user_id))
                    if not raw:
                        await pipe.unwatch()  # type: ignore[no-untyped-call]
                        return False
                    data = orjson.loads(raw)
                    data[field] = value
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.hset(self._players, str(user_id), orjson.dumps(data))
                    await pipe.execute()
                    return True
                except Exception as exc:  # WatchError: retry
                    if type(exc).__name__ != "WatchError":
                        raise

    async def set_status(self, user_id: int, status: PlayerStatus) -> bool:
        from dataclasses import asdict

        return await self._modify_player(user_id, "status", asdict(status))

    async def set_privileges(self, user_id: int, priv: int) -> bool:
        return await self._modify_player(user_id, "priv", priv)

    async def online_players(self) -> list[OnlinePlayer]:
        values = await self._redis.hvals(self._players)
        return [OnlinePlayer.from_dict(orjson.loads(v)) for v in values]

    async def online_among(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        found = await self._redis.hmget(self._players, [str(u) for u in user_ids])
        return {user_id for user_id, raw in zip(user_ids, found, strict=True) if raw}

    async def online_count(self) -> int:
        return sum(1 for p in await self.online_players() if p.id != BOT_ID and not is_restricted(p.priv))

    async def create_match(self, match: Match) -> Match:
        for match_id in range(MAX_MATCHES):
            match.id = match_id
            if await self._redis.hsetnx(self._matches, str(match_id), orjson.dumps(match.to_dict())):
                return match
        raise MatchSlotsFull

    async def update_match(self, match: Match) -> None:
        await self._redis.hset(self._matches, str(match.id), orjson.dumps(match.to_dict()))

    async def get_match(self, match_id: int) -> Match | None:
        raw = await self._redis.hget(self._matches, str(match_id))
        return Match.from_dict(orjson.loads(raw)) if raw else None

    async def remove_match(self, match_id: int) -> None:
        await self._redis.hdel(self._matches, str(match_id))

    async def list_matches(self) -> list[Match]:
        raw = await self._redis.hgetall(self._matches)
        return [Match.from_dict(orjson.loads(v)) for _, v in sorted(raw.items(), key=lambda kv: int(kv[0]))]

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def clear(self) -> None:
        await self._redis.delete(self._players, self._names, self._matches)

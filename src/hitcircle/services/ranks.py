"""Global and country ranks per mode.

Ranked players are unrestricted with pp > 0 in the mode; order is pp descending, ties broken by user id
ascending, so paging never repeats or skips anyone. Two interchangeable implementations:

* `DatabaseRanks` (default) reads ranks from the per-worker pp boards of `services.leaderboards` (a
  binary search), and counts them in SQL while those are being rebuilt after a write;
* `RedisRanks` keeps bancho.py's sorted sets `bancho:leaderboard:{mode}` and
  `bancho:leaderboard:{mode}:{country}` (member = user id, score = pp), rebuilt from the database at start-up
  and by `hitcircle ranks rebuild`. Ties are resolved by user id, not by Redis' member order, so both
  implementations give identical answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from redis.asyncio import Redis

from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.constants.privileges import is_restricted
from hitcircle.repositories.stats import StatsRepository
from hitcircle.services.leaderboards import Leaderboards

Ranks = dict[int, tuple[int, int]]  # mode -> (global rank, country rank); 0 = unranked


class RankService(ABC):
    def __init__(self, stats: StatsRepository) -> None:
        self._stats = stats

    async def for_player(self, user_id: int, country: str, priv: int, pp_by_mode: dict[int, int]) -> Ranks:
        ranks: Ranks = {mode: (0, 0) for mode in pp_by_mode}
        ranked = {mode: pp for mode, pp in pp_by_mode.items() if pp > 0}
        if is_restricted(priv) or not ranked:
            return ranks
        ranks.update(await self._ranks(user_id, country.lower(), ranked))
        return ranks

    @abstractmethod
    async def _ranks(self, user_id: int, country: str, pp_by_mode: dict[int, int]) -> Ranks: ...

    async def rebuild(self) -> int:
        """Recompute stored ranks from the database; returns the number of ranked (player, mode) pairs."""
        return 0

    async def on_privileges_changed(self, user_id: int, old_priv: int, new_priv: int) -> None:
        """Hook for the account service: a restriction removes, an unrestriction restores, the ranks."""
        if is_restricted(old_priv) == is_restricted(new_priv):
            return
        player = await self._stats.player_pp(user_id)
        if player is None:
            return
        country, pp_by_mode = player
        if is_restricted(new_priv):
            await self.remove(user_id, country)
        else:
            for mode, pp in pp_by_mode.items():
                await self.update(user_id, mode, pp, country, new_priv)

    async def update(self, user_id: int, mode: int, pp: int, country: str, priv: int) -> None:  # noqa: B027
        """Record a player's new pp in a mode (score submission, unrestriction). The database
        implementation reads ranks live, so it has nothing to store."""

    async def remove(self, user_id: int, country: str) -> None:  # noqa: B027
        """Drop a player from every leaderboard (restriction)."""


class DatabaseRanks(RankService):
    """Ranks from the per-worker pp boards (`Leaderboards`), or counted in SQL while they are stale."""

    def __init__(self, stats: StatsRepository, boards: Leaderboards | None = None) -> None:
        super().__init__(stats)
        self._boards = boards

    async def _ranks(self, user_id: int, country: str, pp_by_mode: dict[int, int]) -> Ranks:
        ranks: Ranks = {}
        for mode, pp in pp_by_mode.items():
            if self._boards is not None:
                ranks[mode] = await self._boards.rank(mode, user_id, pp, country)
            else:
                ranks[mode] = await self._stats.rank_by_count(mode, user_id, pp, country)
        return ranks


def global_key(mode: int) -> str:
    return f"bancho:leaderboard:{mode}"


def country_key(mode: int, country: str) -> str:
    return f"bancho:leaderboard:{mode}:{country.lower()}"


class RedisRanks(RankService):
    def __init__(self, stats: StatsRepository, redis: Redis) -> None:
        super().__init__(stats)
        self._redis = redis

    async def _ranks(self, user_id: int, country: str, pp_by_mode: dict[int, int]) -> Ranks:
        member = str(user_id)
        modes = list(pp_by_mode)
        async with self._redis.pipeline(transaction=False) as pipe:
            for mode in modes:
                pipe.zscore(global_key(mode), member)
            scores = await pipe.execute()
        present = [(mode, score) for mode, score in zip(modes, scores, strict=True) if score is not None]
        ranks: Ranks = {mode: (0, 0) for mode in modes}
        if not present:
            return ranks
        async with self._redis.pipeline(transaction=False) as pipe:
            for mode, score in present:
                for key in (global_key(mode), country_key(mode, country)):
                    pipe.zcount(key, f"({score}", "+inf")
                    pipe.zrangebyscore(key, score, score)
            results = await pipe.execute()
        for i, (mode, _) in enumerate(present):
            g_above, g_ties, c_above, c_ties = results[i * 4 : i * 4 + 4]
            g_before = sum(1 for m in g_ties if int(m) < user_id)
            c_before = sum(1 for m in c_ties if int(m) < user_id)
            ranks[mode] = (int(g_above) + g_before + 1, int(c_above) + c_before + 1)
        return ranks

    async def rebuild(self) -> int:
        total = 0
        for mode in VALID_MODES:
            rows = await self._stats.ranked_rows(mode)
            stale = [key async for key in self._redis.scan_iter(match=f"{global_key(mode)}:*", count=1000)]
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(global_key(mode), *stale)
                by_country: dict[str, dict[str, int]] = {}
                everyone: dict[str, int] = {}
                for row in rows:
                    user_id, pp, country = row.id, row.pp, row.country
                    everyone[str(user_id)] = int(pp)
                    by_country.setdefault(str(country).lower(), {})[str(user_id)] = int(pp)
                if everyone:
                    pipe.zadd(global_key(mode), everyone)
                for country, members in by_country.items():
                    pipe.zadd(country_key(mode, country), members)
                await pipe.execute()
            total += len(rows)
        return total

    async def update(self, user_id: int, mode: int, pp: int, country: str, priv: int) -> None:
        member = str(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            if is_restricted(priv) or pp <= 0:
                pipe.zrem(global_key(mode), member)
                pipe.zrem(country_key(mode, country), member)
            else:
                pipe.zadd(global_key(mode), {member: pp})
                pipe.zadd(country_key(mode, country), {member: pp})
            await pipe.execute()

    async def remove(self, user_id: int, country: str) -> None:
        member = str(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            for mode in VALID_MODES:
                pipe.zrem(global_key(mode), member)
                pipe.zrem(country_key(mode, country), member)
            await pipe.execute()

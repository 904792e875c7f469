"""Ranks from the database and from Redis agree, ties broken by user id."""

from __future__ import annotations

import itertools

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.repositories.stats import StatsRepository
from hitcircle.services.ranks import DatabaseRanks, RedisRanks
from tests.factories import create_user, set_stats


async def test_database_and_redis_ranks_are_identical(engine: AsyncEngine, redis_url: str) -> None:
    countries = itertools.cycle(["ca", "de", "jp"])
    pps = [500, 900, 500, 0, 120, 900, 500, 3000, 1]
    players = []
    for i, pp in enumerate(pps):
        user = await create_user(engine, f"p{i}", country=next(countries), priv=2 if i == 7 else 3)
        await set_stats(engine, user["id"], 0, pp=pp)
        await set_stats(engine, user["id"], 4, pp=pp // 2)
        players.append((user, pp))
    stats = StatsRepository(engine)
    redis = Redis.from_url(redis_url)
    try:
        database, redis_ranks = DatabaseRanks(stats), RedisRanks(stats, redis)
        assert await redis_ranks.rebuild() == 7 + 6  # unrestricted with pp > 0: 7 in std, 6 in relax
        for user, pp in players:
            pp_by_mode = {0: pp, 4: pp // 2, 1: 0}
            expected = await database.for_player(user["id"], user["country"], user["priv"], pp_by_mode)
            assert (
                await redis_ranks.for_player(user["id"], user["country"], user["priv"], pp_by_mode)
                == expected
            )
        first = players[0][0]
        assert (await database.for_player(first["id"], "ca", 3, {0: 500}))[0] == (3, 1)
        assert await redis.zscore("bancho:leaderboard:0", str(first["id"])) == 500.0
        assert await redis.zscore("bancho:leaderboard:0:ca", str(first["id"])) == 500.0
        await redis_ranks.remove(first["id"], "ca")
        assert await redis.zscore("bancho:leaderboard:0", str(first["id"])) is None
    finally:
        await redis.aclose()


async def test_restricted_and_zero_pp_are_unranked(engine: AsyncEngine) -> None:
    user = await create_user(engine, priv=2)
    await set_stats(engine, user["id"], 0, pp=100)
    ranks = DatabaseRanks(StatsRepository(engine))
    assert await ranks.for_player(user["id"], "ca", 2, {0: 100, 1: 0}) == {0: (0, 0), 1: (0, 0)}


async def test_restriction_through_accounts_updates_redis_ranks(engine: AsyncEngine, redis_url: str) -> None:
    from hitcircle.live.memory import InMemoryLiveState
    from hitcircle.services.accounts import AccountService

    user = await create_user(engine, "Ranked", country="se")
    await set_stats(engine, user["id"], 0, pp=777)
    await set_stats(engine, user["id"], 4, pp=50)
    redis = Redis.from_url(redis_url)
    try:
        ranks = RedisRanks(StatsRepository(engine), redis)
        await ranks.rebuild()
        accounts = AccountService(
            engine, InMemoryLiveState(), on_privileges_changed=ranks.on_privileges_changed
        )
        await accounts.restrict(user["id"])
        assert await redis.zscore("bancho:leaderboard:0", str(user["id"])) is None
        assert await redis.zscore("bancho:leaderboard:4:se", str(user["id"])) is None
        await accounts.unrestrict(user["id"])
        assert await redis.zscore("bancho:leaderboard:0", str(user["id"])) == 777.0
        assert await redis.zscore("bancho:leaderboard:4:se", str(user["id"])) == 50.0
        assert await redis.zscore("bancho:leaderboard:1", str(user["id"])) is None  # pp 0: unranked
    finally:
        await redis.aclose()

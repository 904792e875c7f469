"""The API configured with Redis (live state and ranks) answers exactly like the embedded default."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.live.models import Match, OnlinePlayer
from hitcircle.live.redis import RedisLiveState
from hitcircle.services.ranks import RedisRanks
from hitcircle.services.startup import prepare_server
from tests.conftest import API, make_settings
from tests.factories import create_user, set_stats


async def test_redis_configured_app_matches_database_app(
    db_url: str, engine: AsyncEngine, client: httpx.AsyncClient, redis_url: str, tmp_path: Path
) -> None:
    players = []
    for i, (country, pp) in enumerate([("ca", 900), ("de", 700), ("ca", 700), ("jp", 50), ("ca", 900)]):
        user = await create_user(engine, f"racer{i}", country=country, priv=2 if i == 4 else 3)
        await set_stats(engine, user["id"], 0, pp=pp)
        await set_stats(engine, user["id"], 8, pp=pp // 3)
        players.append(user)

    redis_app = HitcircleApp(make_settings(db_url, tmp_path / "redis-data", REDIS_URL=redis_url))
    await redis_app.startup()
    try:
        services = redis_app.services
        assert services is not None
        assert isinstance(services.ranks, RedisRanks)
        assert isinstance(services.runtime.live, RedisLiveState)
        await prepare_server(services)  # what `hitcircle serve` does before its workers start
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=redis_app), base_url=API
        ) as redis_client:
            for user in players:
                params = {"id": user["id"], "scope": "all"}
                from_db = (await client.get("/v1/get_player_info", params=params)).json()
                from_redis = (await redis_client.get("/v1/get_player_info", params=params)).json()
                assert from_redis == from_db
            ranks = [
                (
                    await redis_client.get("/v1/get_player_info", params={"id": u["id"], "scope": "stats"})
                ).json()["player"]["stats"]["0"]["rank"]
                for u in players
            ]
            assert ranks == [1, 2, 3, 4, 0]

            live = services.runtime.live
            await live.add_player(OnlinePlayer(players[0]["id"], "racer0", 3, "ca", 5.0))
            count = (await redis_client.get("/v1/get_player_count")).json()
            assert count == {"status": "success", "counts": {"online": 1, "total": 5}}
            match = await live.create_match(Match(id=-1, name="shared", host_id=players[0]["id"]))
            shared = (await redis_client.get("/v1/get_match", params={"id": match.id})).json()
            assert shared["match"]["host"] == {"id": players[0]["id"], "name": "racer0"}
    finally:
        await redis_app.shutdown()

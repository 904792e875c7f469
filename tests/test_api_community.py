"""Developer API: leaderboard, clans, map pools, live matches."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.db import schema
from hitcircle.live.models import Match, MatchSlot, OnlinePlayer
from tests.factories import create_clan, create_map, create_user, join_clan, set_stats


async def test_get_leaderboard(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await create_user(engine, "Alice", country="ca")
    bob = await create_user(engine, "Bob", country="de")
    carol = await create_user(engine, "Carol", country="zz")
    banned = await create_user(engine, "Banned", priv=2)
    clan = await create_clan(engine, owner=bob["id"], name="Circles", tag="HC")
    await set_stats(engine, alice["id"], 0, pp=700, acc=97.5, plays=10)
    await set_stats(engine, bob["id"], 0, pp=700, acc=99.25, plays=5)
    await set_stats(engine, carol["id"], 0, pp=100, plays=50)
    await set_stats(engine, banned["id"], 0, pp=9000)
    await set_stats(engine, carol["id"], 8, pp=50)

    body = (await client.get("/v1/get_leaderboard")).json()
    assert [row["player_id"] for row in body["leaderboard"]] == [alice["id"], bob["id"], carol["id"]]
    assert body["leaderboard"][1] == {
        "player_id": bob["id"], "name": "Bob", "country": "de", "tscore": 0, "rscore": 0, "pp": 700, "plays": 5,
        "playtime": 0, "acc": 99.25, "max_combo": 0, "xh_count": 0, "x_count": 0, "sh_count": 0, "s_count": 0,
        "a_count": 0, "clan_id": clan["id"], "clan_name": "Circles", "clan_tag": "HC",
    }  # fmt: skip
    by_plays = (await client.get("/v1/get_leaderboard", params={"sort": "plays"})).json()
    assert [row["name"] for row in by_plays["leaderboard"]] == ["Carol", "Alice", "Bob"]
    paged = (await client.get("/v1/get_leaderboard", params={"limit": 1, "offset": 1})).json()
    assert [row["name"] for row in paged["leaderboard"]] == ["Bob"]
    country = (await client.get("/v1/get_leaderboard", params={"country": "ZZ"})).json()
    assert [row["name"] for row in country["leaderboard"]] == ["Carol"]
    autopilot = (await client.get("/v1/get_leaderboard", params={"mode": 8})).json()
    assert [row["name"] for row in autopilot["leaderboard"]] == ["Carol"]
    invalid = await client.get("/v1/get_leaderboard", params={"mode": 7})
    assert (invalid.status_code, invalid.json()) == (400, {"status": "Invalid gamemode."})
    for params in ({"offset": -1}, {"offset": 2**31}, {"country": "can"}, {"sort": "rank"}, {"limit": 101}):
        assert (await client.get("/v1/get_leaderboard", params=params)).status_code == 422


async def test_get_clan(client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp) -> None:
    owner = await create_user(engine, "Owner", country="jp")
    member = await create_user(engine, "Member", country="kr")
    officer = await create_user(engine, "Officer", country="us")
    odd = await create_user(engine, "Zero", country="fr")
    clan = await create_clan(engine, owner=owner["id"], name="Circles", tag="HC")
    await join_clan(engine, member["id"], clan["id"], 1)
    await join_clan(engine, officer["id"], clan["id"], 2)
    await join_clan(engine, odd["id"], clan["id"], 0)
    body = (await client.get("/v1/get_clan", params={"id": clan["id"]})).json()
    assert body == {
        "id": clan["id"],
        "name": "Circles",
        "tag": "HC",
        "members": [
            {"id": owner["id"], "name": "Owner", "country": "jp", "rank": "Owner"},
            {"id": officer["id"], "name": "Officer", "country": "us", "rank": "Officer"},
            {"id": member["id"], "name": "Member", "country": "kr", "rank": "Member"},
            {"id": odd["id"], "name": "Zero", "country": "fr", "rank": "Member"},
        ],
        "owner": {"id": owner["id"], "name": "Owner", "country": "jp", "rank": "Owner"},
    }
    missing = await client.get("/v1/get_clan", params={"id": 9999})
    assert (missing.status_code, missing.json()) == (404, {"status": "Clan not found."})
    async with engine.begin() as conn:
        await conn.execute(schema.clans.update().where(schema.clans.c.id == clan["id"]).values(owner=987654))
    orphan = (await client.get("/v1/get_clan", params={"id": clan["id"]})).json()
    assert orphan["owner"] is None


async def test_get_mappool(client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp) -> None:
    creator = await create_user(engine, "Referee", country="gb")
    clan = await create_clan(engine, owner=creator["id"], name="Pools", tag="PL")
    nm1 = await create_map(engine)
    hd1 = await create_map(engine)
    hdhr2 = await create_map(engine)
    async with engine.begin() as conn:
        result = await conn.execute(
            schema.tourney_pools.insert().values(
                name="OWC", created_at=datetime(2024, 6, 1), created_by=creator["id"]
            )
        )
        pool_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await conn.execute(
            schema.tourney_pool_maps.insert(),
            [
                {"map_id": nm1["id"], "pool_id": pool_id, "mods": 0, "slot": 1},
                {"map_id": hd1["id"], "pool_id": pool_id, "mods": 8, "slot": 1},
                {"map_id": hdhr2["id"], "pool_id": pool_id, "mods": 24, "slot": 2},
                {"map_id": 55555555, "pool_id": pool_id, "mods": 16, "slot": 1},  # unknown map: skipped
            ],
        )
    body = (await client.get("/v1/get_mappool", params={"id": pool_id})).json()
    assert list(body) == ["id", "name", "created_at", "created_by", "maps"]
    assert body["created_at"] == "2024-06-01T00:00:00"
    assert body["created_by"] == {
        "id": creator["id"],
        "name": "Referee",
        "country": "gb",
        "clan": {"id": clan["id"], "name": "Pools", "tag": "PL", "members": 1},
        "online": False,
    }
    assert list(body["maps"]) == ["NM1", "HD1", "HDHR2"]
    assert list(body["maps"]["HD1"])[:2] == ["id", "md5"]
    assert body["maps"]["HDHR2"]["id"] == hdhr2["id"]
    live = app.runtime.live  # type: ignore[union-attr]
    await live.add_player(OnlinePlayer(creator["id"], "Referee", 3, "gb", 1.0))
    online = (await client.get("/v1/get_mappool", params={"id": pool_id})).json()
    assert online["created_by"]["online"] is True
    missing = await client.get("/v1/get_mappool", params={"id": pool_id + 1})
    assert (missing.status_code, missing.json()) == (404, {"status": "Pool not found."})


async def test_get_match(client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp) -> None:
    host = await create_user(engine, "Host")
    ref = await create_user(engine, "Ref")
    guest = await create_user(engine, "Guest")
    live = app.runtime.live  # type: ignore[union-attr]
    await live.add_player(OnlinePlayer(host["id"], "Host", 3, "ca", 1.0))
    slots = [MatchSlot() for _ in range(16)]
    slots[0] = MatchSlot(status=8, team=1, mods=8, player_id=host["id"], loaded=True)
    slots[3] = MatchSlot(status=4, team=2, player_id=guest["id"])
    slots[5] = MatchSlot(status=2)  # locked, empty
    created = await live.create_match(
        Match(
            id=-1,
            name="hitcircle cup",
            host_id=host["id"],
            mode=0,
            mods=64,
            seed=1234,
            map_id=315,
            map_md5="e" * 32,
            map_name="FAIRY FORE - Vivid [Insane]",
            referee_ids=[ref["id"], host["id"]],
            slots=slots,
        )
    )
    assert created.id == 0
    body = (await client.get("/v1/get_match", params={"id": 0})).json()
    assert body == {
        "status": "success",
        "match": {
            "name": "hitcircle cup",
            "mode": 0,
            "mods": 64,
            "seed": 1234,
            "host": {"id": host["id"], "name": "Host"},
            "refs": [{"id": host["id"], "name": "Host"}, {"id": ref["id"], "name": "Ref"}],
            "in_progress": False,
            "is_scrimming": False,
            "map": {"id": 315, "md5": "e" * 32, "name": "FAIRY FORE - Vivid [Insane]"},
            "active_slots": {
                "0": {
                    "loaded": True, "mods": 8, "player": {"id": host["id"], "name": "Host"}, "skipped": False,
                    "status": 8, "team": 1,
                },
                "3": {
                    "loaded": False, "mods": 0, "player": {"id": guest["id"], "name": "Guest"}, "skipped": False,
                    "status": 4, "team": 2,
                },
            },
        },
    }  # fmt: skip
    for match_id in (1, 63, 64, 2**31 - 1):
        response = await client.get("/v1/get_match", params={"id": match_id})
        assert (response.status_code, response.json()) == (404, {"status": "Match not found."})
    assert (await client.get("/v1/get_match", params={"id": -1})).status_code == 422

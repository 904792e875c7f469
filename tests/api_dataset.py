"""A small but complete dataset that gives every read endpoint a non-empty answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.db import schema
from hitcircle.live.models import Match, MatchSlot, OnlinePlayer, PlayerStatus
from tests.factories import create_clan, create_map, create_score, create_user, join_clan, set_stats
from tests.osr_tools import frames_of

REPLAY = Path(__file__).parent / "fixtures" / "replays" / "replay.osr"
API_KEY = "0b5c3f6e-4d1a-4c2b-9e8f-7a6b5c4d3e2f"


@dataclass
class Dataset:
    user_id: int
    user_name: str
    map_id: int
    map_md5: str
    score_id: int
    clan_id: int
    pool_id: int
    match_id: int


async def load_dataset(engine: AsyncEngine, app: HitcircleApp) -> Dataset:
    alice = await create_user(engine, "Alice", country="ca", api_key=API_KEY)
    bob = await create_user(engine, "Bob", country="de")
    await create_user(engine, "Restricted", priv=2)
    clan = await create_clan(engine, owner=alice["id"], name="Circles", tag="HC")
    await join_clan(engine, bob["id"], clan["id"], 2)
    beatmap = await create_map(engine)
    for user, pp in ((alice, 400), (bob, 300)):
        await set_stats(engine, user["id"], 0, pp=pp, plays=3, acc=97.0, tscore=10**6, rscore=10**5)
        await set_stats(engine, user["id"], 4, pp=pp * 2, plays=1)
    score = await create_score(engine, userid=alice["id"], map_md5=beatmap["md5"], pp=120.5)
    await create_score(engine, userid=bob["id"], map_md5=beatmap["md5"], pp=100.5, mods=24)
    await create_score(engine, userid=alice["id"], map_md5=beatmap["md5"], mode=4, mods=128, pp=300)
    await create_score(engine, userid=bob["id"], map_md5=beatmap["md5"], status=0)
    async with engine.begin() as conn:
        result = await conn.execute(
            schema.tourney_pools.insert().values(
                name="Pool", created_at=datetime(2024, 1, 1), created_by=alice["id"]
            )
        )
        pool_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await conn.execute(
            schema.tourney_pool_maps.insert().values(map_id=beatmap["id"], pool_id=pool_id, mods=8, slot=1)
        )
    runtime = app.runtime
    assert runtime is not None
    runtime.paths.replay(score["id"]).write_bytes(frames_of(REPLAY.read_bytes()))
    status = PlayerStatus(
        action=2, info_text="x", map_md5=beatmap["md5"], mods=0, mode=0, map_id=beatmap["id"]
    )
    await runtime.live.add_player(OnlinePlayer(alice["id"], "Alice", 3, "ca", 1.5, status=status))
    slots = [MatchSlot() for _ in range(16)]
    slots[0] = MatchSlot(status=4, player_id=alice["id"])
    match = await runtime.live.create_match(
        Match(id=-1, name="m", host_id=alice["id"], map_id=beatmap["id"], map_md5=beatmap["md5"], slots=slots)
    )
    return Dataset(
        user_id=alice["id"],
        user_name="Alice",
        map_id=beatmap["id"],
        map_md5=beatmap["md5"],
        score_id=score["id"],
        clan_id=clan["id"],
        pool_id=pool_id,
        match_id=match.id,
    )

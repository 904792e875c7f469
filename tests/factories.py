"""Insert realistic rows for tests. Every function returns what it created."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.db import schema
from hitcircle.live.models import make_safe_name

_seq = itertools.count(1)


def _unique() -> int:
    return next(_seq)


async def create_user(
    engine: AsyncEngine,
    name: str | None = None,
    *,
    priv: int = 3,
    country: str = "ca",
    **columns: Any,
) -> dict[str, Any]:
    name = name or f"player{_unique()}"
    values: dict[str, Any] = {
        "name": name,
        "safe_name": make_safe_name(name),
        "email": f"{make_safe_name(name)}@example.com",
        "priv": priv,
        "pw_bcrypt": "$2b$12$" + "x" * 53,
        "country": country,
        "creation_time": 1_700_000_000,
        "latest_activity": 1_700_000_500,
    }
    values.update(columns)
    async with engine.begin() as conn:
        result = await conn.execute(schema.users.insert().values(**values))
        user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await conn.execute(schema.stats.insert(), [{"id": user_id, "mode": m} for m in VALID_MODES])
    return {"id": user_id, **values}


async def set_stats(engine: AsyncEngine, user_id: int, mode: int, **values: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(schema.stats)
            .where(schema.stats.c.id == user_id, schema.stats.c.mode == mode)
            .values(**values)
        )


async def create_map(engine: AsyncEngine, **columns: Any) -> dict[str, Any]:
    n = _unique()
    map_id = columns.pop("id", 1_000_000 + n)
    values: dict[str, Any] = {
        "server": "osu!",
        "id": map_id,
        "set_id": 2_000_000 + n,
        "status": 2,
        "md5": hashlib.md5(f"map{map_id}".encode()).hexdigest(),
        "artist": "Artist",
        "title": f"Title {n}",
        "version": "Insane",
        "creator": "mapper",
        "filename": f"Artist - Title {n} (mapper) [Insane].osu",
        "last_update": datetime(2023, 5, 1, 10, 0, 0),
        "total_length": 120,
        "max_combo": 500,
        "frozen": 0,
        "plays": 10,
        "passes": 5,
        "mode": 0,
        "bpm": 180.0,
        "cs": 4.0,
        "ar": 9.3,
        "od": 8.5,
        "hp": 6.0,
        "diff": 5.123,
    }
    values.update(columns)
    async with engine.begin() as conn:
        await conn.execute(schema.maps.insert().values(**values))
    return values


async def create_score(engine: AsyncEngine, *, userid: int, map_md5: str, **columns: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "map_md5": map_md5,
        "score": 1_000_000,
        "pp": 250.5,
        "acc": 98.76,
        "max_combo": 480,
        "mods": 0,
        "n300": 400,
        "n100": 10,
        "n50": 2,
        "nmiss": 1,
        "ngeki": 80,
        "nkatu": 5,
        "grade": "S",
        "status": 2,
        "mode": 0,
        "play_time": datetime(2024, 1, 1, 12, 30, 0),
        "time_elapsed": 120_000,
        "client_flags": 0,
        "userid": userid,
        "perfect": 0,
        "online_checksum": hashlib.md5(f"score{_unique()}".encode()).hexdigest(),
    }
    values.update(columns)
    async with engine.begin() as conn:
        result = await conn.execute(schema.scores.insert().values(**values))
        score_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return {"id": score_id, **values}


async def create_clan(
    engine: AsyncEngine, *, owner: int, name: str | None = None, tag: str | None = None
) -> dict[str, Any]:
    n = _unique()
    values = {
        "name": name or f"clan{n}",
        "tag": tag or f"C{n}",
        "owner": owner,
        "created_at": datetime(2023, 1, 1, 0, 0, 0),
    }
    async with engine.begin() as conn:
        result = await conn.execute(schema.clans.insert().values(**values))
        clan_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        await conn.execute(
            update(schema.users).where(schema.users.c.id == owner).values(clan_id=clan_id, clan_priv=3)
        )
    return {"id": clan_id, **values}


async def join_clan(engine: AsyncEngine, user_id: int, clan_id: int, clan_priv: int = 1) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(schema.users)
            .where(schema.users.c.id == user_id)
            .values(clan_id=clan_id, clan_priv=clan_priv)
        )

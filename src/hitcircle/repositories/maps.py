"""SQL over `maps` and `mapsets`.

Upserts are portable (SQLite, MariaDB/MySQL, PostgreSQL): read the existing rows, then UPDATE or INSERT, all
in one transaction. A concurrent writer inserting the same row first makes the transaction fail (an
integrity error, a MySQL deadlock, a SQLite busy snapshot); it is retried, up to 3 attempts in all, and
then sees the row and updates it instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import RowMapping, and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hitcircle.constants.beatmaps import RankedStatus
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database

log = logging.getLogger("hitcircle.beatmaps")

maps = schema.maps
mapsets = schema.mapsets
T = TypeVar("T")

#: text columns and their lengths in base.sql; longer values are cut rather than rejected by MySQL/PG
_TEXT_LIMITS = {"artist": 128, "title": 128, "version": 128, "creator": 19, "filename": 256}
_DECIMALS = {"bpm": 2, "cs": 2, "ar": 2, "od": 2, "hp": 2, "diff": 3}
#: columns a source refresh writes (never plays, passes or frozen)
SOURCE_COLUMNS = (
    "set_id", "status", "md5", "artist", "title", "version", "creator", "filename", "last_update",
    "total_length", "max_combo", "mode", "bpm", "cs", "ar", "od", "hp", "diff",
)  # fmt: skip

_ATTEMPTS = 3
ImportOutcome = Literal["new", "updated", "unchanged"]


class Md5Conflict(Exception):
    """Another map already has this md5 (`maps.md5` is unique)."""

    def __init__(self, md5: str, owner: int) -> None:
        super().__init__(f"md5 {md5} already belongs to map {owner}")
        self.owner = owner


def fit_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the columns store them: text cut to length, floats rounded to the column's decimals."""
    fitted = dict(values)
    for name, limit in _TEXT_LIMITS.items():
        if isinstance(fitted.get(name), str):
            fitted[name] = fitted[name][:limit]
    for name, decimals in _DECIMALS.items():
        if fitted.get(name) is not None:
            fitted[name] = round(float(fitted[name]), decimals)
    return fitted


_BY_ID = select(maps).where(maps.c.id == bindparam("id"))
_BY_MD5 = select(maps).where(maps.c.md5 == bindparam("md5"))


class MapsRepository:
    def __init__(self, engine: AsyncEngine | Database) -> None:
        self._db = as_database(engine)
        self._engine = self._db.engine

    async def by_id(self, map_id: int) -> RowMapping | None:
        rows = await self._db.mappings(_BY_ID, {"id": map_id})
        return rows[0] if rows else None

    async def by_md5(self, md5: str) -> RowMapping | None:
        rows = await self._db.mappings(_BY_MD5, {"md5": md5})
        return rows[0] if rows else None

    async def by_set(self, set_id: int) -> list[RowMapping]:
        query = select(maps).where(maps.c.set_id == set_id).order_by(maps.c.id)
        return list(await self._db.mappings(query))

    async def mapset(self, set_id: int) -> RowMapping | None:
        rows = await self._db.mappings(select(mapsets).where(mapsets.c.id == set_id))
        return rows[0] if rows else None

    async def md5_of(self, map_id: int) -> str | None:
        value = await self._db.scalar(select(maps.c.md5).where(maps.c.id == map_id))
        return None if value is None else str(value)

    async def store_source_set(
        self,
        set_id: int,
        entries: Sequence[Mapping[str, Any]],
        checked_at: datetime,
        *,
        complete: bool,
    ) -> None:
        """Cache a source answer for a set (`entries` hold `SOURCE_COLUMNS` plus `id`).

        Frozen rows are left exactly as they are. Existing rows keep plays, passes and frozen. With
        `complete` (the answer lists the whole set), unfrozen `osu!` maps of the set that the answer no
        longer lists get status NOT_SUBMITTED; rows are never deleted.
        """

        async def work(conn: AsyncConnection) -> None:
            await _touch_mapset(conn, set_id, "osu!", checked_at)
            ids = [int(entry["id"]) for entry in entries]
            existing = {
                row["id"]: row
                for row in (await conn.execute(select(maps).where(maps.c.id.in_(ids)))).mappings()
            }
            for entry in entries:
                values = fit_columns({name: entry[name] for name in SOURCE_COLUMNS})
                map_id = int(entry["id"])
                current = existing.get(map_id)
                if current is not None and current["frozen"]:
                    continue
                owner = await _md5_owner(conn, values["md5"], map_id)
                if owner is not None:
                    log.warning("source map %s skipped: its md5 belongs to map %s", map_id, owner)
                    continue
                if current is None:
                    await conn.execute(
                        maps.insert().values(server="osu!", id=map_id, frozen=0, plays=0, passes=0, **values)
                    )
                elif _differs(current, values) or current["server"] != "osu!":
                    await conn.execute(
                        update(maps).where(maps.c.id == map_id).values(server="osu!", **values)
                    )
            if complete:
                await conn.execute(
                    update(maps)
                    .where(
                        and_(
                            maps.c.set_id == set_id,
                            maps.c.id.not_in(ids),
                            maps.c.frozen == 0,
                            maps.c.server == "osu!",
                            maps.c.status != int(RankedStatus.NOT_SUBMITTED),
                        )
                    )
                    .values(status=int(RankedStatus.NOT_SUBMITTED))
                )

        await self._transaction(work)

    async def save_imported(
        self,
        values: Mapping[str, Any],
        *,
        set_server: str,
        checked_at: datetime,
    ) -> ImportOutcome:
        """Insert or update a map imported from a local file (frozen; plays and passes kept).

        `values` holds every `maps` column but plays, passes and frozen. `last_update` is kept from the
        existing row when the md5 is unchanged, so importing the same file twice changes nothing. Raises
        `Md5Conflict` when a different map id already has the md5.
        """

        async def work(conn: AsyncConnection) -> ImportOutcome:
            fitted = fit_columns(values)
            map_id = int(fitted["id"])
            owner = await _md5_owner(conn, fitted["md5"], map_id)
            if owner is not None:
                raise Md5Conflict(fitted["md5"], owner)
            mapset = (
                (await conn.execute(select(mapsets).where(mapsets.c.id == fitted["set_id"])))
                .mappings()
                .first()
            )
            if mapset is None:
                await conn.execute(
                    mapsets.insert().values(
                        server=set_server, id=fitted["set_id"], last_osuapi_check=checked_at
                    )
                )
            current = (await conn.execute(select(maps).where(maps.c.id == map_id))).mappings().first()
            if current is None:
                await conn.execute(maps.insert().values(frozen=1, plays=0, passes=0, **fitted))
                return "new"
            if current["md5"] == fitted["md5"]:
                fitted["last_update"] = current["last_update"]
            if current["frozen"] and not _differs(current, fitted):
                return "unchanged"
            await conn.execute(update(maps).where(maps.c.id == map_id).values(frozen=1, **fitted))
            return "updated"

        return await self._transaction(work)

    async def set_server(self, set_id: int) -> str | None:
        row = await self.mapset(set_id)
        return None if row is None else str(row["server"])

    async def _transaction(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with self._engine.begin() as conn:
                    return await work(conn)
            except (IntegrityError, OperationalError) as exc:
                if attempt == _ATTEMPTS:
                    raise
                log.info("beatmap write failed (%s); retrying", type(exc.orig).__name__)
        raise AssertionError("unreachable")


def _differs(current: RowMapping, values: Mapping[str, Any]) -> bool:
    stored = fit_columns({name: current[name] for name in values})
    return any(stored[name] != values[name] for name in values)


async def _md5_owner(conn: AsyncConnection, md5: str, map_id: int) -> int | None:
    query = select(maps.c.id).where(maps.c.md5 == md5, maps.c.id != map_id)
    owner = (await conn.execute(query)).scalar_one_or_none()
    return None if owner is None else int(owner)


async def _touch_mapset(conn: AsyncConnection, set_id: int, server: str, checked_at: datetime) -> None:
    exists = (await conn.execute(select(mapsets.c.id).where(mapsets.c.id == set_id))).first()
    if exists is None:
        await conn.execute(mapsets.insert().values(server=server, id=set_id, last_osuapi_check=checked_at))
    else:
        await conn.execute(update(mapsets).where(mapsets.c.id == set_id).values(last_osuapi_check=checked_at))

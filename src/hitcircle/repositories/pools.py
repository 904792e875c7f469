"""SQL over `tourney_pools` and `tourney_pool_maps`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.repositories import NO_CACHE, AnyRow

pools, pool_maps = schema.tourney_pools, schema.tourney_pool_maps

#: bancho.py resolves at most this many maps of a pool
POOL_MAP_LIMIT = 50


class PoolsRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def by_id(self, pool_id: int) -> AnyRow | None:
        return await self._cache.get(
            ("pools.by_id", pool_id), ("tourney_pools",), lambda: self._by_id(pool_id)
        )

    async def _by_id(self, pool_id: int) -> AnyRow | None:
        query = select(pools.c.id, pools.c.name, pools.c.created_at, pools.c.created_by).where(
            pools.c.id == pool_id
        )
        return await self._db.first(query)

    async def maps(self, pool_id: int) -> list[AnyRow]:
        return await self._cache.get(
            ("pools.maps", pool_id), ("tourney_pool_maps",), lambda: self._maps(pool_id)
        )

    async def _maps(self, pool_id: int) -> list[AnyRow]:
        query = (
            select(pool_maps.c.map_id, pool_maps.c.mods, pool_maps.c.slot)
            .where(pool_maps.c.pool_id == pool_id)
            .order_by(pool_maps.c.map_id, pool_maps.c.pool_id)
            .limit(POOL_MAP_LIMIT)
        )
        return list(await self._db.all(query))

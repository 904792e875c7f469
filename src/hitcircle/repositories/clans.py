"""SQL over `clans` and clan membership."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.repositories import NO_CACHE, AnyRow

clans, users = schema.clans, schema.users


class ClansRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def by_id(self, clan_id: int) -> AnyRow | None:
        return await self._cache.get(("clans.by_id", clan_id), ("clans",), lambda: self._by_id(clan_id))

    async def _by_id(self, clan_id: int) -> AnyRow | None:
        query = select(clans.c.id, clans.c.name, clans.c.tag, clans.c.owner, clans.c.created_at).where(
            clans.c.id == clan_id
        )
        return await self._db.first(query)

    async def members(self, clan_id: int) -> list[AnyRow]:
        """Members by clan rank (owner, officers, members), then user id."""
        return await self._cache.get(("clans.members", clan_id), ("users",), lambda: self._members(clan_id))

    async def _members(self, clan_id: int) -> list[AnyRow]:
        query = (
            select(users.c.id, users.c.name, users.c.country, users.c.clan_priv)
            .where(users.c.clan_id == clan_id)
            .order_by(users.c.clan_priv.desc(), users.c.id.asc())
        )
        return list(await self._db.all(query))

    async def member_count(self, clan_id: int) -> int:
        return await self._cache.get(
            ("clans.member_count", clan_id), ("users",), lambda: self._member_count(clan_id)
        )

    async def _member_count(self, clan_id: int) -> int:
        query = select(func.count()).select_from(users).where(users.c.clan_id == clan_id)
        return int(await self._db.scalar(query))

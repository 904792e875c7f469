"""SQL over `clans` and clan membership."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.repositories import NO_CACHE, AnyRow

clans, users = schema.clans, schema.users

_BY_ID = select(clans.c.id, clans.c.name, clans.c.tag, clans.c.owner, clans.c.created_at).where(
    clans.c.id == bindparam("clan_id")
)
_MEMBERS = (
    select(users.c.id, users.c.name, users.c.country, users.c.clan_priv)
    .where(users.c.clan_id == bindparam("clan_id"))
    .order_by(users.c.clan_priv.desc(), users.c.id.asc())
)
_MEMBER_COUNT = select(func.count()).select_from(users).where(users.c.clan_id == bindparam("clan_id"))


class ClansRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def by_id(self, clan_id: int) -> AnyRow | None:
        return await self._cache.get(("clans.by_id", clan_id), ("clans",), lambda: self._by_id(clan_id))

    async def _by_id(self, clan_id: int) -> AnyRow | None:
        return await self._db.first(_BY_ID, {"clan_id": clan_id})

    async def members(self, clan_id: int) -> list[AnyRow]:
        """Members by clan rank (owner, officers, members), then user id."""
        return await self._cache.get(("clans.members", clan_id), ("users",), lambda: self._members(clan_id))

    async def _members(self, clan_id: int) -> list[AnyRow]:
        return list(await self._db.all(_MEMBERS, {"clan_id": clan_id}))

    async def member_count(self, clan_id: int) -> int:
        return await self._cache.get(
            ("clans.member_count", clan_id), ("users",), lambda: self._member_count(clan_id)
        )

    async def _member_count(self, clan_id: int) -> int:
        return int(await self._db.scalar(_MEMBER_COUNT, {"clan_id": clan_id}))

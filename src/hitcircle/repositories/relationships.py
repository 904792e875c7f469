"""SQL over `relationships` (friends and blocks)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.repositories import NO_CACHE, AnyRow

relationships, users = schema.relationships, schema.users


class RelationshipsRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def listed(self, user_id: int, kind: Literal["friend", "block"]) -> list[AnyRow]:
        """The users `user_id` has marked as `kind`, by name (case-insensitive), then id."""
        return await self._cache.get(
            ("relationships.listed", user_id, kind),
            ("relationships", "users"),
            lambda: self._listed(user_id, kind),
        )

    async def _listed(self, user_id: int, kind: Literal["friend", "block"]) -> list[AnyRow]:
        query = (
            select(users.c.id, users.c.name, users.c.country)
            .select_from(relationships.join(users, users.c.id == relationships.c.user2))
            .where(relationships.c.user1 == user_id, relationships.c.type == kind)
            .order_by(users.c.safe_name, users.c.id)
        )
        return list(await self._db.all(query))

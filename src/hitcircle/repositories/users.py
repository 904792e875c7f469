"""SQL over `users` for reading players."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.live.models import make_safe_name
from hitcircle.repositories import NO_CACHE, AnyRow, storable_text

BOT_ID = 1
users = schema.users

#: `get_player_info`'s `info` object, in the order it is serialised (bancho-spec §1.4)
INFO_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.safe_name,
    users.c.priv,
    users.c.country,
    users.c.silence_end,
    users.c.donor_end,
    users.c.creation_time,
    users.c.latest_activity,
    users.c.clan_id,
    users.c.clan_priv,
    users.c.preferred_mode,
    users.c.play_style,
    users.c.custom_badge_name,
    users.c.custom_badge_icon,
    users.c.userpage_content,
)


# Statements are built once (building one costs more than running it on SQLite).
_COUNT_PLAYERS = select(func.count()).select_from(users).where(users.c.id != BOT_ID)
_INFO_BY_ID = select(*INFO_COLUMNS).where(users.c.id == bindparam("user_id"))
_INFO_BY_NAME = select(*INFO_COLUMNS).where(users.c.safe_name == bindparam("safe_name"))
_VERIFIED = (
    select(users.c.id, users.c.name)
    .where(users.c.priv.op("&")(3) == 3)
    .order_by(users.c.id)
    .limit(bindparam("limit", type_=Integer))
)
# SQLite's LIKE and MySQL's utf8 collations already ignore case; lower() on every row would only slow
# the scan down. PostgreSQL's LIKE does not ignore case: ILIKE there.
_VERIFIED_MATCHING = _VERIFIED.where(users.c.name.like(bindparam("pattern"), escape="\\"))
_VERIFIED_MATCHING_PG = _VERIFIED.where(users.c.name.ilike(bindparam("pattern"), escape="\\"))
_NAMES = select(users.c.id, users.c.name).where(users.c.id.in_(bindparam("ids", expanding=True)))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class UsersRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def count_players(self) -> int:
        """Every registered account except the bot."""
        return await self._cache.get(("users.count",), ("users",), self._count_players)

    async def _count_players(self) -> int:
        return int(await self._db.scalar(_COUNT_PLAYERS))

    async def info(self, user_id: int | None = None, name: str | None = None) -> AnyRow | None:
        """The public `info` columns of one user, by id or by name (safe-name match)."""
        return await self._cache.get(
            ("users.info", user_id, make_safe_name(name) if name is not None else None),
            ("users",),
            lambda: self._info(user_id, name),
        )

    async def _info(self, user_id: int | None, name: str | None) -> AnyRow | None:
        if user_id is not None:
            return await self._db.first(_INFO_BY_ID, {"user_id": user_id})
        if name is None or not storable_text(name):
            return None
        return await self._db.first(_INFO_BY_NAME, {"safe_name": make_safe_name(name)})

    async def search(self, text: str | None, limit: int) -> list[AnyRow]:
        """Verified, unrestricted players whose name contains `text` literally (case-insensitive)."""
        return await self._cache.get(
            ("users.search", text, limit), ("users",), lambda: self._search(text, limit)
        )

    async def _search(self, text: str | None, limit: int) -> list[AnyRow]:
        if not text:
            return list(await self._db.all(_VERIFIED, {"limit": limit}))
        if not storable_text(text):
            return []
        pattern = f"%{_escape_like(text)}%"
        query = _VERIFIED_MATCHING_PG if self._db.engine.dialect.name == "postgresql" else _VERIFIED_MATCHING
        return list(await self._db.all(query, {"limit": limit, "pattern": pattern}))

    async def names(self, user_ids: list[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        key = ("users.names", tuple(sorted(user_ids)))
        return await self._cache.get(key, ("users",), lambda: self._names(user_ids))

    async def _names(self, user_ids: list[int]) -> dict[int, str]:
        rows = await self._db.all(_NAMES, {"ids": list(user_ids)})
        return {int(r.id): str(r.name) for r in rows}

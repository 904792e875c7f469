"""SQL over `stats`: a player's rows and the global leaderboard."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.repositories import NO_CACHE, AnyRow

stats, users, clans = schema.stats, schema.users, schema.clans

#: `get_player_info`'s stats object, in order; `rank` and `country_rank` are appended.
STATS_COLUMNS = (
    stats.c.id,
    stats.c.mode,
    stats.c.tscore,
    stats.c.rscore,
    stats.c.pp,
    stats.c.plays,
    stats.c.playtime,
    stats.c.acc,
    stats.c.max_combo,
    stats.c.total_hits,
    stats.c.replay_views,
    stats.c.xh_count,
    stats.c.x_count,
    stats.c.sh_count,
    stats.c.s_count,
    stats.c.a_count,
)

LeaderboardSort = Literal["tscore", "rscore", "pp", "acc", "plays", "playtime"]


_LEADERBOARD_COLUMNS = (
    users.c.id.label("player_id"),
    users.c.name,
    users.c.country,
    stats.c.tscore,
    stats.c.rscore,
    stats.c.pp,
    stats.c.plays,
    stats.c.playtime,
    stats.c.acc,
    stats.c.max_combo,
    stats.c.xh_count,
    stats.c.x_count,
    stats.c.sh_count,
    stats.c.s_count,
    stats.c.a_count,
    clans.c.id.label("clan_id"),
    clans.c.name.label("clan_name"),
    clans.c.tag.label("clan_tag"),
)


def _leaderboard_query(sort: str, by_country: bool) -> Select[Any]:
    column = stats.c[sort]
    query = (
        select(*_LEADERBOARD_COLUMNS)
        .select_from(
            stats.join(users, users.c.id == stats.c.id).outerjoin(clans, clans.c.id == users.c.clan_id)
        )
        .where(stats.c.mode == bindparam("mode"), users.c.priv.op("&")(1) == 1, column > 0)
        .order_by(column.desc(), stats.c.id.asc())  # the order of the hc_stats_board_* indexes
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    if by_country:  # stored lower case by hitcircle; bancho.py's registration fallback is "XX"
        query = query.where(users.c.country.in_([bindparam("country"), bindparam("country_upper")]))
    return query


# Statements are built once: building a SQLAlchemy statement costs more than running it on SQLite.
_FOR_USER = select(*STATS_COLUMNS).where(stats.c.id == bindparam("user_id")).order_by(stats.c.mode)
_LEADERBOARDS = {
    (sort, by_country): _leaderboard_query(sort, by_country)
    for sort in ("tscore", "rscore", "pp", "acc", "plays", "playtime")
    for by_country in (False, True)
}


class StatsRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def for_user(self, user_id: int) -> list[AnyRow]:
        return await self._cache.get(("stats.for_user", user_id), ("stats",), lambda: self._for_user(user_id))

    async def _for_user(self, user_id: int) -> list[AnyRow]:
        return list(await self._db.all(_FOR_USER, {"user_id": user_id}))

    async def player_pp(self, user_id: int) -> tuple[str, dict[int, int]] | None:
        """A player's country and pp per mode; None for an unknown user."""
        query = (
            select(users.c.country, stats.c.mode, stats.c.pp)
            .select_from(users.outerjoin(stats, stats.c.id == users.c.id))
            .where(users.c.id == user_id)
        )
        rows = await self._db.all(query)
        if not rows:
            return None
        return str(rows[0].country), {int(r.mode): int(r.pp) for r in rows if r.mode is not None}

    async def leaderboard(
        self, sort: LeaderboardSort, mode: int, limit: int, offset: int, country: str | None
    ) -> list[AnyRow]:
        return await self._cache.get(
            ("stats.leaderboard", sort, mode, limit, offset, country.lower() if country else None),
            ("stats", "users", "clans"),
            lambda: self._leaderboard(sort, mode, limit, offset, country),
        )

    async def _leaderboard(
        self, sort: LeaderboardSort, mode: int, limit: int, offset: int, country: str | None
    ) -> list[AnyRow]:
        if country is not None and not (country.isascii() and country.isalpha()):
            return []  # country codes are two letters; anything else matches nobody
        params: dict[str, object] = {"mode": mode, "limit": limit, "offset": offset}
        if country is not None:
            params["country"], params["country_upper"] = country.lower(), country.upper()
        return list(await self._db.all(_LEADERBOARDS[(sort, country is not None)], params))

    async def ranked_rows(self, mode: int) -> list[AnyRow]:
        """(user id, pp, country) of every ranked player in `mode`: unrestricted with pp > 0."""
        query = (
            select(stats.c.id, stats.c.pp, users.c.country)
            .select_from(stats.join(users, users.c.id == stats.c.id))
            .where(stats.c.mode == mode, stats.c.pp > 0, users.c.priv.op("&")(1) == 1)
        )
        return list(await self._db.all(query))

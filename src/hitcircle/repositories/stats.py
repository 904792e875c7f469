"""SQL over `stats`: a player's rows and the global leaderboard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from functools import cache
from typing import Any, Literal

from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.repositories import NO_CACHE, AnyRow, clan_by_primary_key

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
LEADERBOARD_SORTS: tuple[LeaderboardSort, ...] = ("tscore", "rscore", "pp", "acc", "plays", "playtime")


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
        query = query.where(func.lower(users.c.country) == bindparam("country"))
    return clan_by_primary_key(query, clans)


#: one row per unrestricted player of a mode, with every sortable column: the in-memory boards' source
_BOARD_ROWS = (
    select(stats.c.id, users.c.country, *(stats.c[sort] for sort in LEADERBOARD_SORTS))
    .select_from(stats.join(users, users.c.id == stats.c.id))
    .where(stats.c.mode == bindparam("mode"), users.c.priv.op("&")(1) == 1)
)
#: players per chunk of `board_rows`: a few milliseconds of the event loop each
BOARD_CHUNK = 1_000


@cache
def _board_page_query(size: int) -> Select[Any]:
    """The leaderboard rows of `size` given players (parameters id0..id{size-1}): a fixed number of
    parameters, so the statement is compiled once per size and MariaDB's raw read path runs it."""
    ids = [bindparam(f"id{i}", type_=Integer) for i in range(size)]
    query = (
        select(*_LEADERBOARD_COLUMNS)
        .select_from(
            stats.join(users, users.c.id == stats.c.id).outerjoin(clans, clans.c.id == users.c.clan_id)
        )
        .where(stats.c.mode == bindparam("mode"), stats.c.id.in_(ids))
    )
    return clan_by_primary_key(query, clans)


def _players_ahead_query(by_country: bool) -> Select[Any]:
    """How many ranked players of a mode are ahead of (pp, id): more pp, or the same pp and a lower id."""
    pp, user_id = bindparam("pp", type_=Integer), bindparam("user_id", type_=Integer)
    query = (
        select(func.count())
        .select_from(stats.join(users, users.c.id == stats.c.id))
        .where(
            stats.c.mode == bindparam("mode"),
            users.c.priv.op("&")(1) == 1,
            stats.c.pp > 0,
            or_(stats.c.pp > pp, and_(stats.c.pp == pp, stats.c.id < user_id)),
        )
    )
    if by_country:
        query = query.where(func.lower(users.c.country) == bindparam("country"))
    return query


# Statements are built once: building a SQLAlchemy statement costs more than running it on SQLite.
_FOR_USER = select(*STATS_COLUMNS).where(stats.c.id == bindparam("user_id")).order_by(stats.c.mode)
_LEADERBOARDS = {
    (sort, by_country): _leaderboard_query(sort, by_country)
    for sort in LEADERBOARD_SORTS
    for by_country in (False, True)
}
_PLAYERS_AHEAD = {by_country: _players_ahead_query(by_country) for by_country in (False, True)}


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
        """One page, read in the database (get_leaderboard caches whole answers itself)."""
        if country is not None and not (country.isascii() and country.isalpha()):
            return []  # country codes are two letters; anything else matches nobody
        params: dict[str, object] = {"mode": mode, "limit": limit, "offset": offset}
        if country is not None:
            params["country"] = country.lower()
        return list(await self._db.all(_LEADERBOARDS[(sort, country is not None)], params))

    async def board_rows(self, mode: int) -> AsyncIterator[Sequence[AnyRow]]:
        """(id, country, tscore, rscore, pp, acc, plays, playtime) of every unrestricted player of `mode`,
        in chunks of `BOARD_CHUNK` players (one query, streamed): the caller gives the event loop back
        between chunks, so requests keep being answered while 100k players are read. Not cached."""
        async for chunk in self._db.stream(_BOARD_ROWS, {"mode": mode}, size=BOARD_CHUNK):
            yield chunk

    async def board_page(self, mode: int, user_ids: list[int]) -> list[AnyRow]:
        """The leaderboard rows of `user_ids` in `mode`, in their order (missing ones left out)."""
        if not user_ids:
            return []
        params: dict[str, object] = {f"id{i}": user_id for i, user_id in enumerate(user_ids)}
        params["mode"] = mode
        rows = await self._db.all(_board_page_query(len(user_ids)), params)
        by_id = {int(row.player_id): row for row in rows}
        return [by_id[user_id] for user_id in user_ids if user_id in by_id]

    async def rank_by_count(self, mode: int, user_id: int, pp: int, country: str) -> tuple[int, int]:
        """Global and country rank of a ranked player, counted in the database (no index in memory)."""
        params: dict[str, object] = {"mode": mode, "pp": pp, "user_id": user_id}
        ahead = await self._db.scalar(_PLAYERS_AHEAD[False], params)
        ahead_local = await self._db.scalar(_PLAYERS_AHEAD[True], {**params, "country": country.lower()})
        return int(ahead or 0) + 1, int(ahead_local or 0) + 1

    async def ranked_rows(self, mode: int) -> list[AnyRow]:
        """(user id, pp, country) of every ranked player in `mode`: unrestricted with pp > 0."""
        query = (
            select(stats.c.id, stats.c.pp, users.c.country)
            .select_from(stats.join(users, users.c.id == stats.c.id))
            .where(stats.c.mode == mode, stats.c.pp > 0, users.c.priv.op("&")(1) == 1)
        )
        return list(await self._db.all(query))

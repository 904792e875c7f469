"""SQL over `scores` (joined with `maps`, `users`, `clans` where the API needs them)."""

from __future__ import annotations

import functools
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.db import schema
from hitcircle.db.database import Database, as_database
from hitcircle.repositories import NO_CACHE, AnyRow, clan_by_primary_key

scores, maps, users, clans = schema.scores, schema.maps, schema.users, schema.clans

Scope = Literal["best", "recent"]

#: a beatmap as the API shows it (`get_map_info` order), selected with a `map_` prefix when joined
MAP_COLUMNS = (
    maps.c.md5,
    maps.c.id,
    maps.c.set_id,
    maps.c.artist,
    maps.c.title,
    maps.c.version,
    maps.c.creator,
    maps.c.last_update,
    maps.c.total_length,
    maps.c.max_combo,
    maps.c.status,
    maps.c.plays,
    maps.c.passes,
    maps.c.mode,
    maps.c.bpm,
    maps.c.cs,
    maps.c.od,
    maps.c.ar,
    maps.c.hp,
    maps.c.diff,
)

#: every `scores` column, in table order (`get_score_info`)
SCORE_COLUMNS = tuple(scores.c)

#: a score's result, from `score` to `time_elapsed`, as both listings show it
_RESULT_COLUMNS = tuple(
    scores.c[name]
    for name in (
        "score", "pp", "acc", "max_combo", "mods", "n300", "n100", "n50", "nmiss", "ngeki", "nkatu",
        "grade", "status", "mode", "play_time", "time_elapsed",
    )
)  # fmt: skip

#: `get_player_scores` rows before the beatmap object
PLAYER_SCORE_COLUMNS = (scores.c.id, *_RESULT_COLUMNS, scores.c.perfect)

MAP_SCORE_COLUMNS = (
    scores.c.map_md5,
    *_RESULT_COLUMNS,
    scores.c.userid,
    scores.c.perfect,
    users.c.name.label("player_name"),
    users.c.country.label("player_country"),
    clans.c.id.label("clan_id"),
    clans.c.name.label("clan_name"),
    clans.c.tag.label("clan_tag"),
)


class ModsFilter:
    """`=M`: the score has every mod of M; `~M`: it has at least one (bancho-spec §1.0.6)."""

    __slots__ = ("mods", "strong")

    def __init__(self, mods: int, strong: bool) -> None:
        self.mods = mods
        self.strong = strong

    @property
    def kind(self) -> str | None:
        """`all`, `any`, or None when the filter lets every score through (`=` with no mods)."""
        if self.strong:
            return None if self.mods == 0 else "all"
        return "any"


def _mods_kind(mods: ModsFilter | None) -> str | None:
    return mods.kind if mods is not None else None


def _with_mods(query: Select[Any], kind: str | None) -> Select[Any]:
    masked = scores.c.mods.op("&")(bindparam("mods"))
    if kind == "all":
        return query.where(masked == bindparam("mods"))
    if kind == "any":
        return query.where(masked != 0)
    return query


# Statements are built once per shape (building one costs more than running it on SQLite).
_BY_ID = select(*SCORE_COLUMNS).where(scores.c.id == bindparam("score_id"))
_LIMIT = bindparam("limit", type_=Integer)


#: MariaDB 10.11 picked bancho.py's `scores_play_time_index` for a prolific player's recent scores and
#: walked it back through everyone's scores until 25 of theirs turned up (4,533 rows, 4.6 ms; with failed
#: scores it merged the userid and mode indexes instead: 20,649 rows, 93 ms), where this index reads 57
#: rows in 0.2 ms (ANALYZE, 1M scores). Named only when it exists (migration 0003), as MySQL refuses
#: a hint naming a missing index.
RECENT_INDEX = "hc_scores_user_recent_index"


@functools.cache
def _player_scores_query(
    scope: str, include_loved: bool, include_failed: bool, kind: str | None, recent_hint: bool = False
) -> Select[Any]:
    query = (
        select(*PLAYER_SCORE_COLUMNS, *(c.label(f"map_{c.name}") for c in MAP_COLUMNS))
        .select_from(scores.join(maps, maps.c.md5 == scores.c.map_md5))
        .where(scores.c.userid == bindparam("user_id"), scores.c.mode == bindparam("mode"))
    )
    if scope == "best":
        # ranked and approved (2-3), and loved (5) when asked; no IN list, so every driver gets the same
        # plain parameters (the raw MySQL read path cannot run SQLAlchemy's expanding IN parameters)
        on_board: ColumnElement[bool] = maps.c.status.between(2, 3)
        if include_loved:
            on_board = or_(on_board, maps.c.status == 5)
        query = query.where(scores.c.status == 2, on_board)
        query = query.order_by(scores.c.pp.desc(), scores.c.id.asc())
    else:
        if not include_failed:
            query = query.where(scores.c.status != 0)
        query = query.order_by(scores.c.play_time.desc(), scores.c.id.desc())
        if recent_hint:
            for dialect in ("mysql", "mariadb"):
                query = query.with_hint(scores, f"FORCE INDEX ({RECENT_INDEX})", dialect_name=dialect)
    return _with_mods(query, kind).limit(_LIMIT)


@functools.cache
def _map_scores_query(scope: str, by_pp: bool, kind: str | None) -> Select[Any]:
    query = (
        select(*MAP_SCORE_COLUMNS)
        .select_from(
            scores.join(users, users.c.id == scores.c.userid).outerjoin(clans, clans.c.id == users.c.clan_id)
        )
        .where(
            scores.c.map_md5 == bindparam("md5"),
            scores.c.mode == bindparam("mode"),
            users.c.priv.op("&")(1) == 1,
        )
    )
    query = clan_by_primary_key(query, clans)
    if scope == "best":
        metric = scores.c.pp if by_pp else scores.c.score
        query = query.where(scores.c.status == 2).order_by(metric.desc(), scores.c.id.asc())
    else:
        query = query.where(scores.c.status.between(1, 2)).order_by(
            scores.c.play_time.desc(), scores.c.id.desc()
        )
    return _with_mods(query, kind).limit(_LIMIT)


_MOST_PLAYED_COLUMNS = (
    maps.c.md5,
    maps.c.id,
    maps.c.set_id,
    maps.c.status,
    maps.c.artist,
    maps.c.title,
    maps.c.version,
    maps.c.creator,
)
# Counted per map first, from the (userid, mode, map_md5) index alone, and only then joined with maps:
# grouping the joined rows looked a map up per score (a player with 20k scores: 260 ms on MariaDB).
_PLAYS_PER_MAP = (
    select(scores.c.map_md5, func.count().label("plays"))
    .where(scores.c.userid == bindparam("user_id"), scores.c.mode == bindparam("mode"))
    .group_by(scores.c.map_md5)
    .subquery("played")
)
_MOST_PLAYED = (
    select(*_MOST_PLAYED_COLUMNS, _PLAYS_PER_MAP.c.plays)
    .select_from(_PLAYS_PER_MAP.join(maps, maps.c.md5 == _PLAYS_PER_MAP.c.map_md5))
    .order_by(_PLAYS_PER_MAP.c.plays.desc(), maps.c.id.asc())
    .limit(_LIMIT)
)


class ScoresRepository:
    def __init__(self, engine: AsyncEngine | Database, cache: ReadCache = NO_CACHE) -> None:
        self._db = as_database(engine)
        self._cache = cache

    async def by_id(self, score_id: int) -> AnyRow | None:
        return await self._cache.get(("scores.by_id", score_id), ("scores",), lambda: self._by_id(score_id))

    async def _by_id(self, score_id: int) -> AnyRow | None:
        return await self._db.first(_BY_ID, {"score_id": score_id})

    async def player_scores(
        self,
        user_id: int,
        mode: int,
        scope: Scope,
        mods: ModsFilter | None,
        limit: int,
        include_loved: bool,
        include_failed: bool,
    ) -> list[AnyRow]:
        """Not kept in the read cache: get_player_scores caches its whole answer (as bytes, which the
        garbage collector never scans; 100 cached rows are 100 objects it scans at every full pass)."""
        hint = RECENT_INDEX in self._db.scores_indexes
        query = _player_scores_query(scope, include_loved, include_failed, _mods_kind(mods), hint)
        params = {"user_id": user_id, "mode": mode, "limit": limit, "mods": mods.mods if mods else 0}
        return list(await self._db.all(query, params))

    async def most_played(self, user_id: int, mode: int, limit: int) -> list[AnyRow]:
        """Not kept in the read cache: get_player_most_played caches its whole answer."""
        return list(await self._db.all(_MOST_PLAYED, {"user_id": user_id, "mode": mode, "limit": limit}))

    async def map_scores(
        self, md5: str, mode: int, scope: Scope, mods: ModsFilter | None, limit: int
    ) -> list[AnyRow]:
        """Not kept in the read cache: get_map_scores caches its whole answer."""
        query = _map_scores_query(scope, mode >= 4, _mods_kind(mods))
        params = {"md5": md5, "mode": mode, "limit": limit, "mods": mods.mods if mods else 0}
        return list(await self._db.all(query, params))

    async def replay_header(self, score_id: int) -> AnyRow | None:
        query = (
            select(
                users.c.name.label("username"),
                maps.c.md5.label("map_md5"),
                maps.c.artist,
                maps.c.title,
                maps.c.version,
                scores.c.mode,
                scores.c.n300,
                scores.c.n100,
                scores.c.n50,
                scores.c.ngeki,
                scores.c.nkatu,
                scores.c.nmiss,
                scores.c.score,
                scores.c.max_combo,
                scores.c.perfect,
                scores.c.mods,
                scores.c.play_time,
            )
            .select_from(
                scores.join(users, users.c.id == scores.c.userid).join(maps, maps.c.md5 == scores.c.map_md5)
            )
            .where(scores.c.id == score_id)
        )
        return await self._db.first(query)

"""The global leaderboards (`get_leaderboard`) and database ranks, served from sorted arrays in memory.

A leaderboard page is a slice of its board plus one primary-key read of at most 100 rows, instead of an
index scan that, for a small country or a deep offset, reads most of the mode's players. Each worker keeps,
per mode, one board per sort (`tscore`, `rscore`, `pp`, `acc`, `plays`, `playtime`): the ids of the
unrestricted players whose value is above 0, ordered by the value descending and then by id ascending
(the order of the SQL query), globally and per country. The pp board also answers ranks (a binary search).

Freshness follows the read cache's rules. A board set is stamped with the versions of `stats` and `users`
taken *before* its rows are read; once either table changes, the set is not used again, and until its
background rebuild lands, pages and ranks come from SQL, so a write is visible in the very next response
in every worker. A set older than `ttl` (writes made outside hitcircle, which bump no version) is still
used while one rebuild runs in the background. A rebuild reads one query per mode and sorts in steps,
giving the event loop back between sorts. A mode is not rebuilt again sooner than 10 times its last
rebuild's duration after it started, so a server that writes all the time spends at most about a tenth
of a worker on rebuilds and answers from SQL in between.

Memory: 8 bytes per ranked player per mode for the pp board, 4 per other board, twice (global and
country): about 7 MB per worker for 100k players with stats in every mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from hitcircle.cache.versions import TableVersions
from hitcircle.constants.gamemodes import VALID_MODES
from hitcircle.repositories import AnyRow
from hitcircle.repositories.stats import LEADERBOARD_SORTS, LeaderboardSort, StatsRepository

log = logging.getLogger("hitcircle.leaderboards")

TABLES = ("stats", "users")
#: a mode's next rebuild starts no sooner than this many times its last rebuild's duration
REBUILD_SPACING = 10.0
#: pp keys order players by pp descending, then user id ascending, as one unsigned 64-bit integer
_PP_CEILING = 2**32 - 1
_ID_MASK = 2**32 - 1


def rank_key(pp: int, user_id: int) -> int:
    return ((_PP_CEILING - pp) << 32) | user_id


def country_key(country: object) -> str:
    return str(country).lower()


class Board:
    """One sort of one mode: players in leaderboard order, globally and per (lower-case) country.

    The pp board holds `rank_key`s (so a rank is a binary search); the others hold plain user ids."""

    __slots__ = ("by_country", "everyone", "packed")

    def __init__(self, everyone: array[int], by_country: dict[str, array[int]], packed: bool) -> None:
        self.everyone = everyone
        self.by_country = by_country
        self.packed = packed

    def page(self, country: str | None, offset: int, limit: int) -> list[int]:
        """The user ids of one page; `country` in lower case, None for the global board."""
        source = self.everyone if country is None else self.by_country.get(country)
        if source is None:
            return []
        chunk = source[offset : offset + limit]
        return [key & _ID_MASK for key in chunk] if self.packed else list(chunk)

    def rank(self, user_id: int, pp: int, country: str) -> tuple[int, int]:
        """(global, country) rank of a ranked player of the pp board."""
        key = rank_key(pp, user_id)
        local = self.by_country.get(country)
        return bisect_left(self.everyone, key) + 1, (bisect_left(local, key) + 1 if local is not None else 1)

    def __len__(self) -> int:
        return len(self.everyone)


def build_board(sort: LeaderboardSort, rows: Sequence[AnyRow]) -> Board:
    """The board of `sort` from `StatsRepository.board_rows` rows (any order)."""
    if sort == "pp":
        keyed = sorted((rank_key(int(r.pp), int(r.id)), country_key(r.country)) for r in rows if r.pp > 0)
        typecode = "Q"
    else:
        value = attrgetter(sort)
        ordered = sorted((-value(r), int(r.id), country_key(r.country)) for r in rows if value(r) > 0)
        keyed = [(user_id, country) for _, user_id, country in ordered]
        typecode = "L"
    by_country: dict[str, list[int]] = {}
    for key, country in keyed:
        by_country.setdefault(country, []).append(key)
    return Board(
        array(typecode, [key for key, _ in keyed]),
        {country: array(typecode, keys) for country, keys in by_country.items()},
        packed=sort == "pp",
    )


@dataclass
class _BoardSet:
    stamp: tuple[int, ...]
    built_at: float
    boards: dict[str, Board]


class Leaderboards:
    """Per-worker boards of every mode, rebuilt in the background; SQL answers while they are stale."""

    def __init__(
        self,
        stats: StatsRepository,
        versions: TableVersions,
        *,
        ttl: float,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stats = stats
        self._versions = versions
        self._ttl = ttl
        self._enabled = enabled
        self._clock = clock
        self._sets: dict[int, _BoardSet] = {}
        self._pending: list[int] = []  # modes waiting for a rebuild, in request order
        self._not_before: dict[int, float] = {}  # mode -> earliest start of its next rebuild
        self._task: asyncio.Task[None] | None = None

    async def board(self, mode: int, sort: LeaderboardSort) -> Board | None:
        """The current board, or None (and a rebuild scheduled) when the tables changed since it was built."""
        if not self._enabled:
            return None
        stamp = await self._versions.snapshot(TABLES)
        current = self._sets.get(mode)
        if current is None or current.stamp != stamp:
            self._schedule(mode)
            return None
        if self._clock() - current.built_at > self._ttl:
            self._schedule(mode)  # served meanwhile: only writes outside hitcircle can be missing
        return current.boards[sort]

    async def page(
        self, sort: LeaderboardSort, mode: int, limit: int, offset: int, country: str | None
    ) -> list[AnyRow]:
        if country is not None and not (country.isascii() and country.isalpha()):
            return []  # country codes are two letters; anything else matches nobody
        board = await self.board(mode, sort)
        if board is None:
            return await self._stats.leaderboard(sort, mode, limit, offset, country)
        ids = board.page(country.lower() if country is not None else None, offset, limit)
        return await self._stats.board_page(mode, ids)

    async def rank(self, mode: int, user_id: int, pp: int, country: str) -> tuple[int, int]:
        """(global, country) rank of a ranked player (unrestricted, pp > 0)."""
        board = await self.board(mode, "pp")
        if board is None:
            return await self._stats.rank_by_count(mode, user_id, pp, country)
        return board.rank(user_id, pp, country.lower())

    def warm(self, modes: Iterable[int] = VALID_MODES) -> None:
        """Build the boards of `modes` in the background (at worker start)."""
        if self._enabled:
            for mode in modes:
                self._schedule(mode)

    async def wait(self) -> None:
        """Until no rebuild is pending (tests and start-up)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    def _schedule(self, mode: int) -> None:
        if self._clock() < self._not_before.get(mode, 0.0):
            return  # rebuilt a moment ago and already stale: SQL answers until the spacing has passed
        if mode not in self._pending:
            self._pending.append(mode)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._rebuild_pending())

    async def _rebuild_pending(self) -> None:
        while self._pending:
            mode = self._pending.pop(0)
            try:
                await self._rebuild(mode)
            except asyncio.CancelledError:
                raise
            except Exception:  # the next request schedules it again; SQL answers meanwhile
                log.exception("rebuilding the leaderboards of mode %d failed", mode)

    async def _rebuild(self, mode: int) -> None:
        stamp = await self._versions.snapshot(TABLES)
        current = self._sets.get(mode)
        if current is not None and current.stamp == stamp and self._clock() - current.built_at <= self._ttl:
            return  # already fresh (scheduled twice)
        started = self._clock()
        rows = await self._stats.board_rows(mode)
        boards: dict[str, Board] = {}
        for sort in LEADERBOARD_SORTS:
            await asyncio.sleep(0)  # one sort at a time: requests run in between
            boards[sort] = build_board(sort, rows)
        self._sets[mode] = _BoardSet(stamp, started, boards)
        finished = self._clock()
        self._not_before[mode] = started + REBUILD_SPACING * (finished - started)
        log.debug("mode %d: %d players on the boards, built in %.3f s", mode, len(rows), finished - started)

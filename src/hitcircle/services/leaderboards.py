"""The global leaderboards (`get_leaderboard`) and database ranks, served from sorted arrays in memory.

A leaderboard page is a slice of its board plus one primary-key read of at most 100 rows, instead of an
index scan that, for a small country or a deep offset, reads most of the mode's players. Each worker keeps,
per mode, one board per sort (`tscore`, `rscore`, `pp`, `acc`, `plays`, `playtime`): the ids of the
unrestricted players whose value is above 0, ordered by the value descending and then by id ascending
(the order of the SQL query), globally and per country. The pp board also answers ranks (a binary search).

Freshness follows the read cache's rules. A board set is stamped with the versions of `stats` and `users`
taken *before* its rows are read; once either table changes, the set is not used again, and until its
background rebuild lands, pages and ranks come from SQL, so a write is visible in the very next response
in every worker. A set older than `ttl` (writes made outside hitcircle, which bump no version) is kept
as it is when the database has had no commit since it was read (`cache.changes`), and otherwise still
used while one rebuild runs in the background. A rebuild reads a mode's players in chunks and builds
its boards in steps, giving the event loop back in between (threads were tried: a CPU-bound thread
holds the GIL in 5 ms slices, and requests on the loop then wait behind it at every I/O step). A
mode is not rebuilt again sooner than 10 times its last rebuild's duration after it started, so a
server that writes all the time spends at most about a tenth of a worker on rebuilds and answers from
SQL in between.

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
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

from hitcircle.cache.changes import NO_PROBE, ChangeProbe
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
_VALUE_CEILING = 2**64  # above any BIGINT column and any double's bit pattern


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


#: keys handled between two returns to the event loop while splitting a board by country
BUILD_STEP = 5_000
_COUNTRY_BITS = 16
_COUNTRY_MASK = 2**_COUNTRY_BITS - 1
_TAIL_BITS = 32 + _COUNTRY_BITS  # user id, then country number, under the value


class BoardBuilder:
    """Builds every board of one mode from chunks of `StatsRepository.board_rows`.

    Each chunk becomes plain integers at once, `(order key << 16) | country number`: integers are not
    tracked by the garbage collector (100k row objects kept for a rebuild made every full collection
    scan them, 70 ms each, measured). Each chunk's keys are sorted as they come (a run), and the runs
    are merged two at a time with a return to the event loop after each merge: one sort of 100k keys held
    the worker for 44 ms, the last merge of two sorted halves takes 5 ms (list.sort merges sorted runs in
    linear time; measured)."""

    def __init__(self) -> None:
        self._runs: dict[str, list[list[int]]] = {sort: [] for sort in LEADERBOARD_SORTS}
        self._country_numbers: dict[str, int] = {}
        self._countries: list[str] = []

    def add(self, rows: Sequence[AnyRow]) -> None:
        """One chunk of (id, country, tscore, rscore, pp, acc, plays, playtime) rows."""
        numbers = self._country_numbers
        countries = [country_key(row[1]) for row in rows]
        for country in set(countries).difference(numbers):
            numbers[country] = len(self._countries)
            self._countries.append(country)
        # (user id << 16) | country number: the low bits of every key of this chunk, per row
        tails = [(int(row[0]) << _COUNTRY_BITS) | numbers[c] for row, c in zip(rows, countries, strict=True)]
        for column, sort in enumerate(LEADERBOARD_SORTS, start=2):
            values = [row[column] for row in rows]
            if sort == "pp":
                ceiling, magnitudes = _PP_CEILING, [int(v) for v in values]
            elif sort == "acc":  # positive doubles order like their IEEE-754 bits read as integers
                ceiling = _VALUE_CEILING
                magnitudes = array("Q", array("d", [float(v) for v in values]).tobytes()).tolist()
            else:
                ceiling, magnitudes = _VALUE_CEILING, [int(v) for v in values]
            run = [
                ((ceiling - m) << _TAIL_BITS) | tail
                for v, m, tail in zip(values, magnitudes, tails, strict=True)
                if v > 0
            ]
            run.sort()
            self._runs[sort].append(run)

    async def finish(self) -> dict[str, Board]:
        return {sort: await self._board(sort) for sort in LEADERBOARD_SORTS}

    async def _merged(self, sort: str) -> list[int]:
        runs = self._runs[sort]
        self._runs[sort] = []
        while len(runs) > 1:
            merged: list[list[int]] = []
            for i in range(0, len(runs) - 1, 2):
                pair = runs[i] + runs[i + 1]
                pair.sort()
                merged.append(pair)
                await asyncio.sleep(0)
            if len(runs) % 2:
                merged.append(runs[-1])
            runs = merged
        return runs[0] if runs else []

    async def _board(self, sort: str) -> Board:
        keys = await self._merged(sort)
        packed = sort == "pp"
        typecode = "Q" if packed else "L"
        everyone = array(typecode)
        by_country: dict[int, array[int]] = {}
        for start in range(0, len(keys), BUILD_STEP):
            await asyncio.sleep(0)
            for key in keys[start : start + BUILD_STEP]:
                entry = key >> _COUNTRY_BITS if packed else (key >> _COUNTRY_BITS) & _ID_MASK
                everyone.append(entry)
                local = by_country.get(key & _COUNTRY_MASK)
                if local is None:
                    local = by_country[key & _COUNTRY_MASK] = array(typecode)
                local.append(entry)
        return Board(everyone, {self._countries[n]: a for n, a in by_country.items()}, packed)


@dataclass
class _BoardSet:
    stamp: tuple[int, ...]
    built_at: float
    boards: dict[str, Board]
    marker: Hashable | None = None  # the database's change marker before the rows were read


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
        changes: ChangeProbe = NO_PROBE,
    ) -> None:
        self._stats = stats
        self._changes = changes
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
            if await self._changes.unchanged_since(current.marker):
                current.built_at = self._clock()  # nothing committed since it was read: still exact
            else:
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
        """Build the boards of `modes` in the background; `wait()` for them to be ready."""
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
        marker = await self._changes.marker()
        builder = BoardBuilder()
        async for chunk in self._stats.board_rows(mode):
            builder.add(chunk)
            await asyncio.sleep(0)
        boards = await builder.finish()
        self._sets[mode] = _BoardSet(stamp, started, boards, marker)
        finished = self._clock()
        self._not_before[mode] = started + REBUILD_SPACING * (finished - started)
        log.debug("mode %d: %d on the pp board, built in %.3f s", mode, len(boards["pp"]), finished - started)

"""Query results kept while the tables they read are unchanged."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from hitcircle.cache.changes import NO_PROBE, ChangeProbe
from hitcircle.cache.versions import TableVersions

T = TypeVar("T")
_Entry = tuple[Any, tuple[int, ...], float, Hashable | None]
#: a large cache is split into up to this many LRU tables, each with its share of the capacity: a full
#: table grows its hash table in one step now and then (an OrderedDict of 50k entries: up to 10 ms at a
#: time, measured), and every request of the worker waits for it; 16 tables make each step 16x smaller
SHARDS = 16
#: ... but no table holds fewer than this many entries (small caches stay one exact LRU)
SHARD_MIN = 1_024
log = logging.getLogger("hitcircle.cache")


class ReadCache:
    """A bounded LRU of results, each stamped with the versions of the tables it was read from.

    The stamp is taken *before* loading, so a write that lands while a result is being read makes that
    result stale at once. `ttl` bounds how long a result can outlive a write made outside hitcircle
    (another program writing the same database); 0 turns caching off. A result past its TTL whose
    database has had no commit at all since it was read (`changes`, see `cache.changes`) is still exact:
    its TTL is renewed instead of reading it again.

    Concurrent misses of one key under the same stamp share one load: without that, 32 connections
    asking for a prolific player's most played maps (260 ms on MariaDB at 1M scores) ran the query 32
    times at once and waited 1.5 s each (measured).
    """

    def __init__(
        self,
        versions: TableVersions,
        *,
        capacity: int = 50_000,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        changes: ChangeProbe = NO_PROBE,
    ) -> None:
        self.versions = versions
        self.changes = changes
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        # key -> (value, table versions, expiry, change marker taken before the load), in shards
        self._shards: list[OrderedDict[Hashable, _Entry]] = [
            OrderedDict() for _ in range(max(1, min(SHARDS, capacity // SHARD_MIN)))
        ]
        self._shard_capacity = -(-capacity // len(self._shards))
        self._loading: dict[Hashable, tuple[tuple[int, ...], asyncio.Future[Any]]] = {}
        self._refreshing: set[asyncio.Task[Any]] = set()

    def _refresh_done(self, task: asyncio.Task[Any]) -> None:
        self._refreshing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("refreshing a cached result failed: %r", task.exception())

    @property
    def enabled(self) -> bool:
        return self._ttl > 0 and self._capacity > 0

    async def get(
        self,
        key: Hashable,
        tables: tuple[str, ...],
        load: Callable[[], Awaitable[T]],
        *,
        refresh_in_background: bool = False,
    ) -> T:
        """The cached result of `load`, or a fresh one. With `refresh_in_background`, a result whose
        tables are unchanged but whose TTL has run out is still returned while one reload runs in the
        background (for costly derived structures: only writes made outside hitcircle, which the TTL is
        for, can be missing from it, for the duration of one reload)."""
        if not self.enabled:
            return await load()
        stamp = await self.versions.snapshot(tables)
        now = self._clock()
        entries = self._shards[hash(key) % len(self._shards)]
        entry = entries.get(key)
        if (
            entry is not None
            and entry[1] == stamp
            and entry[2] <= now
            and await self.changes.unchanged_since(entry[3])
        ):  # past its TTL, but nothing has been committed since it was read: still exact
            entry = entries[key] = (entry[0], stamp, now + self._ttl, entry[3])
        if entry is not None and entry[1] == stamp and (entry[2] > now or refresh_in_background):
            entries.move_to_end(key)
            if entry[2] <= now and key not in self._loading:
                refresh = asyncio.get_running_loop().create_task(self._load(key, stamp, now, load))
                self._refreshing.add(refresh)
                refresh.add_done_callback(self._refresh_done)
            value: T = entry[0]
            return value
        loading = self._loading.get(key)
        if loading is not None and loading[0] == stamp:
            try:
                shared: T = await asyncio.shield(loading[1])
                return shared
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not loading[1].cancelled() or (task is not None and task.cancelling()):
                    raise
                # the request that was loading went away: load it here instead
        return await self._load(key, stamp, now, load)

    async def _load(
        self, key: Hashable, stamp: tuple[int, ...], now: float, load: Callable[[], Awaitable[T]]
    ) -> T:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_consume_exception)
        self._loading[key] = (stamp, future)
        try:
            marker = await self.changes.marker()
            value = await load()
            future.set_result(value)
        except Exception as exc:
            future.set_exception(exc)
            raise
        finally:
            current = self._loading.get(key)
            if current is not None and current[1] is future:
                del self._loading[key]
            if not future.done():
                future.cancel()  # the load was cancelled: each waiter loads for itself
        entries = self._shards[hash(key) % len(self._shards)]
        entries[key] = (value, stamp, now + self._ttl, marker)
        entries.move_to_end(key)
        if len(entries) > self._shard_capacity:
            entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._loading.clear()
        for entries in self._shards:
            entries.clear()

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._shards)


def _consume_exception(future: asyncio.Future[Any]) -> None:
    """A failed shared load is re-raised in the request that ran it; waiters are optional."""
    if not future.cancelled():
        future.exception()

"""Query results kept while the tables they read are unchanged."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from hitcircle.cache.versions import TableVersions

T = TypeVar("T")


class ReadCache:
    """A bounded LRU of results, each stamped with the versions of the tables it was read from.

    The stamp is taken *before* loading, so a write that lands while a result is being read makes that
    result stale at once. `ttl` bounds how long a result can outlive a write made outside hitcircle
    (another program writing the same database); 0 turns caching off.
    """

    def __init__(
        self,
        versions: TableVersions,
        *,
        capacity: int = 50_000,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.versions = versions
        self._capacity = capacity
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[Any, tuple[int, ...], float]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self._ttl > 0 and self._capacity > 0

    async def get(self, key: Hashable, tables: tuple[str, ...], load: Callable[[], Awaitable[T]]) -> T:
        if not self.enabled:
            return await load()
        stamp = await self.versions.snapshot(tables)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry[1] == stamp and entry[2] > now:
            self._entries.move_to_end(key)
            value: T = entry[0]
            return value
        value = await load()
        self._entries[key] = (value, stamp, now + self._ttl)
        self._entries.move_to_end(key)
        if len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

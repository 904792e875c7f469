"""Whether the database changed at all since a moment, whoever wrote it.

Table versions (`versions.py`) see every write made through hitcircle. Writes made by another program on
the same database (bancho.py itself, an admin's SQL) bump nothing, which is what `CACHE_TTL` bounds: a
cached result, a leaderboard or the player-name index is read again once it is older than the TTL.

On a quiet server that re-read is wasted work, and not small: rebuilding every mode's leaderboards at 100k
players takes seconds of a worker's CPU in steps of tens of milliseconds, and the name index most of a
second, so a worker that re-read them every minute answered its slowest requests 20-40 ms late (measured:
the p99 of whichever endpoint the benchmark was loading at that moment). A *change marker* is a value
the database changes on every commit, from any connection:

* SQLite: `PRAGMA data_version` on hitcircle's read connection;
* MariaDB/MySQL: the InnoDB log sequence number (`Innodb_lsn_current`);
* PostgreSQL: the WAL insert position (`pg_current_wal_insert_lsn()`).

Each also moves on writes that change nothing a reader sees (purge, vacuum, hitcircle's own writes),
which only costs a re-read. When the marker taken before a result was read equals the current one, the
result is still exact and its TTL is renewed. A marker is read at most once per `interval` per worker, so
a write made outside hitcircle is seen within the TTL plus that interval. `None` (no marker on this
engine, or reading it failed) means "cannot tell": results expire by age as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger("hitcircle.cache")

MarkerReader = Callable[[], Awaitable[Hashable | None]]
#: seconds a read marker is reused
PROBE_INTERVAL = 1.0


class ChangeProbe:
    def __init__(
        self,
        read: MarkerReader | None,
        *,
        interval: float = PROBE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._interval = interval
        self._clock = clock
        self._marker: Hashable | None = None
        self._read_at = float("-inf")

    async def marker(self) -> Hashable | None:
        """The database's current change marker (at most `interval` seconds old), or None."""
        if self._read is None:
            return None
        now = self._clock()
        if now - self._read_at >= self._interval:
            self._read_at = now  # callers arriving during the read keep the previous marker: one read
            try:
                self._marker = await self._read()
            except Exception as exc:  # a failed probe only means results expire by age
                log.warning("reading the database's change marker failed: %r", exc)
                self._marker = None
        return self._marker

    async def unchanged_since(self, marker: Hashable | None) -> bool:
        """True when `marker` was taken from this database and nothing has been committed since."""
        if marker is None:
            return False
        current = await self.marker()
        return current is not None and current == marker


#: for caches over no database (tests, tools): results expire by age
NO_PROBE = ChangeProbe(None)

"""Per-table version counters, shared by every process that serves the same data."""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

from redis import Redis as SyncRedis
from redis.asyncio import Redis

from hitcircle.db.schema import metadata

#: every table, in a fixed order: the slot of a table in the version file
TABLES: tuple[str, ...] = tuple(sorted(metadata.tables))
INDEX: dict[str, int] = {name: i for i, name in enumerate(TABLES)}
_SLOT = struct.Struct("<Q")
_SLOTS = 64  # room for tables added later without changing the file size


class TableVersions(ABC):
    @abstractmethod
    async def snapshot(self, tables: tuple[str, ...]) -> tuple[int, ...]:
        """The current versions of `tables`, in that order."""

    @abstractmethod
    def bump(self, tables: Iterable[str]) -> None:
        """Advance the versions of `tables` (synchronous: it runs inside database events)."""

    def bump_all(self) -> None:
        self.bump(TABLES)

    def close(self) -> None:
        return None


class MemoryVersions(TableVersions):
    """One process only (tests, and tools that run without a data directory)."""

    def __init__(self) -> None:
        self._versions = [0] * len(TABLES)

    async def snapshot(self, tables: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self._versions[INDEX[t]] for t in tables)

    def bump(self, tables: Iterable[str]) -> None:
        for table in tables:
            if table in INDEX:
                self._versions[INDEX[table]] += 1


class FileVersions(TableVersions):
    """Counters in a memory-mapped file (`DATA_DIR/state/versions`): every worker and every CLI command on
    this host sees a bump at once. Reads are plain memory reads; bumps take an exclusive file lock."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < _SLOTS * _SLOT.size:
                os.ftruncate(fd, _SLOTS * _SLOT.size)
            self._map = mmap.mmap(fd, _SLOTS * _SLOT.size)
        finally:
            os.close(fd)
        self._lock_path = str(path) + ".lock"

    async def snapshot(self, tables: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(_SLOT.unpack_from(self._map, INDEX[t] * _SLOT.size)[0] for t in tables)

    def bump(self, tables: Iterable[str]) -> None:
        slots = sorted({INDEX[t] for t in tables if t in INDEX})
        if not slots:
            return
        with open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                for slot in slots:
                    offset = slot * _SLOT.size
                    _SLOT.pack_into(self._map, offset, _SLOT.unpack_from(self._map, offset)[0] + 1)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def close(self) -> None:
        self._map.close()


class RedisVersions(TableVersions):
    """Counters in the Redis hash `hitcircle:versions`, for workers on several hosts."""

    KEY = "hitcircle:versions"

    def __init__(self, redis: Redis, url: str) -> None:
        self._redis = redis
        # bumps run inside synchronous database events, so they use a synchronous client
        self._sync = SyncRedis.from_url(url)

    async def snapshot(self, tables: tuple[str, ...]) -> tuple[int, ...]:
        values = await self._redis.hmget(self.KEY, list(tables))
        return tuple(int(v) if v is not None else 0 for v in values)

    def bump(self, tables: Iterable[str]) -> None:
        names = sorted(set(tables) & INDEX.keys())
        if not names:
            return
        with self._sync.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.hincrby(self.KEY, name, 1)
            pipe.execute()

    def close(self) -> None:
        self._sync.close()

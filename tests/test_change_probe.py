"""Results past their TTL are kept when the database has had no commit since they were read, and read
again when anything was committed, by any program (the change marker of `hitcircle.cache.changes`);
the SQLite read connection that marker is read from maps the configured size of the file."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Hashable
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.changes import ChangeProbe
from hitcircle.cache.readcache import ReadCache
from hitcircle.cache.versions import FileVersions, MemoryVersions
from hitcircle.db import schema
from hitcircle.db.database import Database
from hitcircle.db.engine import create_engine
from hitcircle.paths import DataPaths
from hitcircle.repositories.stats import StatsRepository
from hitcircle.runtime import Runtime
from hitcircle.services.leaderboards import Leaderboards
from tests.conftest import make_settings
from tests.factories import create_user, set_stats


class Markers:
    """A marker reader under the test's control, counting its reads."""

    def __init__(self, value: Hashable | None = 1) -> None:
        self.value = value
        self.reads = 0

    async def __call__(self) -> Hashable | None:
        self.reads += 1
        return self.value


async def test_the_probe_reads_the_marker_at_most_once_per_interval() -> None:
    now = [0.0]
    markers = Markers("a")
    probe = ChangeProbe(markers, interval=1.0, clock=lambda: now[0])
    assert await probe.marker() == "a"
    markers.value = "b"
    now[0] = 0.9
    assert await probe.marker() == "a" and markers.reads == 1
    now[0] = 1.0
    assert await probe.marker() == "b" and markers.reads == 2
    assert await probe.unchanged_since("b") and not await probe.unchanged_since("a")
    assert not await probe.unchanged_since(None)
    assert await ChangeProbe(None).marker() is None


async def test_a_failing_marker_means_cannot_tell(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> Hashable | None:
        raise ConnectionError("database went away")

    probe = ChangeProbe(broken, interval=0)
    with caplog.at_level(logging.WARNING, logger="hitcircle.cache"):
        assert await probe.marker() is None
    assert "database went away" in caplog.text
    assert not await probe.unchanged_since(None)


async def test_a_result_past_its_ttl_is_kept_while_nothing_was_committed() -> None:
    now = [0.0]
    markers = Markers(7)
    cache = ReadCache(
        MemoryVersions(), ttl=60, clock=lambda: now[0], changes=ChangeProbe(markers, clock=lambda: now[0])
    )
    values = iter(["first", "second", "third"])

    async def load() -> str:
        return next(values)

    assert await cache.get("k", ("maps",), load) == "first"
    now[0] = 61.0  # past the TTL, and no commit anywhere: renewed, not read again
    assert await cache.get("k", ("maps",), load) == "first"
    now[0] = 120.0  # renewed at 61: still within its new TTL
    assert await cache.get("k", ("maps",), load) == "first"
    markers.value = 8  # another program committed
    now[0] = 122.0
    assert await cache.get("k", ("maps",), load) == "second"
    markers.value = None  # the marker can no longer be read: expiry by age only
    now[0] = 200.0
    assert await cache.get("k", ("maps",), load) == "third"


async def test_a_write_through_hitcircle_is_never_hidden_by_an_unchanged_marker() -> None:
    versions = MemoryVersions()
    cache = ReadCache(versions, ttl=60, changes=ChangeProbe(Markers(1)))
    values = iter([1, 2])

    async def load() -> int:
        return next(values)

    assert await cache.get("k", ("users",), load) == 1
    versions.bump(["users"])
    assert await cache.get("k", ("users",), load) == 2


async def _settled_marker(db: Database) -> Hashable | None:
    """The marker once background work of earlier writes (InnoDB purge, ...) has stopped moving it."""
    previous = await db.change_marker()
    for _ in range(50):
        await asyncio.sleep(0.1)
        current = await db.change_marker()
        if current == previous:
            return current
        previous = current
    raise AssertionError("the change marker never settled")


@pytest.fixture
async def outside_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """Another program's connection: its writes bump no hitcircle table version."""
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


async def test_every_engine_has_a_marker_that_any_commit_moves(
    engine: AsyncEngine, outside_engine: AsyncEngine
) -> None:
    user = await create_user(engine, "marked")
    db = await Database.connect(engine)
    try:
        before = await _settled_marker(db)
        assert before is not None
        async with outside_engine.begin() as conn:
            await conn.execute(
                update(schema.users).where(schema.users.c.id == user["id"]).values(country="fr")
            )
        assert await db.change_marker() != before
    finally:
        await db.close()


async def test_boards_past_their_ttl_are_kept_until_another_program_commits(
    engine: AsyncEngine, outside_engine: AsyncEngine, tmp_path: Path
) -> None:
    first = await create_user(engine, "first", country="jp")
    second = await create_user(engine, "second", country="jp")
    await set_stats(engine, first["id"], 0, pp=200)
    await set_stats(engine, second["id"], 0, pp=100)
    now = [1000.0]
    versions = FileVersions(DataPaths(tmp_path / "data").versions_file)
    db = await Database.connect(engine)
    probe = ChangeProbe(db.change_marker, interval=0)
    boards = Leaderboards(StatsRepository(db), versions, ttl=60, clock=lambda: now[0], changes=probe)
    try:
        await _settled_marker(db)
        boards.warm([0])
        await boards.wait()
        built = await boards.board(0, "pp")
        assert built is not None and built.page(None, 0, 5) == [first["id"], second["id"]]
        now[0] += 61  # past the TTL with no commit anywhere: the same boards, no rebuild
        assert await boards.board(0, "pp") is built
        await boards.wait()
        assert await boards.board(0, "pp") is built
        async with outside_engine.begin() as conn:  # another program raises the second player's pp
            await conn.execute(
                update(schema.stats)
                .where(schema.stats.c.id == second["id"], schema.stats.c.mode == 0)
                .values(pp=300)
            )
        assert await boards.board(0, "pp") is built  # within the TTL: not looked at
        now[0] += 61
        assert await boards.board(0, "pp") is built  # served while the rebuild runs
        await boards.wait()
        rebuilt = await boards.board(0, "pp")
        assert rebuilt is not None and rebuilt is not built
        assert rebuilt.page(None, 0, 5) == [second["id"], first["id"]]
    finally:
        await boards.close()
        await db.close()
        versions.close()


@pytest.mark.parametrize("megabytes", [0, 64])
async def test_the_sqlite_read_connection_maps_the_configured_size(
    sqlite_db_url: str, tmp_path: Path, megabytes: int
) -> None:
    runtime = await Runtime.start(make_settings(sqlite_db_url, tmp_path / "data", SQLITE_MMAP_MB=megabytes))
    try:
        reader = runtime.db._reader
        assert reader is not None
        assert reader.exec_driver_sql("PRAGMA mmap_size").scalar() == megabytes << 20
    finally:
        await runtime.close()

"""In-memory leaderboards: every page and rank equals the SQL answer, on every engine; a write is visible in
the very next answer (SQL until the rebuild lands); stale-by-age boards are served while one rebuild runs."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.api.serializers import leaderboard_dict
from hitcircle.cache.versions import FileVersions
from hitcircle.db import schema
from hitcircle.paths import DataPaths
from hitcircle.repositories import stats as stats_repository
from hitcircle.repositories.stats import LEADERBOARD_SORTS, StatsRepository
from hitcircle.services.leaderboards import REBUILD_SPACING, Leaderboards
from hitcircle.services.ranks import DatabaseRanks
from tests.factories import create_clan, create_user, join_clan, set_stats


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def leaderboards(
    engine: AsyncEngine,
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    ttl: float = 60,
    enabled: bool = True,
    stats: StatsRepository | None = None,
) -> AsyncIterator[Leaderboards]:
    """Boards over the `engine` fixture's database, reading the versions file its writes bump."""
    versions = FileVersions(DataPaths(tmp_path / "data").versions_file)
    boards = Leaderboards(
        stats or StatsRepository(engine), versions, ttl=ttl, enabled=enabled, clock=clock or Clock()
    )
    try:
        yield boards
    finally:
        await boards.close()
        versions.close()


async def ranked_player(engine: AsyncEngine, name: str, country: str, pp: int) -> dict[str, Any]:
    user = await create_user(engine, name, country=country)
    await set_stats(engine, user["id"], 0, pp=pp)
    return user


async def make_players(engine: AsyncEngine) -> list[dict[str, Any]]:
    """30 players with many ties (same pp, score, accuracy), zeros, restricted ones, three countries
    (one stored upper case, as bancho.py's "XX" fallback), a clan, and stats in modes 0 and 4."""
    rng = random.Random(5)
    clan_owner = await create_user(engine, "clanowner", country="de")
    clan = await create_clan(engine, owner=clan_owner["id"], name="Ties", tag="TIE")
    players = [clan_owner]
    countries = itertools.cycle(["ca", "de", "XX"])
    for i in range(29):
        user = await create_user(engine, f"board{i}", country=next(countries), priv=2 if i % 9 == 4 else 3)
        players.append(user)
        if i % 5 == 0:
            await join_clan(engine, user["id"], clan["id"])
    for user in players:
        for mode in (0, 4):
            await set_stats(
                engine,
                user["id"],
                mode,
                pp=rng.choice([0, 100, 250, 250, 900]),
                tscore=rng.choice([0, 5000, 5000, 70000]),
                rscore=rng.choice([0, 1000, 3000]),
                acc=rng.choice([0.0, 95.5, 95.5, 99.125]),
                plays=rng.choice([0, 3, 3, 10]),
                playtime=rng.choice([0, 60, 600]),
                max_combo=rng.randint(0, 900),
            )
    return players


async def test_every_page_and_rank_equals_sql(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stats_repository, "BOARD_CHUNK", 7)  # players are read in several chunks
    players = await make_players(engine)
    stats = StatsRepository(engine)
    async with leaderboards(engine, tmp_path, stats=stats) as boards:
        boards.warm([0, 4])
        await boards.wait()
        for mode, sort in itertools.product((0, 4), LEADERBOARD_SORTS):
            assert await boards.board(mode, sort) is not None
            for country, offset, limit in itertools.product(
                (None, "ca", "CA", "xx", "De", "se"), (0, 1, 7, 25, 40), (1, 5, 100)
            ):
                sql = await stats.leaderboard(sort, mode, limit, offset, country)
                served = await boards.page(sort, mode, limit, offset, country)
                assert [leaderboard_dict(r) for r in served] == [leaderboard_dict(r) for r in sql]
            whole = await stats.leaderboard(sort, mode, 100, 0, None)
            assert whole, "the dataset puts players on every board"
            assert len({row.player_id for row in whole}) == len(whole)
        ranks, counted = DatabaseRanks(stats, boards), DatabaseRanks(stats)
        for user in players:
            for pp in (1, 250, 900):
                args = (user["id"], user["country"], user["priv"], {0: pp, 4: pp})
                assert await ranks.for_player(*args) == await counted.for_player(*args)


async def test_a_write_is_visible_in_the_next_page_then_the_boards_rebuild(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    first = await ranked_player(engine, "first", "ca", 500)
    second = await ranked_player(engine, "second", "ca", 400)
    clock = Clock()
    async with leaderboards(engine, tmp_path, clock=clock) as boards:
        boards.warm([0])
        await boards.wait()
        before = await boards.page("pp", 0, 50, 0, None)
        assert [r.name for r in before] == ["first", "second"]
        assert await boards.rank(0, second["id"], 400, "ca") == (2, 2)

        clock.now += 1000  # well past any rebuild spacing
        await set_stats(engine, second["id"], 0, pp=600)
        assert await boards.board(0, "pp") is None  # stale: the write bumped `stats`
        assert [r.name for r in await boards.page("pp", 0, 50, 0, None)] == ["second", "first"]
        assert await boards.rank(0, second["id"], 600, "ca") == (1, 1)  # counted in SQL meanwhile
        await boards.wait()
        assert await boards.board(0, "pp") is not None
        assert [r.name for r in await boards.page("pp", 0, 50, 0, None)] == ["second", "first"]
        assert await boards.rank(0, second["id"], 600, "ca") == (1, 1)

        clock.now += 1000
        async with engine.begin() as conn:  # restrict `first`: off the boards at once
            await conn.execute(schema.users.update().where(schema.users.c.id == first["id"]).values(priv=2))
        assert [r.name for r in await boards.page("pp", 0, 50, 0, None)] == ["second"]
        await boards.wait()
        assert [r.name for r in await boards.page("pp", 0, 50, 0, "CA")] == ["second"]


async def test_old_boards_are_served_while_one_rebuild_runs(engine: AsyncEngine, tmp_path: Path) -> None:
    user = await ranked_player(engine, "aged", "jp", 123)
    clock = Clock()
    async with leaderboards(engine, tmp_path, clock=clock) as boards:
        boards.warm([0])
        await boards.wait()
        built = await boards.board(0, "pp")
        assert built is not None
        clock.now += 61  # past the TTL: nothing in hitcircle wrote, so the old boards still answer
        assert await boards.board(0, "pp") is built
        await boards.wait()  # ... and one rebuild ran meanwhile
        rebuilt = await boards.board(0, "pp")
        assert rebuilt is not None and rebuilt is not built
        assert rebuilt.page(None, 0, 10) == [user["id"]]


async def test_rebuilds_are_spaced_and_sql_answers_in_between(engine: AsyncEngine, tmp_path: Path) -> None:
    user = await ranked_player(engine, "busy", "jp", 10)
    clock = Clock()
    stats = StatsRepository(engine)
    rebuilds = 0
    real_rows = stats.board_rows

    async def counting_rows(mode: int) -> AsyncIterator[Sequence[object]]:
        nonlocal rebuilds
        rebuilds += 1
        clock.now += 0.5  # the rebuild "takes" half a second: the next one waits 10 times that
        async for chunk in real_rows(mode):
            yield chunk

    stats.board_rows = counting_rows  # type: ignore[method-assign,assignment]
    async with leaderboards(engine, tmp_path, clock=clock, stats=stats) as boards:
        boards.warm([0])
        await boards.wait()
        assert rebuilds == 1
        await set_stats(engine, user["id"], 0, pp=20)
        assert [r.pp for r in await boards.page("pp", 0, 5, 0, None)] == [20]
        await boards.wait()
        assert rebuilds == 1 and await boards.board(0, "pp") is None  # too soon: SQL answered
        clock.now += REBUILD_SPACING * 0.5
        assert [r.pp for r in await boards.page("pp", 0, 5, 0, None)] == [20]
        await boards.wait()
        assert rebuilds == 2
        board = await boards.board(0, "pp")
        assert board is not None and board.page(None, 0, 5) == [user["id"]]


async def test_without_a_cache_every_answer_comes_from_sql(engine: AsyncEngine, tmp_path: Path) -> None:
    user = await ranked_player(engine, "nocache", "jp", 10)
    async with leaderboards(engine, tmp_path, ttl=0, enabled=False) as boards:
        boards.warm()
        await boards.wait()
        assert await boards.board(0, "pp") is None
        assert [r.name for r in await boards.page("pp", 0, 5, 0, "jp")] == ["nocache"]
        assert await boards.rank(0, user["id"], 10, "jp") == (1, 1)

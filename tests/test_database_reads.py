"""The raw read paths of `hitcircle.db.database`: converted columns on SQLite, and MariaDB/MySQL reads
over the unix socket that the database URL names."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.db import schema
from hitcircle.db.database import Database
from hitcircle.db.engine import create_engine
from hitcircle.repositories.scores import RECENT_INDEX, ScoresRepository
from tests.conftest import ServerDatabases, migrated_url, reset_database
from tests.factories import create_map, create_score, create_user

scores, maps = schema.scores, schema.maps


async def test_date_columns_are_converted_and_missing_ones_stay_none(engine: AsyncEngine) -> None:
    """Only the columns that need converting are converted (SQLite keeps DATETIME as text); a NULL
    from an outer join stays None; every other value comes back as stored."""
    user = await create_user(engine, "reader")
    beatmap = await create_map(engine)
    score = await create_score(engine, userid=user["id"], map_md5=beatmap["md5"])
    lost = await create_score(engine, userid=user["id"], map_md5="0" * 32)  # its map is not in `maps`
    query = (
        select(scores.c.id, scores.c.play_time, scores.c.grade, maps.c.last_update, maps.c.title)
        .select_from(scores.outerjoin(maps, maps.c.md5 == scores.c.map_md5))
        .order_by(scores.c.id)
    )
    db = await Database.connect(engine)
    try:
        rows = [tuple(row) for row in await db.all(query)]
        first = await db.first(query)
    finally:
        await db.close()
    assert rows == [
        (score["id"], datetime(2024, 1, 1, 12, 30), "S", datetime(2023, 5, 1, 10, 0), beatmap["title"]),
        (lost["id"], datetime(2024, 1, 1, 12, 30), "S", None, None),
    ]
    assert first is not None and first.last_update == datetime(2023, 5, 1, 10, 0)


@pytest.fixture
async def mysql_db_url(server_databases: ServerDatabases, session_tmp: Path) -> str:
    url = await migrated_url("mysql", server_databases, session_tmp)
    await reset_database(url)
    return url


async def test_mysql_reads_use_the_unix_socket_of_the_url(mysql_db_url: str) -> None:
    """`?unix_socket=` reaches both the engine (writes) and the raw read pool: with the TCP port in the
    URL closed, reads and writes still work, so neither went over TCP."""
    db_url = mysql_db_url
    tcp = create_engine(db_url)
    try:
        async with tcp.connect() as conn:
            socket = (await conn.exec_driver_sql("SELECT @@socket")).scalar()
    finally:
        await tcp.dispose()
    if not socket:
        pytest.fail("the MariaDB/MySQL test server listens on no unix socket")
    url = make_url(db_url).set(host="127.0.0.1", port=1, query={"unix_socket": str(socket)})
    engine = create_engine(url.render_as_string(hide_password=False))
    db = await Database.connect(engine)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                schema.clans.insert().values(
                    id=77, name="sock", tag="SO", owner=1, created_at=datetime(2024, 1, 1)
                )
            )
        found = await db.first(select(schema.clans.c.name).where(schema.clans.c.id == 77))
        assert found is not None and found.name == "sock"
    finally:
        await db.close()
        await engine.dispose()


async def test_mysql_recent_scores_name_their_index_only_when_it_exists(mysql_db_url: str) -> None:
    """MariaDB walked bancho.py's play-time index instead (up to 93 ms for a prolific player), so the
    recent listing forces hitcircle's own index; a database without it (migrations not run) must get
    the listing without the hint, since MySQL refuses a hint that names a missing index."""
    engine = create_engine(mysql_db_url)
    user = await create_user(engine, "recent")
    beatmap = await create_map(engine)
    older = await create_score(
        engine, userid=user["id"], map_md5=beatmap["md5"], play_time=datetime(2024, 1, 1)
    )
    newer = await create_score(
        engine, userid=user["id"], map_md5=beatmap["md5"], play_time=datetime(2024, 2, 1)
    )
    index = next(i for i in schema.SCORE_LISTING_INDEXES if i.name == RECENT_INDEX)

    async def recent_ids() -> tuple[list[int], list[str]]:
        db = await Database.connect(engine)
        executed: list[str] = []
        assert db._mysql is not None
        rows = db._mysql.rows

        async def recorded(compiled: Any, params: Any) -> list[Any]:
            executed.append(compiled.sql)
            return await rows(compiled, params)

        db._mysql.rows = recorded  # type: ignore[method-assign]
        try:
            found = await ScoresRepository(db).player_scores(user["id"], 0, "recent", None, 10, False, True)
        finally:
            await db.close()
        return [r.id for r in found], executed

    try:
        ids, executed = await recent_ids()
        assert ids == [newer["id"], older["id"]]
        assert f"FORCE INDEX ({RECENT_INDEX})" in executed[-1]
        async with engine.begin() as conn:
            await conn.exec_driver_sql(f"ALTER TABLE scores DROP INDEX {RECENT_INDEX}")
        ids, executed = await recent_ids()
        assert ids == [newer["id"], older["id"]]
        assert "FORCE INDEX" not in executed[-1]
    finally:
        async with engine.begin() as conn:
            present = await conn.exec_driver_sql(
                "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() "
                f"AND table_name = 'scores' AND index_name = '{RECENT_INDEX}'"
            )
            if not present.scalar():
                await conn.run_sync(lambda sync: index.create(sync))
        await engine.dispose()

"""Fixtures: a clean database on every engine, settings, the app and an HTTP client.

SQLite always runs. MariaDB/MySQL, PostgreSQL and Redis run when `HITCIRCLE_TEST_MYSQL_URL`,
`HITCIRCLE_TEST_POSTGRES_URL` and `HITCIRCLE_TEST_REDIS_URL` are set; otherwise those tests are skipped
with a reason naming the variable (`.ci/run` fails on such skips). Each test run creates its own
databases (`hc_test_<run id>`) and drops them at the end; Redis tests flush their own db number.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hitcircle.app import HitcircleApp, create_app
from hitcircle.cache.invalidation import track_writes
from hitcircle.cache.versions import FileVersions
from hitcircle.config import Settings, load_settings, normalise_database_url
from hitcircle.db.bootstrap import ensure_seed_rows
from hitcircle.db.engine import create_engine
from hitcircle.db.migrate import upgrade
from hitcircle.db.schema import metadata
from hitcircle.paths import DataPaths

ENGINE_ENV = {"mysql": "HITCIRCLE_TEST_MYSQL_URL", "postgres": "HITCIRCLE_TEST_POSTGRES_URL"}
REDIS_ENV = "HITCIRCLE_TEST_REDIS_URL"
ENGINES = ("sqlite", "mysql", "postgres")
DOMAIN = "hitcircle.test"
API = f"http://api.{DOMAIN}"
RUN_ID = uuid.uuid4().hex[:8]


def skip_reason(variable: str) -> str:
    return f"{variable} not set"


class ServerDatabases:
    """Creates and drops per-run databases on the MySQL and PostgreSQL servers."""

    def __init__(self) -> None:
        self.created: list[tuple[str, str]] = []  # (admin url, database name)

    async def create(self, kind: str, name: str) -> str:
        variable = ENGINE_ENV[kind]
        raw = os.environ.get(variable)
        if not raw:
            pytest.skip(skip_reason(variable))
        admin_url = normalise_database_url(raw)
        if kind == "postgres":
            admin_url = make_url(admin_url).set(database="postgres").render_as_string(hide_password=False)
        admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                if kind == "mysql":
                    await conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                    await conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
                else:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await admin.dispose()
        self.created.append((admin_url, name))
        return make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    async def drop_all(self) -> None:
        for admin_url, name in self.created:
            admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
            try:
                async with admin.connect() as conn:
                    if admin_url.startswith("mysql"):
                        await conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                    else:
                        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            finally:
                await admin.dispose()
        self.created.clear()


@pytest.fixture(scope="session")
async def server_databases() -> AsyncIterator[ServerDatabases]:
    databases = ServerDatabases()
    yield databases
    await databases.drop_all()


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hitcircle")


_migrated: dict[str, str] = {}


async def migrated_url(kind: str, server_databases: ServerDatabases, session_tmp: Path) -> str:
    """One migrated database per engine per run; tests empty it instead of recreating it."""
    if kind not in _migrated:
        if kind == "sqlite":
            url = normalise_database_url(f"sqlite:///{session_tmp / 'test.db'}")
        else:
            url = await server_databases.create(kind, f"hc_test_{RUN_ID}")
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()
        _migrated[kind] = url
    return _migrated[kind]


def _empty_all_tables(conn: Connection) -> None:
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())
    ensure_seed_rows(conn)


async def reset_database(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_empty_all_tables)
    finally:
        await engine.dispose()


@pytest.fixture(params=ENGINES)
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db_url(engine_kind: str, server_databases: ServerDatabases, session_tmp: Path) -> str:
    """A migrated, emptied (only seed rows) database on each engine in turn."""
    url = await migrated_url(engine_kind, server_databases, session_tmp)
    await reset_database(url)
    return url


@pytest.fixture
async def sqlite_db_url(server_databases: ServerDatabases, session_tmp: Path) -> str:
    url = await migrated_url("sqlite", server_databases, session_tmp)
    await reset_database(url)
    return url


@pytest.fixture
async def engine(db_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine for arranging rows. Its writes bump the same table versions as the app of the test
    (same data directory), exactly as `hitcircle` CLI commands do for a running server."""
    eng = create_engine(db_url)
    versions = FileVersions(DataPaths(tmp_path / "data").versions_file)
    track_writes(eng, versions)
    yield eng
    await eng.dispose()
    versions.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(skip_reason(REDIS_ENV))
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def make_settings(db_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": db_url,
        "DATA_DIR": str(data_dir),
        "DOMAIN": DOMAIN,
        "REDIS_URL": "",
        "AUTO_MIGRATE": "false",
        "LOG_LEVEL": "WARNING",
    }
    values.update(overrides)
    return load_settings(env_file=None, **values)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path / "data")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[HitcircleApp]:
    application = create_app(settings)
    await application.startup()
    yield application
    await application.shutdown()


@pytest.fixture
async def client(app: HitcircleApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=API) as http:
        yield http

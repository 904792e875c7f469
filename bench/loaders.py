"""Bulk writers for the generated rows: SQLite (stdlib sqlite3), MariaDB/MySQL (asyncmy) and PostgreSQL
(asyncpg COPY).

The schema always comes from hitcircle's own migrations. Secondary indexes of the big tables are dropped
before the load and created again afterwards with their original definitions (SQLite: the exact SQL
recorded in `sqlite_master`; MySQL/PostgreSQL: hitcircle's SQLAlchemy metadata), which is much faster
than maintaining eleven indexes row by row.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Index, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateIndex, DropIndex

from hitcircle.config import normalise_database_url
from hitcircle.db import schema
from hitcircle.db.bootstrap import ensure_seed_rows
from hitcircle.db.engine import create_engine
from hitcircle.db.migrate import upgrade

Row = Sequence[Any]
#: tables whose secondary indexes are rebuilt after the load
REINDEXED = ("scores", "stats")
#: tables that hold data in a database this tool has written
CONTENT_CHECK = "SELECT (SELECT COUNT(*) FROM users WHERE id > 2) + (SELECT COUNT(*) FROM scores) + (SELECT COUNT(*) FROM maps)"  # noqa: E501


class NotEmptyError(Exception):
    """The database already holds players, scores or maps (and --force was not given)."""


def dialect_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    return "mysql" if name == "mariadb" else name


def database_name(url: str) -> str:
    return str(make_url(url).database)


async def ensure_database(url: str) -> None:
    """Create a MySQL/PostgreSQL database named in `url` when it does not exist yet."""
    url = normalise_database_url(url)
    dialect, name = dialect_of(url), database_name(url)
    if dialect == "sqlite":
        return
    server_db = "postgres" if dialect == "postgresql" else ""
    engine = create_engine(make_url(url).set(database=server_db).render_as_string(hide_password=False))
    try:
        if dialect == "mysql":
            async with engine.begin() as conn:
                query = text("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :n")
                if not await conn.scalar(query, {"n": name}):
                    await conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        else:
            async with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                if not exists:
                    await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        await engine.dispose()


async def prepare_schema(url: str, force: bool) -> None:
    """Migrate to head; refuse a database with content unless `force`, which empties every table."""
    engine = create_engine(normalise_database_url(url))
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            content = int(await conn.scalar(text(CONTENT_CHECK)) or 0)
            if content and not force:
                raise NotEmptyError(f"{database_name(url)} is not empty; pass --force to empty it first")
            if content:
                await conn.run_sync(_empty_tables)
    finally:
        await engine.dispose()


def _empty_tables(conn: Connection) -> None:
    tables = [t.name for t in reversed(schema.metadata.sorted_tables)]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        for name in tables:
            conn.exec_driver_sql(f'DELETE FROM "{name}"')
    elif dialect == "postgresql":
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY")
    else:
        for name in tables:
            conn.exec_driver_sql(f"TRUNCATE TABLE `{name}`")
    ensure_seed_rows(conn)


class Loader(ABC):
    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)

    @abstractmethod
    async def open(self) -> None: ...

    @abstractmethod
    async def write(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None: ...

    @abstractmethod
    async def finish(self) -> None:
        """Rebuild indexes, refresh statistics, commit and close."""


def make_loader(url: str) -> Loader:
    dialect = dialect_of(normalise_database_url(url))
    if dialect == "sqlite":
        return SqliteLoader(url)
    if dialect == "mysql":
        return MysqlLoader(url)
    return PostgresLoader(url)


class SqliteLoader(Loader):
    """One transaction with the journal and fsyncs off; the server's WAL mode is restored at the end."""

    async def open(self) -> None:
        sqlite3.register_adapter(datetime, lambda d: d.isoformat(" ", "microseconds"))  # SQLAlchemy's format
        self.db = sqlite3.connect(str(make_url(self.url).database), isolation_level=None)
        for pragma in ("journal_mode=DELETE", "synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
            self.db.execute(f"PRAGMA {pragma}")
        self.dropped: list[str] = []
        for table in REINDEXED:
            query = (
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL"
            )
            for name, sql in self.db.execute(query, (table,)).fetchall():
                self.db.execute(f'DROP INDEX "{name}"')
                self.dropped.append(sql)
        self.db.execute("BEGIN")

    async def write(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    async def finish(self) -> None:
        for sql in self.dropped:
            self.db.execute(sql)
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.close()


class _SqlAlchemyLoader(Loader):
    engine: AsyncEngine
    conn: AsyncConnection
    driver: Any

    async def open(self) -> None:
        self.engine = create_engine(self.url)
        self.conn = await self.engine.connect()
        raw = await self.conn.get_raw_connection()
        self.driver = raw.driver_connection
        await self._drop_indexes()

    async def _existing_indexes(self, table: str) -> set[str]:
        def read(sync: Connection) -> set[str]:
            return {str(i["name"]) for i in inspect(sync).get_indexes(table)}

        return await self.conn.run_sync(read)

    async def _drop_indexes(self) -> None:
        self.rebuild: list[Any] = []
        for table in REINDEXED:
            existing = await self._existing_indexes(table)
            for index in sorted(schema.metadata.tables[table].indexes, key=lambda i: str(i.name)):
                if index.name in existing and not index.unique:
                    await self.conn.execute(DropIndex(index))
                    self.rebuild.append(index)
        await self.conn.commit()

    async def finish(self) -> None:
        await self._create_indexes()
        await self._after_load()
        await self.conn.commit()
        await self.conn.close()
        await self.engine.dispose()

    async def _create_indexes(self) -> None:
        for index in self.rebuild:
            await self.conn.execute(CreateIndex(index))
        await self.conn.commit()

    @abstractmethod
    async def _after_load(self) -> None: ...


class MysqlLoader(_SqlAlchemyLoader):
    """Multi-row INSERTs through asyncmy's executemany, one commit per batch; ANALYZE TABLE at the end."""

    async def open(self) -> None:
        await super().open()
        async with self.driver.cursor() as cur:
            await cur.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0")

    async def write(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        names = ", ".join(f"`{c}`" for c in columns)
        marks = ", ".join("%s" for _ in columns)
        async with self.driver.cursor() as cur:
            await cur.executemany(f"INSERT INTO `{table}` ({names}) VALUES ({marks})", list(rows))
        await self.driver.commit()

    async def _create_indexes(self) -> None:
        """One ALTER TABLE per table, so InnoDB reads the rows once for all of its indexes."""
        for table in REINDEXED:
            mine = [i for i in self.rebuild if i.table.name == table]
            if not mine:
                continue
            parts = [f"ADD INDEX `{i.name}` {self._key_parts(i)}" for i in mine]
            await self.conn.exec_driver_sql(f"ALTER TABLE `{table}` " + ", ".join(parts))
        await self.conn.commit()

    def _key_parts(self, index: Index) -> str:
        """`(a, b DESC, ...)` exactly as the migrations create the index: descending parts included,
        which decide whether MariaDB can read `ORDER BY pp DESC, id` in index order."""
        created = str(CreateIndex(index).compile(dialect=self.engine.dialect))
        return created[created.index(" ON ") + 4 :].split(" ", 1)[1]

    async def _after_load(self) -> None:
        tables = ", ".join(f"`{t.name}`" for t in schema.metadata.sorted_tables)
        result = await self.conn.exec_driver_sql(f"ANALYZE TABLE {tables}")
        result.all()


class PostgresLoader(_SqlAlchemyLoader):
    """COPY through asyncpg; sequences moved past the explicit ids; ANALYZE at the end."""

    async def write(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        await self.driver.copy_records_to_table(
            table, records=[tuple(r) for r in rows], columns=list(columns)
        )

    async def _after_load(self) -> None:
        for table in ("users", "scores", "clans", "tourney_pools"):
            await self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 2))"
            )
        await self.conn.exec_driver_sql("ANALYZE")

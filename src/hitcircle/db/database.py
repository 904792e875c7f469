"""How repositories run their queries.

Reads on the embedded SQLite database run synchronously on the event loop's thread through one
autocommit connection: an indexed SQLite read takes tens of microseconds, far less than handing it to
aiosqlite's thread and back (about 1 ms measured per query). Every SELECT is its own implicit transaction,
so it sees every commit. Large reads that feed in-memory indexes (`stream`: every player of a mode)
are read in chunks, on SQLite from a second connection (an open statement keeps its connection on one
snapshot), giving the event loop back between chunks.

Reads on MariaDB/MySQL run on a pool of autocommit asyncmy connections with each statement compiled once
(SQLAlchemy's async engine costs about 3x a raw round trip; measured). Statements the raw path cannot
run (expanding IN lists) fall back to the engine. Writes, and PostgreSQL, go through the async engine.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import namedtuple
from collections.abc import AsyncIterator, Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, RowMapping, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from hitcircle.repositories import AnyRow

Params = Mapping[str, Any] | None


class _Compiled:
    __slots__ = ("bind_processors", "compiled", "names", "result_processors", "row_type", "sql")

    def __init__(self, statement: Executable, engine: AsyncEngine) -> None:
        dialect = engine.dialect
        self.compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        self.sql: str = self.compiled.string
        self.names: list[str] = list(self.compiled.positiontup or [])
        columns = self.compiled._result_columns
        self.row_type: Any = namedtuple("Row", [c.keyname for c in columns], rename=True)  # type: ignore[misc]
        # what SQLAlchemy would convert (SQLite: DATETIME text -> datetime, enums), by column position;
        # a listing row has ~40 columns and one or two to convert, so only those are visited
        processors = [c.type._cached_result_processor(dialect, None) for c in columns]
        self.result_processors: tuple[tuple[int, Any], ...] = tuple(
            (i, proc) for i, proc in enumerate(processors) if proc is not None
        )
        self.bind_processors: dict[str, Any] = dict(self.compiled._bind_processors)

    def args(self, params: Params, *, convert: bool) -> tuple[Any, ...]:
        values = self.compiled.construct_params(dict(params or {}))
        if not convert:
            return tuple(values[name] for name in self.names)
        procs = self.bind_processors
        return tuple(
            procs[name](values[name]) if name in procs and values[name] is not None else values[name]
            for name in self.names
        )

    def make_rows(self, fetched: Sequence[Any]) -> list[Any]:
        make: Any = self.row_type._make
        processors = self.result_processors
        if not processors:
            return [make(row) for row in fetched]
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row)
            for i, proc in processors:
                value = row[i]
                if value is not None:
                    row[i] = proc(value)
            rows.append(make(row))
        return rows


def _compile_once(
    cache: dict[int, tuple[Executable, _Compiled | None]], statement: Executable, engine: AsyncEngine
) -> _Compiled | None:
    """The compiled form of a statement, kept by identity (statements are module constants); None when
    it has expanding parameters (IN lists), which are left to SQLAlchemy."""
    entry = cache.get(id(statement))
    if entry is not None and entry[0] is statement:
        return entry[1]
    compiled: _Compiled | None = _Compiled(statement, engine)
    if compiled is not None and "POSTCOMPILE" in compiled.sql:
        compiled = None
    if len(cache) < 4096:  # statements built per call are not kept
        cache[id(statement)] = (statement, compiled)
    return compiled


class MysqlReader:
    """Autocommit asyncmy connections: every SELECT sees the latest commit."""

    def __init__(self, pool: Any, engine: AsyncEngine) -> None:
        self._pool = pool
        self._engine = engine
        self._compiled: dict[int, tuple[Executable, _Compiled | None]] = {}

    def compiled(self, statement: Executable) -> _Compiled | None:
        return _compile_once(self._compiled, statement, self._engine)

    async def rows(self, compiled: _Compiled, params: Params) -> list[Any]:
        args = compiled.args(params, convert=False)  # asyncmy converts dates and times itself
        async with self._pool.acquire() as conn, conn.cursor() as cursor:
            await cursor.execute(compiled.sql, args)
            fetched = await cursor.fetchall()
        make: Any = compiled.row_type._make
        return [make(row) for row in fetched]

    async def raw(self, sql: str) -> list[tuple[Any, ...]]:
        async with self._pool.acquire() as conn, conn.cursor() as cursor:
            await cursor.execute(sql)
            return list(await cursor.fetchall())

    async def close(self) -> None:
        self._pool.close()
        await self._pool.wait_closed()


class Database:
    def __init__(
        self,
        engine: AsyncEngine,
        reader: Connection | None = None,
        mysql: MysqlReader | None = None,
        *,
        sqlite_mmap_bytes: int = 0,
    ) -> None:
        self.engine = engine
        self._reader = reader
        self._mmap_bytes = sqlite_mmap_bytes
        self._mysql = mysql
        self._streamer: Connection | None = None  # SQLite: the connection `stream` reads through
        #: MariaDB/MySQL: the indexes `scores` has, read once at connect, for index hints (a hint that
        #: names a missing index is an error there); empty elsewhere
        self.scores_indexes: frozenset[str] = frozenset()
        self._sqlite_compiled: dict[int, tuple[Executable, _Compiled | None]] = {}
        self._stream_lock = asyncio.Lock()

    @classmethod
    async def connect(cls, engine: AsyncEngine, *, sqlite_mmap_bytes: int = 0) -> Database:
        """`open`, plus the raw read pool on MariaDB/MySQL."""
        url = engine.url
        if not url.drivername.startswith("mysql+asyncmy"):
            return cls.open(engine, sqlite_mmap_bytes=sqlite_mmap_bytes)
        import asyncmy

        try:
            socket = url.query.get("unix_socket")
            pool = await asyncmy.create_pool(
                host=url.host or "127.0.0.1",
                port=url.port or 3306,
                unix_socket=socket if isinstance(socket, str) else None,
                user=url.username or "root",
                password=url.password or "",
                db=url.database,
                charset="utf8mb4",
                autocommit=True,
                minsize=1,
                maxsize=20,
            )
        except Exception as exc:  # report it as the engine would: one database error
            raise OperationalError("connect", None, exc) from exc
        db = cls(engine, mysql=MysqlReader(pool, engine))
        try:
            rows = await db._mysql_raw(
                "SELECT DISTINCT index_name FROM information_schema.statistics "
                "WHERE table_schema = DATABASE() AND table_name = 'scores'"
            )
        except Exception:
            await db.close()
            raise
        db.scores_indexes = frozenset(str(name) for (name,) in rows)
        return db

    async def _mysql_raw(self, sql: str) -> list[tuple[Any, ...]]:
        assert self._mysql is not None
        try:
            return await self._mysql.raw(sql)
        except Exception as exc:
            raise OperationalError(sql, None, exc) from exc

    def _sqlite_rows(self, statement: Executable, params: Params) -> list[Any] | None:
        """A read straight through sqlite3 with the statement compiled once: SQLAlchemy's execution and
        row machinery cost more than the query itself (profiled: ~20% of a score listing's miss)."""
        assert self._reader is not None
        compiled = _compile_once(self._sqlite_compiled, statement, self.engine)
        if compiled is None:
            return None
        args = compiled.args(params, convert=True)
        cursor = self._reader.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, args)
            fetched = cursor.fetchall()
        except sqlite3.Error as exc:
            raise DBAPIError.instance(compiled.sql, args, exc, sqlite3.Error) from exc
        finally:
            cursor.close()
        return compiled.make_rows(fetched)

    def _sqlite_run(self, statement: Executable, params: Params) -> list[Any]:
        rows = self._sqlite_rows(statement, params)
        if rows is not None:
            return rows
        assert self._reader is not None
        return list(self._reader.execute(statement, params).all())

    async def _mysql_rows(self, statement: Executable, params: Params) -> list[Any] | None:
        if self._mysql is None:
            return None
        compiled = self._mysql.compiled(statement)
        if compiled is None:
            return None
        return await self._mysql.rows(compiled, params)

    @classmethod
    def open(cls, engine: AsyncEngine, *, sqlite_mmap_bytes: int = 0) -> Database:
        """A database over `engine`, with the synchronous reader when the engine is SQLite.

        `sqlite_mmap_bytes` lets the reader map the file instead of copying pages through its 2 MB page
        cache: a random primary-key read at 1M scores (an 800 MB file) drops from 52 to 18 us (measured),
        and the mapping is the OS page cache itself, shared by every worker rather than held per process."""
        url = engine.url
        if not url.drivername.startswith("sqlite") or not url.database:
            return cls(engine)
        return cls(
            engine, _sqlite_reader(url.database, sqlite_mmap_bytes), sqlite_mmap_bytes=sqlite_mmap_bytes
        )

    async def close(self) -> None:
        for connection in (self._reader, self._streamer):
            if connection is not None:
                connection.close()
                connection.engine.dispose()
        self._reader = self._streamer = None
        if self._mysql is not None:
            await self._mysql.close()
            self._mysql = None

    async def change_marker(self) -> Hashable | None:
        """A value the database changes on every commit from any connection, or None where there is
        none (see `hitcircle.cache.changes`)."""
        if self._reader is not None:
            cursor = self._reader.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                return int(cursor.execute("PRAGMA data_version").fetchone()[0])
            finally:
                cursor.close()
        dialect = self.engine.dialect.name
        if dialect in ("mysql", "mariadb"):
            query = (  # MariaDB's name, then MySQL 8.0.30+'s
                "SHOW GLOBAL STATUS WHERE Variable_name IN "
                "('Innodb_lsn_current', 'Innodb_redo_log_current_lsn')"
            )
            if self._mysql is not None:
                rows = await self._mysql.raw(query)
            else:
                async with self.engine.connect() as conn:
                    rows = list((await conn.exec_driver_sql(query)).all())
            return tuple(sorted((str(name), str(value)) for name, value in rows)) or None
        if dialect == "postgresql":
            async with self.engine.connect() as conn:
                return str((await conn.exec_driver_sql("SELECT pg_current_wal_insert_lsn()")).scalar())
        return None

    async def all(self, statement: Executable, params: Params = None) -> Sequence[AnyRow]:
        if self._reader is not None:
            return self._sqlite_run(statement, params)
        rows = await self._mysql_rows(statement, params)
        if rows is not None:
            return rows
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).all()

    async def stream(
        self, statement: Executable, params: Params = None, *, size: int = 5_000
    ) -> AsyncIterator[Sequence[AnyRow]]:
        """The rows of a large result in chunks of `size`; the caller gives the event loop back between
        chunks (one chunk of 5,000 rows costs a few milliseconds)."""
        if self._reader is not None:
            async with self._stream_lock:
                if self._streamer is None:
                    database = self._reader.engine.url.database
                    assert database is not None
                    self._streamer = _sqlite_reader(database, self._mmap_bytes)
                # straight through sqlite3, as `all`: plain tuples, about 5x cheaper than SQLAlchemy rows
                compiled = _compile_once(self._sqlite_compiled, statement, self.engine)
                if compiled is None:
                    raise ValueError("stream() takes no expanding IN parameters")
                args = compiled.args(params, convert=True)
                cursor = self._streamer.connection.driver_connection.cursor()  # type: ignore[union-attr]
                try:
                    cursor.execute(compiled.sql, args)
                    while chunk := cursor.fetchmany(size):
                        yield compiled.make_rows(chunk)
                finally:
                    cursor.close()
            return
        async with self.engine.connect() as conn:
            streamed = await conn.stream(statement, params)
            async for chunk in streamed.partitions(size):
                yield chunk

    async def first(self, statement: Executable, params: Params = None) -> AnyRow | None:
        if self._reader is not None:
            found = self._sqlite_run(statement, params)
            return found[0] if found else None
        rows = await self._mysql_rows(statement, params)
        if rows is not None:
            return rows[0] if rows else None
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).first()

    async def scalar(self, statement: Executable, params: Params = None) -> Any:
        if self._reader is not None:
            found = self._sqlite_run(statement, params)
            return found[0][0] if found else None
        rows = await self._mysql_rows(statement, params)
        if rows is not None:
            return rows[0][0] if rows else None
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).scalar()

    async def mappings(self, statement: Executable, params: Params = None) -> Sequence[RowMapping]:
        if self._reader is not None:
            return [row._asdict() for row in self._sqlite_run(statement, params)]
        rows = await self._mysql_rows(statement, params)
        if rows is not None:
            return [row._asdict() for row in rows]
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).mappings().all()


def _sqlite_reader(path: str, mmap_bytes: int = 0) -> Connection:
    """A read-only autocommit connection to the SQLite file at `path`, mapping up to `mmap_bytes` of it."""
    sync = create_engine(make_url(f"sqlite:///{path}"), poolclass=StaticPool, connect_args={"timeout": 30})

    @event.listens_for(sync, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only = 1")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute(f"PRAGMA mmap_size = {int(mmap_bytes)}")
        cursor.close()

    return sync.connect().execution_options(isolation_level="AUTOCOMMIT")


def as_database(source: AsyncEngine | Database) -> Database:
    return source if isinstance(source, Database) else Database(source)

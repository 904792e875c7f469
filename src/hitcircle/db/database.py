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
from collections import namedtuple
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, RowMapping, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from hitcircle.repositories import AnyRow

Params = Mapping[str, Any] | None


class _Compiled:
    __slots__ = ("compiled", "names", "row_type", "sql")

    def __init__(self, statement: Executable, engine: AsyncEngine) -> None:
        self.compiled = statement.compile(dialect=engine.dialect)  # type: ignore[attr-defined]
        self.sql: str = self.compiled.string
        self.names: list[str] = list(self.compiled.positiontup or [])
        fields = [entry.keyname for entry in self.compiled._result_columns]
        self.row_type: Any = namedtuple("Row", fields, rename=True)  # type: ignore[misc]


class MysqlReader:
    """Autocommit asyncmy connections: every SELECT sees the latest commit."""

    def __init__(self, pool: Any, engine: AsyncEngine) -> None:
        self._pool = pool
        self._engine = engine
        self._compiled: dict[int, tuple[Executable, _Compiled | None]] = {}

    def compiled(self, statement: Executable) -> _Compiled | None:
        entry = self._compiled.get(id(statement))
        if entry is not None and entry[0] is statement:
            return entry[1]
        compiled: _Compiled | None = _Compiled(statement, self._engine)
        if compiled is not None and "POSTCOMPILE" in compiled.sql:
            compiled = None  # expanding parameters: left to SQLAlchemy
        if len(self._compiled) < 4096:  # statements are module constants; others are not kept
            self._compiled[id(statement)] = (statement, compiled)
        return compiled

    async def rows(self, compiled: _Compiled, params: Params) -> list[Any]:
        values = compiled.compiled.construct_params(dict(params or {}))
        args = tuple(values[name] for name in compiled.names)
        async with self._pool.acquire() as conn, conn.cursor() as cursor:
            await cursor.execute(compiled.sql, args)
            fetched = await cursor.fetchall()
        make: Any = compiled.row_type._make
        return [make(row) for row in fetched]

    async def close(self) -> None:
        self._pool.close()
        await self._pool.wait_closed()


class Database:
    def __init__(
        self, engine: AsyncEngine, reader: Connection | None = None, mysql: MysqlReader | None = None
    ) -> None:
        self.engine = engine
        self._reader = reader
        self._mysql = mysql
        self._streamer: Connection | None = None  # SQLite: the connection `stream` reads through
        self._stream_lock = asyncio.Lock()

    @classmethod
    async def connect(cls, engine: AsyncEngine) -> Database:
        """`open`, plus the raw read pool on MariaDB/MySQL."""
        url = engine.url
        if not url.drivername.startswith("mysql+asyncmy"):
            return cls.open(engine)
        import asyncmy

        try:
            pool = await asyncmy.create_pool(
                host=url.host or "127.0.0.1",
                port=url.port or 3306,
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
        return cls(engine, mysql=MysqlReader(pool, engine))

    async def _mysql_rows(self, statement: Executable, params: Params) -> list[Any] | None:
        if self._mysql is None:
            return None
        compiled = self._mysql.compiled(statement)
        if compiled is None:
            return None
        return await self._mysql.rows(compiled, params)

    @classmethod
    def open(cls, engine: AsyncEngine) -> Database:
        """A database over `engine`, with the synchronous reader when the engine is SQLite."""
        url = engine.url
        if not url.drivername.startswith("sqlite") or not url.database:
            return cls(engine)
        return cls(engine, _sqlite_reader(url.database))

    async def close(self) -> None:
        for connection in (self._reader, self._streamer):
            if connection is not None:
                connection.close()
                connection.engine.dispose()
        self._reader = self._streamer = None
        if self._mysql is not None:
            await self._mysql.close()
            self._mysql = None

    async def all(self, statement: Executable, params: Params = None) -> Sequence[AnyRow]:
        if self._reader is not None:
            return self._reader.execute(statement, params).all()
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
                    self._streamer = _sqlite_reader(database)
                # straight through sqlite3: plain tuples, about 5x cheaper per row than SQLAlchemy rows
                compiled = statement.compile(dialect=self.engine.dialect)  # type: ignore[attr-defined]
                values = compiled.construct_params(dict(params or {}))
                args = tuple(values[name] for name in compiled.positiontup or ())
                cursor = self._streamer.connection.driver_connection.cursor()  # type: ignore[union-attr]
                try:
                    cursor.execute(compiled.string, args)
                    while chunk := cursor.fetchmany(size):
                        yield chunk
                finally:
                    cursor.close()
            return
        async with self.engine.connect() as conn:
            streamed = await conn.stream(statement, params)
            async for chunk in streamed.partitions(size):
                yield chunk

    async def first(self, statement: Executable, params: Params = None) -> AnyRow | None:
        if self._reader is not None:
            return self._reader.execute(statement, params).first()
        rows = await self._mysql_rows(statement, params)
        if rows is not None:
            return rows[0] if rows else None
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).first()

    async def scalar(self, statement: Executable, params: Params = None) -> Any:
        if self._reader is not None:
            return self._reader.execute(statement, params).scalar()
        rows = await self._mysql_rows(statement, params)
        if rows is not None:
            return rows[0][0] if rows else None
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).scalar()

    async def mappings(self, statement: Executable, params: Params = None) -> Sequence[RowMapping]:
        if self._reader is not None:
            return self._reader.execute(statement, params).mappings().all()
        rows = await self._mysql_rows(statement, params)
        if rows is not None:
            return [row._asdict() for row in rows]
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).mappings().all()


def _sqlite_reader(path: str) -> Connection:
    """A read-only autocommit connection to the SQLite file at `path`."""
    sync = create_engine(make_url(f"sqlite:///{path}"), poolclass=StaticPool, connect_args={"timeout": 30})

    @event.listens_for(sync, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only = 1")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    return sync.connect().execution_options(isolation_level="AUTOCOMMIT")


def as_database(source: AsyncEngine | Database) -> Database:
    return source if isinstance(source, Database) else Database(source)

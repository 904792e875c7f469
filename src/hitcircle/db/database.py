"""How repositories run their queries.

Reads on the embedded SQLite database run synchronously on the event loop's thread through one
autocommit connection: an indexed SQLite read takes tens of microseconds, far less than handing it to
aiosqlite's thread and back (about 1 ms measured per query). Every SELECT is its own implicit transaction,
so it sees every commit. Writes, and every query on MariaDB/MySQL or PostgreSQL, go through the async
engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, RowMapping, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from hitcircle.repositories import AnyRow

Params = Mapping[str, Any] | None


class Database:
    def __init__(self, engine: AsyncEngine, reader: Connection | None = None) -> None:
        self.engine = engine
        self._reader = reader

    @classmethod
    def open(cls, engine: AsyncEngine) -> Database:
        """A database over `engine`, with the synchronous reader when the engine is SQLite."""
        url = engine.url
        if not url.drivername.startswith("sqlite") or not url.database:
            return cls(engine)
        sync = create_engine(
            make_url(f"sqlite:///{url.database}"), poolclass=StaticPool, connect_args={"timeout": 30}
        )

        @event.listens_for(sync, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only = 1")
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.close()

        return cls(engine, sync.connect().execution_options(isolation_level="AUTOCOMMIT"))

    def close(self) -> None:
        if self._reader is not None:
            engine = self._reader.engine
            self._reader.close()
            engine.dispose()
            self._reader = None

    async def all(self, statement: Executable, params: Params = None) -> Sequence[AnyRow]:
        if self._reader is not None:
            return self._reader.execute(statement, params).all()
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).all()

    async def first(self, statement: Executable, params: Params = None) -> AnyRow | None:
        if self._reader is not None:
            return self._reader.execute(statement, params).first()
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).first()

    async def scalar(self, statement: Executable, params: Params = None) -> Any:
        if self._reader is not None:
            return self._reader.execute(statement, params).scalar()
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).scalar()

    async def mappings(self, statement: Executable, params: Params = None) -> Sequence[RowMapping]:
        if self._reader is not None:
            return self._reader.execute(statement, params).mappings().all()
        async with self.engine.connect() as conn:
            return (await conn.execute(statement, params)).mappings().all()


def as_database(source: AsyncEngine | Database) -> Database:
    return source if isinstance(source, Database) else Database(source)

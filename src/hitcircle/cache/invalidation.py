"""Bump table versions for every write that goes through an engine."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import UpdateBase

from hitcircle.cache.versions import TableVersions

_DIRTY = "hitcircle_dirty_tables"


def track_writes(engine: AsyncEngine, versions: TableVersions) -> None:
    """INSERT/UPDATE/DELETE statements bump their table when they run and again when the connection
    is returned to the pool, which is after the transaction's commit or rollback."""

    @event.listens_for(engine.sync_engine, "after_execute")
    def _after_execute(conn: Connection, clauseelement: Any, *_: Any) -> None:
        if isinstance(clauseelement, UpdateBase):
            table = getattr(clauseelement, "table", None)
            name = getattr(table, "name", None)
            if name:
                versions.bump((name,))
                conn.info.setdefault(_DIRTY, set()).add(name)

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is None:
            return
        dirty = record.info.pop(_DIRTY, None)
        if dirty:
            versions.bump(dirty)

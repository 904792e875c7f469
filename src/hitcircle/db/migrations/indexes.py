"""The one step hitcircle's index migrations share: add the indexes a table does not have yet.

Each index is created only when no index of that name exists, so a migration is harmless on a database
that already has it (created by the baseline on a fresh database, or by an earlier partial run).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Index, inspect


def create_missing_indexes(bind: Connection, table: str, indexes: Iterable[Index]) -> None:
    existing = {index["name"] for index in inspect(bind).get_indexes(table)}
    for index in indexes:
        if index.name not in existing:
            index.create(bind)

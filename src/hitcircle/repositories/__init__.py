"""Repositories: all SQL, one module per aggregate, returning plain rows."""

from typing import Any, TypeAlias

from sqlalchemy import Row

#: a result row of any shape (SQLAlchemy 2.1 types rows by their column types)
AnyRow: TypeAlias = Row[*tuple[Any, ...]]

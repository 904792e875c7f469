"""Repositories: all SQL, one module per aggregate, returning plain rows."""

from typing import Any, TypeAlias

from sqlalchemy import Row

from hitcircle.cache.readcache import ReadCache
from hitcircle.cache.versions import MemoryVersions

#: a result row of any shape (SQLAlchemy 2.1 types rows by their column types)
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


def storable_text(text: str) -> bool:
    """Whether `text` can occur in a bancho.py text column.

    bancho.py's MySQL schema stores names and titles as 3-byte utf8, so no row holds a character outside
    the Basic Multilingual Plane, and MySQL refuses to even compare such text with those columns. Lookups
    with such text therefore find nothing, on every engine alike.
    """
    return all(ord(c) <= 0xFFFF for c in text)


#: for repositories built without a cache (tools, tests): every read goes to the database
NO_CACHE = ReadCache(MemoryVersions(), ttl=0)

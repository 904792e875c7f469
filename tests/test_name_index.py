"""Substring search over player names: literal, case-insensitive, in id order, never across names."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.cache.versions import MemoryVersions
from hitcircle.repositories import NO_CACHE
from hitcircle.repositories.users import NameIndex, NameMatch, UsersRepository
from tests.factories import create_user


class Row(NamedTuple):
    id: int
    name: str


INDEX = NameIndex(
    [Row(3, "İstanbul"), Row(4, "Ann_Lee"), Row(5, "annie"), Row(6, "50%off"), Row(7, "JOHANN"), Row(9, "x")]
)


def test_matches_case_insensitively_in_id_order() -> None:
    assert INDEX.search("ANN", 50) == [NameMatch(4, "Ann_Lee"), NameMatch(5, "annie"), NameMatch(7, "JOHANN")]


def test_limit_and_one_hit_per_name() -> None:
    assert INDEX.search("n", 2) == [NameMatch(3, "İstanbul"), NameMatch(4, "Ann_Lee")]


def test_wildcards_are_literal_and_names_never_join() -> None:
    assert INDEX.search("n_", 50) == [NameMatch(4, "Ann_Lee")]
    assert INDEX.search("%o", 50) == [NameMatch(6, "50%off")]
    assert INDEX.search("eean", 50) == []  # "Ann_Lee" + "annie" must not match across the boundary


def test_names_whose_lower_case_is_longer_keep_later_offsets_right() -> None:
    assert INDEX.search("bul", 50) == [NameMatch(3, "İstanbul")]
    assert INDEX.search("x", 50) == [NameMatch(9, "x")]


NAMES = st.text(alphabet="abcAB_ -[]İß0%", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(NAMES, max_size=40),
    needle=st.text(alphabet="abcAB_ -[]İß0%", min_size=1, max_size=5),
    limit=st.integers(1, 10),
)
def test_trigram_lists_and_the_full_scan_agree_with_a_plain_substring_test(
    names: list[str], needle: str, limit: int
) -> None:
    rows = [Row(i + 1, name) for i, name in enumerate(names)]
    expected = [NameMatch(r.id, r.name) for r in rows if needle.lower() in r.name.lower()][:limit]
    assert NameIndex(rows).search(needle, limit) == expected
    assert NameIndex(rows, trigrams=False).search(needle, limit) == expected
    assert asyncio.run(NameIndex.build(_chunks(rows, 3))).search(needle, limit) == expected


async def _chunks(rows: list[Row], size: int) -> AsyncIterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def test_a_trigram_no_name_has_ends_the_search_at_once() -> None:
    assert INDEX.search("zzz", 50) == []
    assert INDEX.search("NNI", 50) == [NameMatch(5, "annie")]


NAMES = ("İstanbul", "Ann_Lee", "annie", "50%off", "JOHANN", "x!y", "Bob")


async def test_with_the_read_cache_off_search_reads_the_database_and_answers_the_same(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TTL 0 keeps nothing, so a search used to build the whole index for itself (seconds at 100k
    players). It now asks the database, and answers exactly what the index answers."""
    for name in NAMES:
        await create_user(engine, name)
    await create_user(engine, "annette", priv=1)  # restricted: never found
    cached = UsersRepository(engine, ReadCache(MemoryVersions(), ttl=60))
    searches = [
        ("ANN", 50),
        ("n", 2),
        ("n_", 50),
        ("%o", 50),
        ("!y", 50),
        ("bul", 50),
        ("eean", 50),
        ("o", 1),
    ]
    expected = [[(r.id, r.name) for r in await cached.search(text, limit)] for text, limit in searches]

    async def no_index(*_: object) -> NameIndex:
        raise AssertionError("the name index was built with the read cache off")

    monkeypatch.setattr(NameIndex, "build", no_index)
    uncached = UsersRepository(engine, NO_CACHE)
    got = [[(r.id, r.name) for r in await uncached.search(text, limit)] for text, limit in searches]
    assert got == expected
    by_name = {name: i for i, name in enumerate(NAMES)}
    assert [[by_name[n] for _, n in found] for found in got] == [
        [1, 2, 4],
        [0, 1],
        [1],
        [3],
        [5],
        [0],
        [],
        [3],
    ]


async def test_search_in_the_database_reads_further_when_the_recheck_drops_rows(
    engine: AsyncEngine,
) -> None:
    """MariaDB's LIKE also ignores accents ("é" matches "e"): there the first read returns only names
    the exact check drops, and the answer must still hold `limit` names while more of them exist."""
    for i in range(12):
        await create_user(engine, f"cafébar{i}")
    for i in range(3):
        await create_user(engine, f"cafe{i}")
    repository = UsersRepository(engine, NO_CACHE)
    reads = 0
    read = repository._db.all

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        return await read(*args, **kwargs)

    repository._db.all = counted  # type: ignore[method-assign]
    found = await repository.search("cafe", 2)
    assert [r.name for r in found] == ["cafe0", "cafe1"]
    assert reads == (2 if engine.dialect.name in ("mysql", "mariadb") else 1)

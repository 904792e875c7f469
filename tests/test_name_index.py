"""Substring search over player names: literal, case-insensitive, in id order, never across names."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from hitcircle.repositories.users import NameIndex, NameMatch


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

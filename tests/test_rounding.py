"""Rounded numbers in answers are exactly Python's `round(float(x), n)`, memoised or not."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from hitcircle.api import serializers
from hitcircle.api.serializers import r2, r3

NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(-(10**12), 10**12),
    st.sampled_from([2.675, 1.005, 0.125, 5.178, 99.99499999, 0.0, -0.0]),
)


@settings(max_examples=500, deadline=None)
@given(values=st.lists(NUMBERS, min_size=1, max_size=20))
def test_memoised_rounding_equals_round_even_when_asked_twice(values: list[float]) -> None:
    for value in values + values:  # the second pass reads the memo
        assert r2(value) == round(float(value), 2)
        assert r3(value) == round(float(value), 3)


def test_the_memo_is_bounded_and_decimals_round_like_their_float() -> None:
    serializers._ROUNDED[2].clear()
    limit = serializers._ROUNDED_MAX
    for i in range(limit + 10):
        r2(i + 0.125)
    assert len(serializers._ROUNDED[2]) <= limit
    assert r2(Decimal("2.675")) == round(2.675, 2) == 2.67
    assert r3(Decimal("99.9995")) == round(99.9995, 3)

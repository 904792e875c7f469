"""Accuracy, grades and weighted pp/acc (bancho-spec §6.1), against values worked out by hand."""

from __future__ import annotations

import pytest

from hitcircle.services.stats_math import accuracy, grade, weighted_acc, weighted_pp, weighted_stats

HD, FL, FI, V2 = 8, 1024, 1_048_576, 536_870_912


# --- accuracy ----------------------------------------------------------------------------------------------
def test_std_accuracy() -> None:
    # (300·90 + 100·8 + 50·2) / (300·100) = 27900 / 30000
    assert accuracy(0, 90, 8, 2, 0) == 93.0
    # (300·97 + 100·2) / (300·100) = 29300 / 30000
    assert accuracy(0, 97, 2, 0, 1) == pytest.approx(97.666_666_666_666_67, abs=1e-12)
    assert accuracy(0, 100, 0, 0, 0, ngeki=30, nkatu=7) == 100.0  # geki/katu play no part
    assert accuracy(4, 90, 8, 2, 0) == accuracy(8, 90, 8, 2, 0) == 93.0  # relax/autopilot: as std


def test_taiko_accuracy() -> None:
    assert accuracy(1, 90, 10, 0, 0) == 95.0  # (90 + 5) / 100
    assert accuracy(1, 85, 10, 0, 5) == 90.0  # (85 + 5) / 100
    assert accuracy(1, 90, 10, 7, 0) == 95.0  # no 50s in taiko: ignored
    assert accuracy(5, 85, 10, 0, 5) == 90.0


def test_catch_accuracy() -> None:
    # caught (700 + 2 + 250) / all (952 + 13 tiny droplet misses + 5 misses) = 952 / 970
    assert accuracy(2, 700, 2, 250, 5, nkatu=13) == pytest.approx(98.144_329_896_907_22, abs=1e-12)
    assert accuracy(6, 10, 0, 0, 0) == 100.0


def test_mania_accuracy() -> None:
    # (50·4 + 100·10 + 200·20 + 300·(150 + 400)) / (300·594) = 170200 / 178200
    assert accuracy(3, 150, 10, 4, 10, ngeki=400, nkatu=20) == pytest.approx(95.510_662_177_328_84, abs=1e-12)
    # ScoreV2: (200 + 1000 + 4000 + 300·150 + 305·400) / (305·594) = 172200 / 181170
    assert accuracy(3, 150, 10, 4, 10, ngeki=400, nkatu=20, mods=V2) == pytest.approx(
        95.048_849_147_209_80, abs=1e-12
    )
    assert accuracy(3, 0, 0, 0, 0, ngeki=594) == 100.0
    assert accuracy(3, 594, 0, 0, 0, mods=V2) == pytest.approx(300 / 3.05, abs=1e-12)  # 300s are not MAX


@pytest.mark.parametrize("mode", range(12))
def test_accuracy_without_hits_is_zero(mode: int) -> None:
    assert accuracy(mode, 0, 0, 0, 0) == 0.0


# --- grades ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((100, 0, 0, 0), "X"),
        ((95, 5, 0, 0), "S"),  # 95% 300s, no 50s, no miss
        ((95, 3, 2, 0), "A"),  # 2% 50s is too many for an S
        ((95, 4, 0, 1), "A"),  # a miss is never an S
        ((85, 15, 0, 0), "A"),  # > 80% 300s without a miss
        ((85, 14, 0, 1), "B"),  # ... with a miss
        ((75, 25, 0, 0), "B"),
        ((75, 24, 0, 1), "C"),
        ((61, 39, 0, 0), "C"),
        ((60, 40, 0, 0), "D"),  # 60% is not more than 60%
    ],
)
def test_std_and_taiko_grades(counts: tuple[int, int, int, int], expected: str) -> None:
    assert grade(0, 0, *counts) == expected
    assert grade(8, 8192, *counts) == expected
    if counts[2] == 0:
        assert grade(1, 0, *counts) == expected


def test_silver_grades() -> None:
    for mods in (HD, FL, HD | 16):
        assert grade(0, mods, 100, 0, 0, 0) == "XH"
        assert grade(0, mods, 95, 5, 0, 0) == "SH"
        assert grade(0, mods, 85, 15, 0, 0) == "A"
    assert grade(3, FI, 0, 0, 0, 0, ngeki=10) == "XH"
    assert grade(3, HD, 150, 10, 4, 10, ngeki=400, nkatu=20) == "SH"  # 95.51%


def test_catch_grades_follow_accuracy() -> None:
    assert grade(2, 0, 100, 5, 50, 0) == "X"
    assert grade(2, 0, 700, 2, 250, 5, nkatu=13) == "S"  # 98.14%
    assert grade(2, 0, 98, 0, 0, 2) == "A"  # exactly 98%: not more than 98
    assert grade(2, 0, 95, 0, 0, 5) == "A"
    assert grade(2, 0, 92, 0, 0, 8) == "B"
    assert grade(2, 0, 90, 0, 0, 10) == "C"
    assert grade(2, 0, 85, 0, 0, 15) == "D"


def test_mania_grades_follow_accuracy() -> None:
    assert grade(3, 0, 150, 10, 4, 10, ngeki=400, nkatu=20) == "S"  # 95.51%
    assert grade(3, 0, 95, 0, 0, 5) == "A"  # exactly 95%
    assert grade(3, 0, 85, 0, 0, 15) == "B"
    assert grade(3, 0, 75, 0, 0, 25) == "C"
    assert grade(3, 0, 70, 0, 0, 30) == "D"


def test_failed_and_empty_grades() -> None:
    assert grade(0, 0, 100, 0, 0, 0, passed=False) == "F"
    assert grade(0, 0, 0, 0, 0, 0) == "N"
    assert grade(3, 0, 0, 0, 0, 0) == "N"


# --- weighted pp and accuracy ------------------------------------------------------------------------------
def test_weighted_pp() -> None:
    assert weighted_pp([]) == 0
    assert weighted_pp([100.0]) == 100  # 100 + 416.6667·0.0006 = 100.25
    # 200 + 100·0.95 + 416.6667·(1 − 0.9994²) = 295 + 0.49985; sorted first
    assert weighted_pp([100.0, 200.0]) == 295
    # 300 + 250·0.95 + 120·0.9025 + 416.6667·(1 − 0.9994³) = 645.8 + 0.74955 = 646.54955
    assert weighted_pp([120.0, 300.0, 250.0]) == 647
    # 100·(1 − 0.95¹⁰)/0.05 + 416.6667·(1 − 0.9994¹⁰) = 802.52612 + 2.49326 = 805.01938
    assert weighted_pp([100.0] * 10) == 805


def test_weighted_acc() -> None:
    assert weighted_acc([]) == 0.0
    assert weighted_acc([98.0]) == pytest.approx(98.0, abs=1e-9)
    # (100 + 90·0.95) · 100 / (20·(1 − 0.95²)) / 100 = 185.5 / 1.95
    assert weighted_acc([100.0, 90.0]) == pytest.approx(95.128_205_128_205_13, abs=1e-9)
    assert weighted_acc([90.0, 100.0]) == pytest.approx((90 + 95) / 1.95, abs=1e-9)  # order matters


def test_weighted_stats_orders_by_pp() -> None:
    pp, acc = weighted_stats([(100.0, 90.0), (200.0, 100.0)])
    assert pp == 295
    assert acc == pytest.approx(95.128_205_128_205_13, abs=1e-9)
    assert weighted_stats([]) == (0, 0.0)

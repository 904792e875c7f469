"""Score and player arithmetic of bancho-spec §6.1: accuracy per mode, grades, weighted pp and accuracy.

Pure functions, shared by score submission and the demo data set:

* `accuracy` — percent, from hit counts, by the score's vanilla mode (`mode % 4`); 0.0 when there is
  nothing to divide by. Mania with ScoreV2 weighs a geki (MAX) 305 and divides by 305.
* `grade` — osu!stable's letter for a passed score (`F` when failed): std and taiko by the share of 300s,
  catch and mania by accuracy; `XH`/`SH` (silver) with Hidden, Flashlight or FadeIn.
* `weighted_pp` / `weighted_acc` / `weighted_stats` — a player's `stats.pp` and `stats.acc` of a mode from
  all their BEST scores on ranked/approved maps, taken in pp order (highest first):
  `pp = round(Σ ppᵢ·0.95ⁱ + 416.6667·(1 − 0.9994ⁿ))` (Python's round) and
  `acc = (Σ accᵢ·0.95ⁱ) × (100 / (20·(1 − 0.95ⁿ))) / 100`; 0 and 0.0 without scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

SCOREV2 = 536_870_912
#: mods that turn S and SS silver
SILVER_MODS = 8 | 1024 | 1_048_576  # Hidden, Flashlight, FadeIn
PP_WEIGHT = 0.95
BONUS_PP = 416.6667
BONUS_BASE = 0.9994


def accuracy(
    mode: int,
    n300: int,
    n100: int,
    n50: int,
    nmiss: int,
    ngeki: int = 0,
    nkatu: int = 0,
    mods: int = 0,
) -> float:
    """Accuracy in percent of a score in `mode` (any of 0-11; its vanilla mode decides)."""
    vanilla = mode % 4
    if vanilla == 0:
        total = n300 + n100 + n50 + nmiss
        if total == 0:
            return 0.0
        return 100.0 * (300 * n300 + 100 * n100 + 50 * n50) / (300.0 * total)
    if vanilla == 1:
        total = n300 + n100 + nmiss
        if total == 0:
            return 0.0
        return 100.0 * (n300 + 0.5 * n100) / total
    if vanilla == 2:
        total = n300 + n100 + n50 + nkatu + nmiss
        if total == 0:
            return 0.0
        return 100.0 * (n300 + n100 + n50) / total
    total = n300 + n100 + n50 + ngeki + nkatu + nmiss
    if total == 0:
        return 0.0
    if mods & SCOREV2:
        points = 50 * n50 + 100 * n100 + 200 * nkatu + 300 * n300 + 305 * ngeki
        return 100.0 * points / (305.0 * total)
    points = 50 * n50 + 100 * n100 + 200 * nkatu + 300 * (n300 + ngeki)
    return 100.0 * points / (300.0 * total)


def grade(
    mode: int,
    mods: int,
    n300: int,
    n100: int,
    n50: int,
    nmiss: int,
    ngeki: int = 0,
    nkatu: int = 0,
    *,
    passed: bool = True,
) -> str:
    """The grade name stored in `scores.grade` (`N` when no object was judged)."""
    if not passed:
        return "F"
    silver = bool(mods & SILVER_MODS)
    vanilla = mode % 4
    if vanilla in (0, 1):
        total = n300 + n100 + n50 + nmiss
        if total == 0:
            return "N"
        ratio300, ratio50 = n300 / total, n50 / total
        if ratio300 == 1:
            return "XH" if silver else "X"
        if ratio300 > 0.9 and ratio50 <= 0.01 and nmiss == 0:
            return "SH" if silver else "S"
        if (ratio300 > 0.8 and nmiss == 0) or ratio300 > 0.9:
            return "A"
        if (ratio300 > 0.7 and nmiss == 0) or ratio300 > 0.8:
            return "B"
        return "C" if ratio300 > 0.6 else "D"
    if n300 + n100 + n50 + ngeki + nkatu + nmiss == 0:
        return "N"
    acc = accuracy(mode, n300, n100, n50, nmiss, ngeki, nkatu, mods)
    s_min, a_min, b_min, c_min = (98.0, 94.0, 90.0, 85.0) if vanilla == 2 else (95.0, 90.0, 80.0, 70.0)
    if acc == 100.0:
        return "XH" if silver else "X"
    if acc > s_min:
        return "SH" if silver else "S"
    if acc > a_min:
        return "A"
    if acc > b_min:
        return "B"
    return "C" if acc > c_min else "D"


def weighted_pp(pps: Iterable[float]) -> int:
    """`stats.pp` from the pp of every BEST score (any order; sorted here, highest first)."""
    ordered = sorted(pps, reverse=True)
    weighted = sum(pp * PP_WEIGHT**i for i, pp in enumerate(ordered))
    return round(weighted + BONUS_PP * (1 - BONUS_BASE ** len(ordered)))


def weighted_acc(accs: Sequence[float]) -> float:
    """`stats.acc` from the accuracies of every BEST score, in the order of their pp (highest first)."""
    if not accs:
        return 0.0
    weighted = sum(acc * PP_WEIGHT**i for i, acc in enumerate(accs))
    return weighted * (100.0 / (20 * (1 - PP_WEIGHT ** len(accs)))) / 100


def weighted_stats(best: Iterable[tuple[float, float]]) -> tuple[int, float]:
    """(`stats.pp`, `stats.acc`) from (pp, acc) of every BEST score; ties in pp keep their given order."""
    ordered = sorted(best, key=lambda score: score[0], reverse=True)
    return weighted_pp(pp for pp, _ in ordered), weighted_acc([acc for _, acc in ordered])

"""The demo's scores and the `stats` they add up to, generated deterministically from `demo.dataset`.

Each player has, per mode they play and per map of that mode, one to three passes and sometimes a failed
attempt, at times spread over the last five months. Hit counts follow the map's objects (std objects,
taiko circles, catch fruits/droplets/tiny droplets, mania judgements) and the player's skill; accuracy and
grade come from `services.stats_math`, pp from the configured pp backend (filled in by `demo.load`).
Of a player's passes on a map in a mode, the one with the most pp is BEST (2), the others SUBMITTED (1);
failed attempts are FAILED (0) with grade F and 0 pp.

`stats` follow bancho-spec §6.1 as if the scores had been submitted one by one: plays, playtime, total
score, total hits over every score; max combo over passes on leaderboard maps; ranked score, grade counts,
pp and accuracy over the BEST scores on ranked/approved maps.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hitcircle.constants.beatmaps import LEADERBOARD_STATUSES, RANKED_PP_STATUSES, RankedStatus
from hitcircle.constants.privileges import is_restricted
from hitcircle.demo.dataset import MODE_MAPS, MODE_MODS, PLAYERS, DemoPlayer
from hitcircle.services import stats_math

SEED = 20_240_615
HISTORY_DAYS = 150
GRADE_COLUMNS = {"XH": "xh_count", "X": "x_count", "SH": "sh_count", "S": "s_count", "A": "a_count"}
#: stable's score multipliers of the mods the demo uses (relax/autopilot count as 1 here)
MOD_MULTIPLIERS = ((8, 1.06), (16, 1.06), (64, 1.12), (1_048_576, 1.06))


@dataclass(frozen=True, slots=True)
class MapFacts:
    """What score generation needs to know about a beatmap."""

    id: int
    md5: str
    mode: int
    status: RankedStatus
    max_combo: int
    length: int  # seconds
    objects: int  # std objects, taiko circles, catch fruits, mania judgements
    droplets: int = 0  # catch
    tiny_droplets: int = 0  # catch


@dataclass(slots=True)
class Hits:
    n300: int = 0
    n100: int = 0
    n50: int = 0
    nmiss: int = 0
    ngeki: int = 0
    nkatu: int = 0


@dataclass(slots=True)
class DemoScore:
    player: DemoPlayer
    beatmap: MapFacts
    mode: int
    mods: int
    hits: Hits
    max_combo: int
    passed: bool
    play_time: datetime
    time_elapsed: int
    checksum: str
    score: int = 0
    acc: float = 0.0
    grade: str = "F"
    pp: float = 0.0
    status: int = 0

    @property
    def perfect(self) -> int:
        return int(self.passed and self.hits.nmiss == 0 and self.max_combo >= self.beatmap.max_combo)

    def row(self, user_id: int) -> dict[str, Any]:
        """The `scores` row (without `id`)."""
        h = self.hits
        return {
            "map_md5": self.beatmap.md5,
            "score": self.score,
            "pp": self.pp,
            "acc": self.acc,
            "max_combo": self.max_combo,
            "mods": self.mods,
            "n300": h.n300,
            "n100": h.n100,
            "n50": h.n50,
            "nmiss": h.nmiss,
            "ngeki": h.ngeki,
            "nkatu": h.nkatu,
            "grade": self.grade,
            "status": self.status,
            "mode": self.mode,
            "play_time": self.play_time,
            "time_elapsed": self.time_elapsed,
            "client_flags": 0,
            "userid": user_id,
            "perfect": self.perfect,
            "online_checksum": self.checksum,
        }


def _hits(facts: MapFacts, mode: int, quality: float, rng: random.Random, fraction: float) -> Hits:
    """Hit counts over the first `fraction` of the map; quality 1.0 is a perfect play."""
    vanilla = mode % 4
    total = max(1, round(facts.objects * fraction))
    fc_chance = min(0.95, max(0.0, (quality - 0.8) * 5))
    misses = 0 if rng.random() < fc_chance else rng.randint(1, max(1, round(total * (1 - quality) * 0.12)))
    if fraction < 1:
        misses += rng.randint(4, 12)  # what made them fail
    misses = min(misses, total)
    rest = total - misses
    error = (1 - quality) * rng.uniform(0.5, 1.5)
    if vanilla == 0:
        n100, n50 = round(rest * error * 0.8), round(rest * error * 0.1)
        n300 = rest - n100 - n50
        return Hits(n300, n100, n50, misses, ngeki=n300 // 7, nkatu=n100 // 4)
    if vanilla == 1:
        n100 = round(rest * error)
        return Hits(rest - n100, n100, 0, misses, ngeki=(rest - n100) // 9, nkatu=n100 // 9)
    if vanilla == 2:
        tiny = round(facts.tiny_droplets * fraction)
        tiny_missed = min(tiny, round(tiny * error * 1.5))
        droplets = round(facts.droplets * fraction)
        return Hits(rest, droplets, tiny - tiny_missed, misses, nkatu=tiny_missed)
    n200, n100, n50 = round(rest * error * 0.8), round(rest * error * 0.25), round(rest * error * 0.06)
    good = rest - n200 - n100 - n50
    perfect = round(good * (0.35 + 0.6 * quality))
    return Hits(good - perfect, n100, n50, misses, ngeki=perfect, nkatu=n200)


def _multiplier(mods: int) -> float:
    result = 1.0
    for bit, factor in MOD_MULTIPLIERS:
        if mods & bit:
            result *= factor
    return result


def _score_value(mode: int, mods: int, hits: Hits, combo: int, acc: float, fraction: float) -> int:
    """A plausible osu!stable score: hit values times a combo factor (mania: out of a million)."""
    vanilla = mode % 4
    if vanilla == 3:
        return round(1_000_000 * fraction * (acc / 100) ** 2 * _multiplier(mods & ~64))
    if vanilla == 0:
        points = 300 * hits.n300 + 100 * hits.n100 + 50 * hits.n50
    elif vanilla == 1:
        points = 300 * hits.n300 + 150 * hits.n100
    else:
        points = 300 * hits.n300 + 100 * hits.n100 + 10 * hits.n50
    return round(points * _multiplier(mods) * (1 + combo * 0.08))


def _attempt(
    player: DemoPlayer,
    facts: MapFacts,
    mode: int,
    passed: bool,
    play_time: datetime,
    number: int,
    rng: random.Random,
) -> DemoScore:
    mods = rng.choice(MODE_MODS[mode])
    bonus = 0.02 if mode >= 4 else 0.0  # relax and autopilot are kinder
    quality = min(1.0, max(0.6, player.skill + bonus + rng.gauss(0, 0.035)))
    fraction = 1.0 if passed else rng.uniform(0.3, 0.85)
    hits = _hits(facts, mode, quality, rng, fraction)
    longest = max(1, round(facts.max_combo * fraction))
    full = passed and hits.nmiss == 0
    combo = facts.max_combo if full else max(1, round(longest * rng.uniform(0.2, 0.85)))
    acc = stats_math.accuracy(mode, hits.n300, hits.n100, hits.n50, hits.nmiss, hits.ngeki, hits.nkatu, mods)
    speed = 1.5 if mods & 64 else 1.0
    elapsed = round(facts.length * 1000 * fraction / speed) + rng.randint(1500, 3000)
    key = f"hitcircle-demo:{player.name}:{facts.id}:{mode}:{number}"
    return DemoScore(
        player=player,
        beatmap=facts,
        mode=mode,
        mods=mods,
        hits=hits,
        max_combo=combo,
        passed=passed,
        play_time=play_time,
        time_elapsed=elapsed,
        checksum=hashlib.md5(key.encode()).hexdigest(),
        score=_score_value(mode, mods, hits, combo, acc, fraction),
        acc=round(acc, 3),
        grade=stats_math.grade(
            mode, mods, hits.n300, hits.n100, hits.n50, hits.nmiss, hits.ngeki, hits.nkatu, passed=passed
        ),
    )


def generate_scores(maps: dict[int, MapFacts], now: datetime, seed: int = SEED) -> list[DemoScore]:
    """Every demo score, oldest first (pp 0 and status unset until `assign_statuses`)."""
    rng = random.Random(seed)
    scores: list[DemoScore] = []
    for player in PLAYERS:
        for mode in player.modes:
            for map_id in MODE_MAPS[mode]:
                outcomes = [True] * rng.randint(1, 3) + ([False] if rng.random() < 0.4 else [])
                times = sorted(
                    now - timedelta(days=rng.uniform(0.1, HISTORY_DAYS)) for _ in range(len(outcomes))
                )
                rng.shuffle(outcomes)
                for number, (passed, moment) in enumerate(zip(outcomes, times, strict=True)):
                    at = moment.replace(microsecond=0)
                    scores.append(_attempt(player, maps[map_id], mode, passed, at, number, rng))
    scores.sort(key=lambda s: s.play_time)
    return scores


def assign_statuses(scores: list[DemoScore]) -> None:
    """BEST for each player's highest-pp pass per map and mode (the earliest on a tie), else SUBMITTED;
    FAILED (and 0 pp) for failed attempts. `scores` must be in play order and have their pp."""
    best: dict[tuple[str, int, int], DemoScore] = {}
    for score in scores:
        if not score.passed:
            score.status, score.pp = 0, 0.0
            continue
        score.status = 1
        key = (score.player.name, score.beatmap.id, score.mode)
        if key not in best or score.pp > best[key].pp:
            best[key] = score
    for score in best.values():
        score.status = 2


def player_stats(scores: list[DemoScore]) -> dict[tuple[str, int], dict[str, Any]]:
    """(player name, mode) -> the `stats` columns their scores add up to."""
    grouped: dict[tuple[str, int], list[DemoScore]] = defaultdict(list)
    for score in scores:
        grouped[(score.player.name, score.mode)].append(score)
    result: dict[tuple[str, int], dict[str, Any]] = {}
    for key, group in grouped.items():
        values: dict[str, Any] = {column: 0 for column in GRADE_COLUMNS.values()}
        values["plays"] = len(group)
        values["playtime"] = sum(s.time_elapsed // 1000 for s in group)
        values["tscore"] = sum(s.score for s in group)
        values["total_hits"] = sum(_hit_total(s) for s in group)
        values["max_combo"] = max(
            (s.max_combo for s in group if s.passed and s.beatmap.status in LEADERBOARD_STATUSES), default=0
        )
        ranked_best = [s for s in group if s.status == 2 and s.beatmap.status in RANKED_PP_STATUSES]
        values["rscore"] = sum(s.score for s in ranked_best)
        for score in ranked_best:
            if score.grade in GRADE_COLUMNS:
                values[GRADE_COLUMNS[score.grade]] += 1
        pp, acc = stats_math.weighted_stats((s.pp, s.acc) for s in ranked_best)
        values["pp"], values["acc"] = pp, round(acc, 3)
        result[key] = values
    return result


def _hit_total(score: DemoScore) -> int:
    h = score.hits
    total = h.n300 + h.n100 + h.n50
    return total + h.ngeki + h.nkatu if score.mode % 4 in (1, 3) else total


def map_counts(scores: list[DemoScore]) -> dict[int, tuple[int, int]]:
    """map id -> (plays, passes) added by unrestricted players' scores."""
    counts: dict[int, tuple[int, int]] = {}
    for score in scores:
        if is_restricted(score.player.priv):
            continue
        plays, passes = counts.get(score.beatmap.id, (0, 0))
        counts[score.beatmap.id] = (plays + 1, passes + int(score.passed))
    return counts

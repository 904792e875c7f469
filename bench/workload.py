"""The measured endpoints: the request paths of each (drawn from the generated data) and its targets.

Each endpoint has two lists of request paths, and every request picks one of them at random, half and
half: hot = built from the most active players, the most played maps, the best scores on them, the biggest
clans, the first leaderboard page (a few hundred paths, repeated all the time: cache hits); cold = built
from the whole population (up to 50,000 random players with scores, played maps, score ids, clans,
leaderboard pages), so a cold request seldom repeats within a run (mostly cache misses).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

Sample = dict[str, Any]
Tier = Literal["light", "heavy", "none"]

LIGHT_RATIO = 0.25
HEAVY_RATIO = 0.10
HEAVY_MIN_RPS = 3000.0
P99_MAX_MS = 20.0
GROWTH_MAX = 1.5
SCALING_MIN = 1.6
HOT_SHARE = 0.5
HOT_PATHS = 200
COLD_PATHS = 50_000
LEADERBOARD_SORTS = (("pp", 70), ("tscore", 10), ("rscore", 8), ("acc", 5), ("plays", 4), ("playtime", 3))
VALID_MODES = (0, 1, 2, 3, 4, 5, 6, 8)


Which = Literal["hot", "cold"]
PathBuilder = Callable[[Sample, random.Random, Which], str]


@dataclass(frozen=True)
class Endpoint:
    key: str
    tier: Tier
    path: PathBuilder
    note: str = ""

    def paths(self, sample: Sample, seed: int = 7) -> tuple[list[str], list[str]]:
        """(hot paths, cold paths): a few hundred from the hot parameters, up to 50,000 from the cold."""
        rng = random.Random(f"{seed}:{self.key}")
        hot = [self.path(sample, rng, "hot") for _ in range(HOT_PATHS)]
        cold = [self.path(sample, rng, "cold") for _ in range(COLD_PATHS)]
        return _unique(hot), _unique(cold)


def _unique(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _player(s: Sample, rng: random.Random, which: Which, name_share: float) -> tuple[str, int]:
    """`id=N` or `name=...` of a hot or cold player, and the mode they play most."""
    user_id, name, mode = rng.choice(s["users"][which])
    who = f"name={quote(name)}" if rng.random() < name_share else f"id={user_id}"
    return who, mode


def _map(s: Sample, rng: random.Random, which: Which, md5_share: float) -> tuple[str, int]:
    map_id, md5, mode = rng.choice(s["maps"][which])
    return (f"md5={md5}" if rng.random() < md5_share else f"id={map_id}"), mode


def player_count(s: Sample, rng: random.Random, which: Which) -> str:
    return "/v1/get_player_count"


def player_info(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/get_player_info?scope=all&{_player(s, rng, which, 0.2)[0]}"


def player_status(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/get_player_status?{_player(s, rng, which, 0.2)[0]}"


def player_scores(scope: str) -> PathBuilder:
    def build(s: Sample, rng: random.Random, which: Which) -> str:
        who, mode = _player(s, rng, which, 0.1)
        return f"/v1/get_player_scores?scope={scope}&{who}&mode={mode}"

    return build


def most_played(s: Sample, rng: random.Random, which: Which) -> str:
    who, mode = _player(s, rng, which, 0.1)
    return f"/v1/get_player_most_played?{who}&mode={mode}"


def map_info(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/get_map_info?{_map(s, rng, which, 0.3)[0]}"


def map_scores(s: Sample, rng: random.Random, which: Which) -> str:
    where, mode = _map(s, rng, which, 0.2)
    return f"/v1/get_map_scores?scope=best&{where}&mode={mode}"


def score_info(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/get_score_info?id={rng.choice(s['scores'][which])}"


def match(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/get_match?id={rng.randrange(64)}"


def leaderboard(s: Sample, rng: random.Random, which: Which) -> str:
    if which == "hot":  # the first page everyone opens
        return "/v1/get_leaderboard?mode=0&sort=pp"
    sort = rng.choices([n for n, _ in LEADERBOARD_SORTS], [w for _, w in LEADERBOARD_SORTS])[0]
    path = f"/v1/get_leaderboard?mode={rng.choice(VALID_MODES)}&sort={sort}&offset={50 * rng.randrange(10)}"
    if rng.random() < 0.2 and s["countries"]:
        path += f"&country={rng.choice(s['countries'])}"
    return path


def search(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/search_players?q={quote(rng.choice(s['search'][which]))}"


def clan(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/get_clan?id={rng.choice(s['clans'][which])}"


def mappool(s: Sample, rng: random.Random, which: Which) -> str:
    return f"/v1/get_mappool?id={rng.choice(s['pools'])}"


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("get_player_count", "light", player_count),
    Endpoint("get_player_info", "heavy", player_info, "scope=all (info + stats + ranks)"),
    Endpoint(
        "get_player_status", "light", player_status, "offline path: no live state without a bancho login"
    ),
    Endpoint("get_player_scores:best", "heavy", player_scores("best")),
    Endpoint("get_player_scores:recent", "heavy", player_scores("recent")),
    Endpoint("get_player_most_played", "heavy", most_played),
    Endpoint("get_map_info", "light", map_info),
    Endpoint("get_map_scores", "heavy", map_scores, "scope=best"),
    Endpoint("get_score_info", "light", score_info),
    Endpoint("get_match", "light", match, "404 path: no live matches without the bancho protocol"),
    Endpoint("get_leaderboard", "heavy", leaderboard),
    Endpoint("search_players", "heavy", search),
    Endpoint("get_clan", "none", clan),
    Endpoint("get_mappool", "none", mappool),
)
BY_KEY = {e.key: e for e in ENDPOINTS}


def select(keys: list[str] | None) -> list[Endpoint]:
    """Endpoints by key; a bare name (`get_player_scores`) selects all of its variants."""
    if not keys:
        return list(ENDPOINTS)
    chosen = [e for e in ENDPOINTS if e.key in keys or e.key.split(":")[0] in keys]
    unknown = [k for k in keys if not any(e.key == k or e.key.split(":")[0] == k for e in ENDPOINTS)]
    if unknown:
        raise ValueError(f"unknown endpoint(s) {', '.join(unknown)}; known: {', '.join(BY_KEY)}")
    return chosen

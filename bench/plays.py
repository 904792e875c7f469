"""Scores played on a `World`, streamed in chunks, and what they leave behind: stats, map play counts and
the sample of hot and cold parameters the load uses.

Players play in sessions: one player, one map, one mode and one mod combination, retried a few times
(about 5 attempts on average). Roughly 60% of attempts fail (status 0); the best pass of a
(player, map, mode) is BEST (2), the other passes SUBMITTED (1). Vanilla modes rank by score, relax and
autopilot by pp, as bancho.py does. Score ids grow with play time over two years.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from world import DAY, EPOCH, MAIN_MODES, VALID_MODES, World, weighted

Row = tuple[Any, ...]

SCORE_COLUMNS = (
    "id", "map_md5", "score", "pp", "acc", "max_combo", "mods", "n300", "n100", "n50", "nmiss", "ngeki",
    "nkatu", "grade", "status", "mode", "play_time", "time_elapsed", "client_flags", "userid", "perfect",
    "online_checksum",
)  # fmt: skip
STATUS_COLUMN = SCORE_COLUMNS.index("status")

VANILLA_MODS = (
    (0, 40), (8, 15), (16, 8), (24, 6), (64, 8), (72, 8), (576, 3), (584, 3), (1, 3), (2, 1), (1024, 1),
    (1032, 1), (256, 1), (80, 1), (88, 1),
)  # fmt: skip
RELAX_MODS = ((128, 40), (136, 20), (144, 10), (152, 8), (192, 10), (200, 10), (704, 2))
AUTOPILOT_MODS = ((8192, 50), (8200, 20), (8256, 15), (8264, 10), (8208, 5))
INT32_MAX = 2_147_483_647
RANKED_PP = (2, 3)  # map statuses that give pp (ranked, approved)


def mods_for(mode: int) -> tuple[tuple[int, int], ...]:
    if mode == 8:
        return AUTOPILOT_MODS
    return RELAX_MODS if mode >= 4 else VANILLA_MODS


def grade_of(n300: int, n50: int, nmiss: int, total: int, mods: int) -> str:
    """bancho.py's grade rules on the hit counts."""
    r300, r50 = n300 / total, n50 / total
    hidden = mods & (8 | 1024)
    if r300 == 1:
        return "XH" if hidden else "X"
    if r300 > 0.9 and r50 <= 0.01 and nmiss == 0:
        return "SH" if hidden else "S"
    if (r300 > 0.8 and nmiss == 0) or r300 > 0.9:
        return "A"
    if (r300 > 0.7 and nmiss == 0) or r300 > 0.8:
        return "B"
    return "C" if r300 > 0.6 else "D"


class Plays:
    def __init__(self, world: World) -> None:
        self.w = world
        n_users, n_maps = len(world.u_id), len(world.m_id)
        self.map_plays = [0] * n_maps
        self.map_passes = [0] * n_maps
        self.first_play = [0] * n_users
        self.last_play = [0] * n_users
        #: user index * 16 + mode -> [plays, playtime s, total score, max combo, total hits]
        self.agg: dict[int, list[int]] = {}
        #: user index * 16 + mode -> (pp, acc, score, grade, map status) of each BEST score
        self.bests: dict[int, list[tuple[float, float, int, str, int]]] = {}
        self.map_mode_plays: dict[int, int] = {}  # map index * 16 + mode -> plays
        self.best_ids: dict[int, list[int]] = {}  # map index -> the first BEST score ids on it

    # --- scores ----------------------------------------------------------------------------------------
    def chunks(self, size: int) -> Iterator[list[Row]]:
        w, rng = self.w, self.w.rng
        total, n_maps = w.sizes.scores, len(w.m_id)
        start, span = w.now_ts - 730 * DAY, 730 * DAY - 3600
        seen: set[int] = set()
        chunk: list[Row] = []
        sid = 0
        while sid < total:
            u = w.active.draw(rng)
            mode = w.u_main_mode[u] if rng.random() < 0.85 else weighted(rng, MAIN_MODES)
            for _ in range(5):
                m = w.map_for(mode)
                key = (u * n_maps + m) * 16 + mode
                if key not in seen:
                    break
            fresh = key not in seen
            seen.add(key)
            mods = weighted(rng, mods_for(mode))
            attempts = min(total - sid, 1 + int(rng.expovariate(1 / 4.5)))
            when = min(w.now_ts - 60, start + span * sid / total + rng.uniform(-3, 3) * DAY)
            p_pass = 0.2 + 0.25 * w.u_skill[u]
            session: list[list[Any]] = []
            for _ in range(attempts):
                sid += 1
                row = self._play(sid, u, m, mode, mods, rng.random() < p_pass, when)
                when += row[17] / 1000 + rng.uniform(10, 60)
                session.append(row)
            passes = [r for r in session if r[STATUS_COLUMN] == 1]
            if fresh and passes:
                metric = 3 if mode >= 4 else 2  # pp or score
                max(passes, key=lambda r: (r[metric], -r[0]))[STATUS_COLUMN] = 2
            for row in session:
                self._count(row, u, m, mode)
                chunk.append(tuple(row))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _play(self, sid: int, u: int, m: int, mode: int, mods: int, passed: bool, when: float) -> list[Any]:
        w, rng = self.w, self.w.rng
        skill, map_combo = w.u_skill[u], w.m_combo[m]
        frac = 1.0 if passed else rng.uniform(0.05, 0.9)
        hits = max(1, int(map_combo * 0.75 * frac))
        err = 1.0 - skill
        nmiss = int(hits * err * rng.random() * 0.12) + (0 if passed else 1 + int(hits * 0.03))
        n100 = int(hits * err * rng.random() * 0.6)
        n50 = int(hits * err * rng.random() * 0.08)
        nmiss = min(nmiss, hits)
        n100 = min(n100, hits - nmiss)
        n50 = min(n50, hits - nmiss - n100)
        n300 = hits - nmiss - n100 - n50
        acc = round(100 * (300 * n300 + 100 * n100 + 50 * n50) / (300 * hits), 3)
        if passed and nmiss == 0 and rng.random() < 0.6:
            combo = map_combo
        else:
            combo = max(1, int(map_combo * frac * rng.uniform(0.15, 0.95)))
        stars = w.m_diff[m] * (1.4 if mods & 64 else 1) * (1.08 if mods & 16 else 1)
        stars *= 0.5 if mods & 2 else (0.75 if mods & 256 else 1)
        pp = 2.2 * stars**2.8 * (acc / 100) ** 12 * 0.97**nmiss * (combo / map_combo) ** 0.5
        pp *= (1.04 if mods & 8 else 1) * (1.12 if mods & 1024 else 1) * (0.9 if mods & 1 else 1)
        pp *= 1.3 if mode in (4, 5, 6) else (0.95 if mode == 8 else (0.7 if mode % 4 else 1))
        pp = min(9999.999, round(pp * (1 if passed else frac * 0.5), 3))
        multiplier = (1.06 if mods & 8 else 1) * (1.12 if mods & 80 else 1) * (0.5 if mods & 3 else 1)
        if mode % 4 == 3:
            base = 1_000_000 * (acc / 100) ** 2 * frac
        else:
            base = map_combo * combo * 9 * (acc / 100) * frac + 300 * hits
        score = min(INT32_MAX, int(base * multiplier * rng.uniform(0.97, 1.03)))
        elapsed = int(w.m_length[m] * 1000 * frac / (1.5 if mods & 64 else 1))
        grade = grade_of(n300, n50, nmiss, hits, mods) if passed else "F"
        return [
            sid, w.m_md5[m], score, pp, acc, combo, mods, n300, n100, n50, nmiss, int(n300 * 0.25),
            int(n100 * 0.3), grade, 1 if passed else 0, mode, EPOCH + timedelta(seconds=int(when)), elapsed,
            0, w.u_id[u], int(combo == map_combo and nmiss == 0), _checksum(w.seed, sid),
        ]  # fmt: skip

    def _count(self, row: list[Any], u: int, m: int, mode: int) -> None:
        status, when = row[STATUS_COLUMN], int((row[16] - EPOCH).total_seconds())
        self.map_plays[m] += 1
        self.map_passes[m] += status != 0
        if not self.first_play[u]:
            self.first_play[u] = when
        self.last_play[u] = when
        key = u * 16 + mode
        agg = self.agg.get(key)
        if agg is None:
            agg = self.agg[key] = [0, 0, 0, 0, 0]
        agg[0] += 1
        agg[1] += row[17] // 1000
        agg[2] += row[2]
        agg[3] = max(agg[3], row[5])
        agg[4] += row[7] + row[8] + row[9]
        mm = m * 16 + mode
        self.map_mode_plays[mm] = self.map_mode_plays.get(mm, 0) + 1
        if status == 2:
            self.bests.setdefault(key, []).append((row[3], row[4], row[2], row[13], self.w.m_status[m]))
            ids = self.best_ids.setdefault(m, [])
            if len(ids) < 5:
                ids.append(row[0])

    # --- what the scores leave behind ------------------------------------------------------------------
    def stats_rows(self) -> Iterator[Row]:
        """One `stats` row per player and valid mode, consistent with the player's scores."""
        rng = self.w.rng
        for u, user_id in enumerate(self.w.u_id):
            for mode in VALID_MODES:
                key = u * 16 + mode
                agg = self.agg.get(key)
                if agg is None:
                    yield (user_id, mode, 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0)
                    continue
                bests = self.bests.get(key, [])
                ranked = sorted((b for b in bests if b[4] in RANKED_PP), reverse=True)
                top = ranked[:100]
                weights = [0.95**i for i in range(len(top))]
                pp = sum(b[0] * wt for b, wt in zip(top, weights, strict=True))
                pp += 416.6667 * (1 - 0.9994 ** len(ranked)) if ranked else 0
                acc = (
                    sum(b[1] * wt for b, wt in zip(top, weights, strict=True)) / sum(weights) if top else 0.0
                )
                grades = [b[3] for b in bests]
                yield (
                    user_id, mode, agg[2], sum(b[2] for b in ranked), int(pp), agg[0], agg[1],
                    round(acc, 3), agg[3], agg[4], rng.randrange(0, 50) if agg[0] > 50 else 0,
                    grades.count("XH"), grades.count("X"), grades.count("SH"), grades.count("S"),
                    grades.count("A"),
                )  # fmt: skip

    def sample(self, hot: int = 20, cold: int = 50_000) -> dict[str, Any]:
        """Hot (the most active players, most played maps, ...) and cold (up to `cold` random ones from
        the whole population: the long tail) parameters for the load."""
        w, rng = self.w, self.w.rng
        plays_by_user: dict[int, list[int]] = {}
        for key, agg in self.agg.items():
            plays_by_user.setdefault(key // 16, [0] * 16)[key % 16] += agg[0]

        def player(u: int) -> list[Any]:
            modes = plays_by_user[u]
            return [w.u_id[u], w.u_name[u], max(range(16), key=modes.__getitem__)]

        unrestricted = [u for u in plays_by_user if w.u_priv[u] & 1]
        by_activity = sorted(unrestricted, key=lambda u: -sum(plays_by_user[u]))
        played = sorted(plays_by_user)
        map_modes: dict[int, list[int]] = {}
        for mm, count in self.map_mode_plays.items():
            map_modes.setdefault(mm // 16, [0] * 16)[mm % 16] += count

        def beatmap(m: int) -> list[Any]:
            modes = map_modes[m]
            return [w.m_id[m], w.m_md5[m], max(range(16), key=modes.__getitem__)]

        popular = sorted(map_modes, key=lambda m: -sum(map_modes[m]))
        clan_sizes: dict[int, int] = {}
        for clan in w.u_clan:
            if clan:
                clan_sizes[clan] = clan_sizes.get(clan, 0) + 1
        hot_maps = popular[:hot]
        names = [w.u_name[u] for u in by_activity[:hot]]
        cold_users = rng.sample(played, min(cold, len(played)))
        by_country: dict[str, int] = {}
        for country in w.u_country:
            by_country[country] = by_country.get(country, 0) + 1
        return {
            "users": {
                "hot": [player(u) for u in by_activity[:hot]],
                "cold": [player(u) for u in cold_users],
            },
            "maps": {
                "hot": [beatmap(m) for m in hot_maps],
                "cold": [beatmap(m) for m in rng.sample(popular, min(cold, len(popular)))],
            },
            "scores": {
                "hot": [sid for m in hot_maps for sid in self.best_ids.get(m, [])],
                "cold": sorted(rng.sample(range(1, w.sizes.scores + 1), min(cold, w.sizes.scores))),
            },
            "clans": {
                "hot": sorted(clan_sizes, key=lambda c: -clan_sizes[c])[:10],
                "cold": rng.sample(w.c_id, min(cold, len(w.c_id))),
            },
            "pools": list(range(1, max(2, w.sizes.clans // 50) + 1)),
            "countries": sorted(by_country, key=lambda c: -by_country[c])[:10],
            "search": {
                "hot": sorted({n[:2] for n in names if len(n) >= 2}),
                "cold": [_fragment(rng, w.u_name[u]) for u in cold_users],
            },
        }


def _fragment(rng: Any, name: str) -> str:
    """Part of a name, as someone would type it into a search box (3-5 characters)."""
    length = min(len(name), rng.randint(3, 5))
    start = rng.randrange(0, len(name) - length + 1)
    return name[start : start + length]


def _checksum(seed: int, score_id: int) -> str:
    return hashlib.md5(f"{seed}:score:{score_id}".encode()).hexdigest()

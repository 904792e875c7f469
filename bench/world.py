"""The entities of a synthetic osu! server: players, beatmaps, clans (columns kept as parallel lists).

Skew, as on a real server: a few countries hold most players, player activity and map popularity follow
power laws (a handful of maps get thousands of scores, most players have a few or none), most maps are
osu!standard and ranked. Everything is drawn from one `random.Random(seed)`, so a seed gives one dataset.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

VALID_MODES = (0, 1, 2, 3, 4, 5, 6, 8)
FIRST_USER_ID = 3  # 1 is the bot, 2 is reserved (hitcircle's bootstrap)
DAY = 86_400
EPOCH = datetime(1970, 1, 1)  # naive UTC, like the database columns

# fmt: off
COUNTRIES = (
    "us", "jp", "de", "ru", "pl", "br", "kr", "gb", "fr", "ca", "cn", "tw", "id", "ph", "au", "cl", "ar",
    "mx", "es", "it", "nl", "se", "fi", "ua", "th", "vn", "my", "sg", "hk", "tr", "no", "dk", "cz", "at",
    "be", "ch", "pt", "hu", "ro", "lt", "lv", "ee", "by", "kz", "nz", "za", "pe", "co", "ve", "il",
)
SYLLABLES = (
    "ka", "ri", "mo", "to", "shi", "na", "ve", "lo", "ra", "zen", "kyo", "mi", "sa", "ku", "ne", "ha", "ru",
    "fox", "neo", "sky", "ice", "ray", "kai", "lun", "ar", "el", "vo", "ix", "yu", "ki", "ta", "no", "de",
)
WORDS = (
    "Night", "Sky", "Blue", "Heart", "Dream", "Fire", "Star", "Light", "Rain", "Moon", "Road", "World",
    "Time", "Love", "Snow", "Storm", "Ghost", "Glass", "River", "Echo", "Zero", "Color", "Future", "Rose",
)
ARTISTS = (
    "xi", "Camellia", "DragonForce", "Aitsuki Nakuru", "LeaF", "Yooh", "t+pazolite", "nekodex", "Kano",
    "ClariS", "Silentroom", "YOASOBI", "Reol", "S3RL", "Panda Eyes", "Frums", "Sakuzyo", "BlackY", "DECO*27",
)
VERSIONS = ("Easy", "Normal", "Hard", "Insane", "Extra", "Expert", "Extreme")
MAPPERS = (
    "Sotarks", "Monstrata", "Nevo", "pishifat", "Shiirn", "Akitoshi", "ktgster", "Log Off Now", "Kroytz",
)
# fmt: on

SET_MODES = ((0, 72), (1, 9), (2, 7), (3, 12))  # beatmap mode of a set, weight
SET_STATUSES = ((2, 70), (3, 3), (4, 2), (5, 10), (0, 15))  # ranked, approved, qualified, loved, pending
MAIN_MODES = ((0, 70), (4, 10), (8, 2), (1, 5), (5, 1), (2, 4), (6, 1), (3, 7))  # a player's main mode
RESTRICTED_SHARE = 0.02
SUPPORTER_SHARE = 0.05
CLAN_MEMBER_SHARE = 0.08


def weighted(rng: random.Random, pairs: tuple[tuple[int, int], ...]) -> int:
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


@dataclass
class Picker:
    """Draws indices with fixed weights in O(log n)."""

    indices: list[int]
    cumulative: list[float]

    @classmethod
    def build(cls, indices: list[int], weights: list[float]) -> Picker:
        return cls(indices, list(accumulate(weights)))

    def __bool__(self) -> bool:
        return bool(self.indices)

    def draw(self, rng: random.Random) -> int:
        return self.indices[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Sizes:
    users: int
    scores: int
    maps: int
    clans: int

    @classmethod
    def scaled(
        cls, scores: int, users: int | None = None, maps: int | None = None, clans: int | None = None
    ) -> Sizes:
        """Sizes in the default proportions (100k users : 1M scores : 20k maps : 1k clans)."""
        return cls(
            users=users if users is not None else max(20, scores // 10),
            scores=scores,
            maps=maps if maps is not None else max(20, scores // 50),
            clans=clans if clans is not None else max(1, scores // 1000),
        )


class World:
    """Players, beatmaps and clans; scores are played on it by `plays.Plays`."""

    def __init__(self, sizes: Sizes, seed: int, now: datetime) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.seed = seed
        self.now = now.replace(microsecond=0)
        self.now_ts = int((self.now - EPOCH).total_seconds())
        self._make_users()
        self._make_clans()
        self._make_maps()

    # --- players ---------------------------------------------------------------------------------------
    def _make_users(self) -> None:
        rng, n = self.rng, self.sizes.users
        country_weights = [1 / (i + 1) ** 1.1 for i in range(len(COUNTRIES))]
        self.u_id = list(range(FIRST_USER_ID, FIRST_USER_ID + n))
        self.u_name: list[str] = []
        self.u_country = rng.choices(COUNTRIES, country_weights, k=n)
        self.u_priv: list[int] = []
        self.u_main_mode = [weighted(rng, MAIN_MODES) for _ in range(n)]
        self.u_created = [self.now_ts - rng.randrange(30 * DAY, 3 * 365 * DAY) for _ in range(n)]
        ranks = list(range(n))
        rng.shuffle(ranks)  # activity rank 0 = the most active player
        self.u_rank = ranks
        self.u_skill = [min(0.995, max(0.55, rng.gauss(0.84, 0.06) + 0.1 * (1 - r / n) ** 4)) for r in ranks]
        self.active = Picker.build(list(range(n)), [(r + 1) ** -0.8 for r in ranks])
        taken: set[str] = set()
        for i in range(n):
            self.u_name.append(self._unique_name(i, taken))
            roll = rng.random()
            if roll < RESTRICTED_SHARE:
                self.u_priv.append(2)  # verified, not unrestricted
            elif roll < RESTRICTED_SHARE + SUPPORTER_SHARE:
                self.u_priv.append(3 | 16)
            else:
                self.u_priv.append(3)
        self.u_clan = [0] * n
        self.u_clan_priv = [0] * n

    def _unique_name(self, i: int, taken: set[str]) -> str:
        rng = self.rng
        base = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        style = rng.random()
        if style < 0.12:
            base = f"{base} {rng.choice(SYLLABLES).capitalize()}"
        elif style < 0.2:
            base = f"{base}_{rng.randint(0, 99)}"
        elif style < 0.25:
            base = f"[{base}]"
        name = base[:15]
        if name.lower().replace(" ", "_") in taken:
            suffix = str(self.u_id[i])
            name = f"{base[: 15 - len(suffix)]}{suffix}"
        taken.add(name.lower().replace(" ", "_"))
        return name

    # --- clans -----------------------------------------------------------------------------------------
    def _make_clans(self) -> None:
        rng, n_users = self.rng, self.sizes.users
        n = min(self.sizes.clans, n_users // 2)
        self.c_id = list(range(1, n + 1))
        self.c_name = [f"{rng.choice(WORDS)}{rng.choice(SYLLABLES)}{i}"[:16] for i in self.c_id]
        self.c_tag = [f"C{i}" for i in self.c_id]
        self.c_created = [self.now - timedelta(seconds=rng.randrange(DAY, 700 * DAY)) for _ in self.c_id]
        people = rng.sample(range(n_users), min(n_users, n + int(n_users * CLAN_MEMBER_SHARE)))
        self.c_owner = [self.u_id[u] for u in people[:n]]
        for clan, u in enumerate(people[:n]):
            self.u_clan[u], self.u_clan_priv[u] = clan + 1, 3
        if n:
            size_weights = [(k + 1) ** -0.5 for k in range(n)]
            for u in people[n:]:
                clan = rng.choices(self.c_id, size_weights)[0]
                self.u_clan[u] = clan
                self.u_clan_priv[u] = 2 if rng.random() < 0.1 else 1

    # --- beatmaps --------------------------------------------------------------------------------------
    def _make_maps(self) -> None:
        rng, n = self.rng, self.sizes.maps
        self.m_id = sorted(rng.sample(range(75, 5_000_000), n))
        self.m_set: list[int] = []
        self.m_mode: list[int] = []
        self.m_status: list[int] = []
        self.m_version: list[str] = []
        self.m_diff: list[float] = []
        set_ids = iter(sorted(rng.sample(range(1, 2_300_000), n)))
        while len(self.m_set) < n:
            set_id, mode, status = next(set_ids), weighted(rng, SET_MODES), weighted(rng, SET_STATUSES)
            size = min(n - len(self.m_set), rng.choice((1, 1, 2, 3, 3, 4, 5, 6)))
            top = rng.uniform(2.0, 8.5)
            for k in range(size):
                self.m_set.append(set_id)
                self.m_mode.append(mode)
                self.m_status.append(status)
                self.m_version.append(VERSIONS[min(len(VERSIONS) - 1, k + 7 - size)])
                self.m_diff.append(round(max(0.8, top - (size - 1 - k) * rng.uniform(0.6, 1.1)), 3))
        self.m_md5 = [_md5(f"{self.seed}:map:{map_id}") for map_id in self.m_id]
        self.m_length = [rng.randint(45, 420) for _ in range(n)]
        self.m_combo = [max(20, int(length * rng.uniform(1.2, 4.0))) for length in self.m_length]
        self.m_artist = [rng.choice(ARTISTS) for _ in range(n)]
        self.m_title = [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(n)]
        self.m_creator = [rng.choice(MAPPERS) for _ in range(n)]
        self.m_updated = [self.now - timedelta(seconds=rng.randrange(DAY, 12 * 365 * DAY)) for _ in range(n)]
        ranks = list(range(n))
        rng.shuffle(ranks)
        weights = [(r + 10) ** -1.0 * (0.1 if self.m_status[i] == 0 else 1.0) for i, r in enumerate(ranks)]
        self.pickers = {
            mode: Picker.build(idx, [weights[i] for i in idx])
            for mode in (0, 1, 2, 3)
            for idx in [[i for i in range(n) if self.m_mode[i] == mode]]
        }
        self.any_map = Picker.build(list(range(n)), weights)

    def map_for(self, mode: int) -> int:
        """A beatmap to play in `mode`: its own mode's maps, sometimes an osu!standard convert."""
        rng, vanilla = self.rng, mode % 4
        own = self.pickers[vanilla]
        if vanilla != 0 and own and rng.random() < 0.8:
            return own.draw(self.rng)
        std = self.pickers[0]
        return std.draw(rng) if std else self.any_map.draw(rng)

    def map_rows(self, plays: list[int], passes: list[int]) -> list[tuple[object, ...]]:
        rng = self.rng
        rows: list[tuple[object, ...]] = []
        for i, map_id in enumerate(self.m_id):
            length, diff = self.m_length[i], self.m_diff[i]
            filename = (
                f"{self.m_artist[i]} - {self.m_title[i]} ({self.m_creator[i]}) [{self.m_version[i]}].osu"
            )
            rows.append(
                (
                    "osu!", map_id, self.m_set[i], self.m_status[i], self.m_md5[i], self.m_artist[i],
                    self.m_title[i], self.m_version[i], self.m_creator[i], filename, self.m_updated[i],
                    length, self.m_combo[i], 0, plays[i], passes[i], self.m_mode[i],
                    round(rng.uniform(90, 250), 2), round(min(10, 2 + diff * 0.5), 2),
                    round(min(10, 5 + diff * 0.6), 2), round(min(10, 4 + diff * 0.6), 2),
                    round(min(10, 3 + diff * 0.5), 2), diff,
                )
            )  # fmt: skip
        return rows

    def mapset_rows(self) -> list[tuple[object, ...]]:
        sets = sorted(set(self.m_set))
        return [("osu!", s, self.now - timedelta(seconds=self.rng.randrange(60, 6 * 3600))) for s in sets]

    # --- players' rows ---------------------------------------------------------------------------------
    def user_rows(self, first_play: list[int], last_play: list[int]) -> list[tuple[object, ...]]:
        rng = self.rng
        rows: list[tuple[object, ...]] = []
        pw = "$2b$12$" + "b" * 53
        for i, user_id in enumerate(self.u_id):
            created = min(self.u_created[i], first_play[i] - DAY) if first_play[i] else self.u_created[i]
            latest = last_play[i] if last_play[i] else created + rng.randrange(0, 3 * DAY)
            supporter = self.u_priv[i] & 16
            page = f"Hi, I'm {self.u_name[i]}! " * rng.randint(1, 8) if rng.random() < 0.1 else None
            rows.append(
                (
                    user_id, self.u_name[i], self.u_name[i].lower().replace(" ", "_"),
                    f"u{user_id}@bench.invalid", self.u_priv[i], pw, self.u_country[i], 0,
                    self.now_ts + 30 * DAY if supporter else 0, created, latest, self.u_clan[i],
                    self.u_clan_priv[i], self.u_main_mode[i], rng.choice((0, 1, 2, 3)),
                    "Supporter" if supporter and rng.random() < 0.3 else None,
                    "heart" if supporter and rng.random() < 0.3 else None, page, None,
                )
            )  # fmt: skip
        return rows

    def clan_rows(self) -> list[tuple[object, ...]]:
        return list(zip(self.c_id, self.c_name, self.c_tag, self.c_owner, self.c_created, strict=True))

    def pool_rows(self) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        """A few tournament pools of ranked osu!standard maps (NM1-4, HD1-2, HR1-2, DT1-3, FM1-2)."""
        rng = self.rng
        ranked_std = [i for i in range(len(self.m_id)) if self.m_mode[i] == 0 and self.m_status[i] == 2]
        creators = self.c_owner or self.u_id
        pools: list[tuple[object, ...]] = []
        entries: list[tuple[object, ...]] = []
        slots = [(0, s) for s in range(1, 5)] + [(8, 1), (8, 2), (16, 1), (16, 2)]
        slots += [(64, 1), (64, 2), (64, 3), (1, 1), (1, 2)]
        for pool_id in range(1, max(2, self.sizes.clans // 50) + 1):
            when = self.now - timedelta(seconds=rng.randrange(DAY, 400 * DAY))
            pools.append((pool_id, f"BWC{2024 + pool_id % 3} R{pool_id}", when, rng.choice(creators)))
            chosen = rng.sample(ranked_std, min(len(slots), len(ranked_std)))
            entries += [
                (self.m_id[m], pool_id, mods, slot) for m, (mods, slot) in zip(chosen, slots, strict=False)
            ]
        return pools, entries

    def relationship_rows(self) -> list[tuple[object, ...]]:
        """About two friends (or blocks) per player, mostly of active players."""
        rng, n = self.rng, self.sizes.users
        pairs: set[tuple[int, int]] = set()
        for _ in range(n * 2):
            a, b = self.active.draw(rng), self.active.draw(rng)
            if a != b:
                pairs.add((self.u_id[a], self.u_id[b]))
        return [(a, b, "block" if rng.random() < 0.05 else "friend") for a, b in sorted(pairs)]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()

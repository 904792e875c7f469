"""What the demo data set contains: players, beatmaps, clans, a map pool, relationships, live state.

Everything is described here as constants; `demo.scores` generates the scores from them and
`demo.load` writes them. The players are recognised by name (the marker of an existing demo).

The beatmaps are the project's test files. `315.osu` (FAIRY FORE - Vivid [Insane]) is a v3 file without
`BeatmapID`/`BeatmapSetID`; the demo's copy has those two lines added (map 315, set 141) so the map has its
osu! id rather than a private one — its md5 therefore differs from the test data's copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hitcircle.constants.beatmaps import RankedStatus
from hitcircle.constants.privileges import NORMAL_PLAYER, Privileges

FILES = Path(__file__).resolve().parent / "files"
BEATMAP_FILES = FILES / "beatmaps"
REPLAY_FILES = FILES / "replays"

#: every demo account's password
DEMO_PASSWORD = "demo-password"
EMAIL_DOMAIN = "demo.example.com"
ADMIN_PRIV = NORMAL_PLAYER | int(Privileges.STAFF)  # 28675: moderator, administrator, developer
RESTRICTED_PRIV = int(Privileges.VERIFIED)  # 2: verified, not unrestricted


@dataclass(frozen=True, slots=True)
class DemoPlayer:
    name: str
    country: str
    priv: int
    skill: float  # 0-1: how cleanly they play (accuracy, misses)
    modes: tuple[int, ...]  # the modes they have scores in
    utc_offset: int  # hours, shown when online

    @property
    def email(self) -> str:
        return f"{self.name.lower()}@{EMAIL_DOMAIN}"


#: The first player owns the demo API key. Every valid mode has at least three unrestricted players.
PLAYERS: tuple[DemoPlayer, ...] = (
    DemoPlayer("Maple", "ca", NORMAL_PLAYER, 0.93, (0, 1, 4, 8), -5),
    DemoPlayer("Kestrel", "de", ADMIN_PRIV, 0.90, (0, 3, 4), 1),
    DemoPlayer("Hoshino", "jp", NORMAL_PLAYER, 0.97, (0, 1, 2, 3, 4, 5, 8), 9),
    DemoPlayer("Riley", "us", NORMAL_PLAYER, 0.86, (0, 2, 6, 8), -8),
    DemoPlayer("Beatriz", "br", NORMAL_PLAYER, 0.89, (0, 1, 3, 5), -3),
    DemoPlayer("Minseo", "kr", NORMAL_PLAYER, 0.95, (0, 2, 3, 6), 9),
    DemoPlayer("Linnea", "se", NORMAL_PLAYER, 0.82, (0, 1, 2, 3, 4, 5, 6, 8), 1),
    DemoPlayer("Camille", "fr", RESTRICTED_PRIV, 0.92, (0, 4), 1),
)
KEY_OWNER = PLAYERS[0].name


@dataclass(frozen=True, slots=True)
class DemoMap:
    id: int
    status: RankedStatus

    @property
    def path(self) -> Path:
        return BEATMAP_FILES / f"{self.id}.osu"


MAPS: tuple[DemoMap, ...] = (
    DemoMap(315, RankedStatus.RANKED),  # osu!, 5.18 stars
    DemoMap(2785319, RankedStatus.LOVED),  # osu!, 5.74 stars
    DemoMap(1028484, RankedStatus.RANKED),  # taiko
    DemoMap(2118524, RankedStatus.RANKED),  # catch
    DemoMap(1638954, RankedStatus.RANKED),  # mania
)

_STD = (315, 2785319)
#: mode -> the maps its scores are set on (relax and autopilot on the maps of their vanilla mode)
MODE_MAPS: dict[int, tuple[int, ...]] = {
    0: _STD,
    1: (1028484,),
    2: (2118524,),
    3: (1638954,),
    4: _STD,
    5: (1028484,),
    6: (2118524,),
    8: _STD,
}
RELAX, AUTOPILOT = 128, 8192
#: mode -> mod combinations its scores are drawn from (0 twice: nomod is the most common)
MODE_MODS: dict[int, tuple[int, ...]] = {
    0: (0, 0, 8, 16, 24, 64, 72),  # NM, HD, HR, HDHR, DT, HDDT
    1: (0, 0, 8, 16, 64),
    2: (0, 0, 8, 16, 64),
    3: (0, 0, 64, 1_048_576),  # NM, DT, FI
    4: tuple(RELAX | m for m in (0, 0, 8, 64, 72)),
    5: tuple(RELAX | m for m in (0, 8, 64)),
    6: tuple(RELAX | m for m in (0, 8, 16)),
    8: tuple(AUTOPILOT | m for m in (0, 0, 8, 16)),
}
#: vanilla mode -> the replay whose frames the mode's passed scores get
REPLAY_OF_MODE = {0: "std", 1: "taiko", 2: "ctb", 3: "mania"}


@dataclass(frozen=True, slots=True)
class DemoClan:
    name: str
    tag: str
    owner: str
    officers: tuple[str, ...]
    members: tuple[str, ...]
    age_days: int


CLANS: tuple[DemoClan, ...] = (
    DemoClan("Hit Circles", "HC", "Maple", ("Hoshino",), ("Riley", "Linnea"), 200),
    DemoClan("Slider Break", "SB", "Kestrel", (), ("Minseo", "Beatriz"), 120),
)

POOL_NAME = "Demo Cup Pool"
POOL_CREATOR = "Kestrel"
#: (map id, mods, slot): NM1, HD1, HR1, DT1
POOL_MAPS: tuple[tuple[int, int, int], ...] = (
    (2785319, 0, 1),
    (315, 8, 1),
    (2118524, 16, 1),
    (1028484, 64, 1),
)

#: (user1, user2, type): the key owner's friends and one block, and a few friendships back
RELATIONSHIPS: tuple[tuple[str, str, str], ...] = (
    ("Maple", "Hoshino", "friend"),
    ("Maple", "Riley", "friend"),
    ("Maple", "Kestrel", "friend"),
    ("Maple", "Beatriz", "friend"),
    ("Maple", "Camille", "block"),
    ("Hoshino", "Maple", "friend"),
    ("Riley", "Maple", "friend"),
    ("Minseo", "Hoshino", "friend"),
)

# --- live state (`hitcircle serve --demo`) -----------------------------------------------------------------
MATCH_NAME = "hitcircle demo lobby"
LIVE_MAP = 315
PLAYING = "Hoshino"  # playing LIVE_MAP with PLAYING_MODS
PLAYING_MODS = 24  # HDHR
IDLE = "Kestrel"  # idle, and the match's referee
MATCH_HOST = "Riley"
MATCH_PLAYERS = ("Riley", "Minseo", "Linnea")  # slots 0-2, multiplaying

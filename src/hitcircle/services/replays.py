"""Complete `.osr` files from a stored replay and its score (bancho-spec §2, decisions "Replays").

The stored file `<DATA_DIR>/osr/<score id>.osr` is what the osu! client uploaded: the LZMA-compressed
frame stream only. `build_osr` wraps it with the header the osu! client and osrparse expect.
"""

from __future__ import annotations

import calendar
import hashlib
import struct
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from hitcircle.binary import clamp, osu_string

#: osu! client version written into headers, as bancho.py does
GAME_VERSION = 20200207
#: .NET ticks at 1970-01-01T00:00:00Z
TICKS_AT_UNIX_EPOCH = 621_355_968_000_000_000
_U16 = 0xFFFF
_I32 = 0x7FFFFFFF


@dataclass(frozen=True, slots=True)
class ReplayHeader:
    username: str
    map_md5: str
    artist: str
    title: str
    version: str
    mode: int
    n300: int
    n100: int
    n50: int
    ngeki: int
    nkatu: int
    nmiss: int
    score: int
    max_combo: int
    perfect: int
    mods: int
    play_time: datetime  # naive, UTC


def replay_hash(h: ReplayHeader) -> str:
    text = (
        f"{h.n100 + h.n300}p{h.n50}o{h.ngeki}o{h.nkatu}t{h.nmiss}a{h.map_md5}r{h.max_combo}e"
        f"{'True' if h.perfect == 1 else 'False'}y{h.username}o{h.score}u0{h.mods}True"
    )
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def dotnet_ticks(moment: datetime) -> int:
    seconds = calendar.timegm(moment.timetuple())
    return seconds * 10_000_000 + moment.microsecond * 10 + TICKS_AT_UNIX_EPOCH


def build_osr(h: ReplayHeader, frames: bytes, score_id: int) -> bytes:
    """Counts and combo beyond 16 bits are clamped to 65535, as the format stores them unsigned."""
    parts = [
        struct.pack("<Bi", h.mode % 4, GAME_VERSION),
        osu_string(h.map_md5),
        osu_string(h.username),
        osu_string(replay_hash(h)),
        struct.pack(
            "<6HiHBi",
            *(clamp(v, 0, _U16) for v in (h.n300, h.n100, h.n50, h.ngeki, h.nkatu, h.nmiss)),
            clamp(h.score, 0, _I32),
            clamp(h.max_combo, 0, _U16),
            1 if h.perfect else 0,
            clamp(h.mods, 0, _I32),
        ),
        osu_string(""),  # life bar graph
        struct.pack("<qi", dotnet_ticks(h.play_time), len(frames)),
        frames,
        struct.pack("<q", score_id),
    ]
    return b"".join(parts)


def _ascii_fallback(text: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in text)


def content_disposition(h: ReplayHeader) -> str:
    """`attachment` with an ASCII `filename` and an RFC 6266 `filename*` for non-Latin names."""
    name = f"{h.username} - {h.artist} - {h.title} [{h.version}] ({h.play_time:%Y-%m-%d}).osr"
    return f"attachment; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"

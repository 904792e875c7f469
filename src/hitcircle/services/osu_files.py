"""Reading local `.osu` beatmap files: identity, metadata, difficulty settings, length, bpm and stars.

Rules (documented because the file format leaves them open):

* `md5` is the MD5 of the file's bytes, exactly as the osu! client computes a map's checksum.
* Metadata comes from `[Metadata]` (`Title`, `Artist`, `Creator`, `Version`, `BeatmapID`,
  `BeatmapSetID`; the last two are 0 when absent, as in files older than format v10).
* `mode` is `[General] Mode` (0 when absent). `ApproachRate` falls back to `OverallDifficulty` for old
  maps that predate a separate AR, as the game does.
* `bpm` is the *most common* BPM, weighted by how long each uninherited timing point lasts up to the end
  of the last hit object (the rule osu!lazer and the website use; for single-BPM maps it is simply the
  first uninherited timing point). Rounded to 2 decimals like the `maps.bpm` column.
* `total_length` is in seconds, rounded half up, from the start of the first hit object to the end of
  the last one, where a slider ends after all its repeats, a spinner and a mania hold note at their end
  time. This is the osu! API's `total_length` ("first note to last note, breaks included"); rounding
  rather than truncating agrees with its 14 s for map 315 (our older file of it spans 13.742 s).
* `max_combo` and `stars` (nomod) come from rosu-pp-py, the same engine that computes pp.
"""

from __future__ import annotations

import hashlib
import math
import re
from bisect import bisect_right
from dataclasses import dataclass

import rosu_pp_py

#: characters bancho.py strips from a map's filename (bancho-spec §7)
_FILENAME_STRIP = re.compile(r'[:\\/*<>?"|]')
_MAX_FILE_BYTES = 32 * 1024 * 1024


class OsuFileError(ValueError):
    """The bytes are not a usable osu! beatmap; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class OsuFile:
    md5: str
    title: str
    artist: str
    creator: str
    version: str
    beatmap_id: int
    beatmapset_id: int
    mode: int
    cs: float
    od: float
    ar: float
    hp: float
    bpm: float
    total_length: int
    max_combo: int
    stars: float

    @property
    def filename(self) -> str:
        return beatmap_filename(self.artist, self.title, self.creator, self.version)


def beatmap_filename(artist: str, title: str, creator: str, version: str) -> str:
    """`{artist} - {title} ({creator}) [{version}].osu` without the characters bancho.py removes."""
    return _FILENAME_STRIP.sub("", f"{artist} - {title} ({creator}) [{version}].osu")


@dataclass(frozen=True, slots=True)
class _TimingPoint:
    time: float
    beat_length: float
    uninherited: bool


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return sections


def _key_values(lines: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if sep:
            values.setdefault(key.strip(), value.strip())
    return values


def _number(values: dict[str, str], key: str, default: float) -> float:
    raw = values.get(key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise OsuFileError(f"{key} is not a number: {raw!r}") from None
    if not math.isfinite(value):
        raise OsuFileError(f"{key} is not a finite number: {raw!r}")
    return value


def _int_or_zero(raw: str | None) -> int:
    try:
        return int(raw) if raw is not None else 0
    except ValueError:
        return 0


def _timing_points(lines: list[str]) -> list[_TimingPoint]:
    points: list[_TimingPoint] = []
    for line in lines:
        fields = line.split(",")
        if len(fields) < 2:
            continue
        try:
            time, beat_length = float(fields[0]), float(fields[1])
        except ValueError:
            continue
        if not (math.isfinite(time) and math.isfinite(beat_length)):
            continue
        flag = fields[6].strip() == "1" if len(fields) > 6 else True
        points.append(_TimingPoint(time, beat_length, flag and beat_length > 0))
    points.sort(key=lambda p: p.time)  # stable: file order decides between points at the same time
    return points


class _Timing:
    """Beat length and slider velocity in effect at a given time."""

    def __init__(self, points: list[_TimingPoint]) -> None:
        uninherited = [p for p in points if p.uninherited]
        beat_length = uninherited[0].beat_length if uninherited else 500.0
        velocity = 1.0
        self._initial = (beat_length, velocity)
        self._times: list[float] = []
        self._states: list[tuple[float, float]] = []
        for point in points:
            if point.uninherited:
                beat_length, velocity = point.beat_length, 1.0
            elif point.beat_length < 0:
                velocity = min(max(100.0 / -point.beat_length, 0.1), 10.0)
            self._times.append(point.time)
            self._states.append((beat_length, velocity))

    def at(self, time: float) -> tuple[float, float]:
        """(beat length of the last uninherited point, slider velocity multiplier)."""
        index = bisect_right(self._times, time)
        return self._states[index - 1] if index else self._initial


def _object_spans(lines: list[str], timing: _Timing, slider_multiplier: float) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    for line in lines:
        fields = line.split(",")
        if len(fields) < 4:
            continue
        try:
            start = float(fields[2])
            kind = int(fields[3])
            end = start
            if kind & 2 and len(fields) > 7:  # slider
                slides, length = int(fields[6]), float(fields[7])
                beat_length, velocity = timing.at(start)
                distance_per_ms = 100.0 * slider_multiplier * velocity / beat_length
                end = start + max(slides, 1) * length / distance_per_ms
            elif kind & 8 and len(fields) > 5:  # spinner
                end = float(fields[5])
            elif kind & 128 and len(fields) > 5:  # mania hold note
                end = float(fields[5].split(":", 1)[0])
        except (ValueError, ZeroDivisionError):
            continue
        if math.isfinite(start) and math.isfinite(end):
            spans.append((start, max(start, end)))
    return spans


def _most_common_bpm(points: list[_TimingPoint], last_time: float) -> float:
    uninherited = [p for p in points if p.uninherited]
    if not uninherited:
        return 0.0
    durations: dict[float, float] = {}
    for index, point in enumerate(uninherited):
        key = round(point.beat_length, 3)
        if point.time > last_time:
            duration = 0.0
        else:
            begin = 0.0 if index == 0 else point.time
            end = last_time if index == len(uninherited) - 1 else uninherited[index + 1].time
            duration = end - begin
        durations[key] = durations.get(key, 0.0) + duration
    # max() keeps the first of equal durations, i.e. the earliest BPM.
    beat_length = max(durations, key=lambda k: durations[k])
    return round(60_000.0 / beat_length, 2)


def parse_osu_file(data: bytes) -> OsuFile:
    """Read a `.osu` file; raises `OsuFileError` when it is not a usable beatmap."""
    if len(data) > _MAX_FILE_BYTES:
        raise OsuFileError("file is too large for a beatmap")
    text = data.decode("utf-8-sig", errors="replace")
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first_line.startswith("osu file format v"):
        raise OsuFileError("not an osu! beatmap (no 'osu file format' header)")
    sections = _sections(text)
    general = _key_values(sections.get("General", []))
    metadata = _key_values(sections.get("Metadata", []))
    difficulty = _key_values(sections.get("Difficulty", []))

    mode = _int_or_zero(general.get("Mode"))
    if mode not in (0, 1, 2, 3):
        raise OsuFileError(f"unknown game mode {general.get('Mode')!r}")
    od = _number(difficulty, "OverallDifficulty", 5.0)
    cs = _number(difficulty, "CircleSize", 5.0)
    ar = _number(difficulty, "ApproachRate", od)
    hp = _number(difficulty, "HPDrainRate", 5.0)
    slider_multiplier = _number(difficulty, "SliderMultiplier", 1.4)
    if slider_multiplier <= 0:
        raise OsuFileError("SliderMultiplier must be positive")

    points = _timing_points(sections.get("TimingPoints", []))
    spans = _object_spans(sections.get("HitObjects", []), _Timing(points), slider_multiplier)
    if not spans:
        raise OsuFileError("the beatmap has no hit objects")
    first_start = min(start for start, _ in spans)
    last_end = max(end for _, end in spans)

    try:
        beatmap = rosu_pp_py.Beatmap(bytes=data)
        attributes = rosu_pp_py.Difficulty().calculate(beatmap)
    except Exception as exc:  # rosu raises its own ParseError and ValueError types
        raise OsuFileError(f"rosu-pp could not read the beatmap: {exc}") from None
    stars = float(attributes.stars)
    if not math.isfinite(stars):
        stars = 0.0

    return OsuFile(
        md5=hashlib.md5(data).hexdigest(),
        title=metadata.get("Title", ""),
        artist=metadata.get("Artist", ""),
        creator=metadata.get("Creator", ""),
        version=metadata.get("Version", ""),
        beatmap_id=max(_int_or_zero(metadata.get("BeatmapID")), 0),
        beatmapset_id=max(_int_or_zero(metadata.get("BeatmapSetID")), 0),
        mode=mode,
        cs=round(cs, 2),
        od=round(od, 2),
        ar=round(ar, 2),
        hp=round(hp, 2),
        bpm=_most_common_bpm(points, last_end),
        total_length=math.floor((last_end - first_start) / 1000 + 0.5),
        max_combo=int(attributes.max_combo),
        stars=stars,
    )

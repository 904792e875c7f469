"""The configured beatmap source: an osu! API v1 `get_beatmaps` endpoint (bancho-spec §7).

* `OSU_API_KEY` alone → `https://old.ppy.sh/api/get_beatmaps?k=KEY`, `.osu` files from
  `https://old.ppy.sh/osu/{id}`.
* `BEATMAP_SOURCE_URL` → that URL (a mirror speaking the same format; `k=` is added only when
  `OSU_API_KEY` is also set), `.osu` files from `<scheme>://<host>/osu/{id}` of that URL.
* Neither → no source: every method returns None at once, without touching the network.

An answer is one of three things, kept apart because callers act differently on them:
`FOUND` (a 200 with a non-empty list of well-formed entries), `MISSING` (a 200 with an empty list, or a
404: the source says there is no such map) and `UNAVAILABLE` (transport errors after 3 attempts, any
other status, a body that is not a JSON list, or any malformed entry: nothing can be concluded).
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from hitcircle.config import Settings
from hitcircle.constants.beatmaps import RankedStatus
from hitcircle.services.osu_files import beatmap_filename

log = logging.getLogger("hitcircle.beatmaps")

OSU_API_URL = "https://old.ppy.sh/api/get_beatmaps"
OSU_FILES_URL = "https://old.ppy.sh/osu/{id}"
ATTEMPTS = 3
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
_MD5 = re.compile(r"[0-9a-f]{32}")


class SourceAnswer(enum.Enum):
    FOUND = "found"
    MISSING = "missing"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class SourceMap:
    """One `get_beatmaps` entry, parsed into `maps` column values."""

    id: int
    set_id: int
    status: RankedStatus
    md5: str
    artist: str
    title: str
    version: str
    creator: str
    filename: str
    last_update: datetime  # naive UTC
    total_length: int
    max_combo: int
    mode: int
    bpm: float
    cs: float
    ar: float
    od: float
    hp: float
    diff: float


@dataclass(frozen=True, slots=True)
class SourceResult:
    answer: SourceAnswer
    maps: tuple[SourceMap, ...] = ()
    reason: str = field(default="", compare=False)

    @property
    def found(self) -> bool:
        return self.answer is SourceAnswer.FOUND

    @property
    def missing(self) -> bool:
        return self.answer is SourceAnswer.MISSING

    @property
    def unavailable(self) -> bool:
        return self.answer is SourceAnswer.UNAVAILABLE


class MalformedEntry(ValueError):
    pass


def _int(value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise MalformedEntry(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float | str):
        try:
            number = float(value)
        except ValueError:
            raise MalformedEntry(f"expected a number, got {value!r}") from None
        if number != number or number in (float("inf"), float("-inf")) or number != int(number):
            raise MalformedEntry(f"expected an integer, got {value!r}")
        return int(number)
    raise MalformedEntry(f"expected a number, got {value!r}")


def _float(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MalformedEntry(f"expected a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise MalformedEntry(f"expected a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise MalformedEntry(f"expected a finite number, got {value!r}")
    return number


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a title such as "1234" may come as a JSON number
    raise MalformedEntry(f"expected text, got {value!r}")


def parse_last_update(value: Any) -> datetime:
    """`YYYY-MM-DD HH:MM:SS` (osu! API v1) or ISO 8601 such as `2014-05-18T08:16:40Z` → naive UTC."""
    if not isinstance(value, str) or not value.strip():
        raise MalformedEntry(f"last_update is not a date: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedEntry(f"last_update is not a date: {value!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=0)


def parse_entry(entry: Any) -> SourceMap:
    if not isinstance(entry, Mapping):
        raise MalformedEntry("entry is not an object")
    for key in ("beatmap_id", "beatmapset_id", "file_md5", "approved", "last_update"):
        if entry.get(key) is None:
            raise MalformedEntry(f"entry has no {key}")
    md5 = _text(entry["file_md5"]).lower()
    if not _MD5.fullmatch(md5):
        raise MalformedEntry(f"file_md5 is not an MD5: {entry['file_md5']!r}")
    map_id, set_id = _int(entry["beatmap_id"]), _int(entry["beatmapset_id"])
    if map_id <= 0 or set_id <= 0:
        raise MalformedEntry(f"invalid ids {map_id}/{set_id}")
    artist, title = _text(entry.get("artist")), _text(entry.get("title"))
    version, creator = _text(entry.get("version")), _text(entry.get("creator"))
    return SourceMap(
        id=map_id,
        set_id=set_id,
        status=RankedStatus.from_osu_api(_int(entry["approved"])),
        md5=md5,
        artist=artist,
        title=title,
        version=version,
        creator=creator,
        filename=beatmap_filename(artist, title, creator, version),
        last_update=parse_last_update(entry["last_update"]),
        total_length=_int(entry.get("total_length")),
        max_combo=_int(entry.get("max_combo")),
        mode=_int(entry.get("mode")),
        bpm=_float(entry.get("bpm")),
        cs=_float(entry.get("diff_size")),
        ar=_float(entry.get("diff_approach")),
        od=_float(entry.get("diff_overall")),
        hp=_float(entry.get("diff_drain")),
        diff=_float(entry.get("difficultyrating")),
    )


class BeatmapSource:
    """Client of the configured `get_beatmaps` source; never raises for network trouble."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self._http = http
        self._key = settings.osu_api_key or None
        self.api_url: str | None = None
        self.files_url: str | None = None
        if settings.beatmap_source_url:
            self.api_url = settings.beatmap_source_url
            base = httpx.URL(settings.beatmap_source_url)
            port = f":{base.port}" if base.port is not None else ""
            self.files_url = f"{base.scheme}://{base.host}{port}/osu/{{id}}"
        elif self._key:
            self.api_url, self.files_url = OSU_API_URL, OSU_FILES_URL

    @property
    def configured(self) -> bool:
        return self.api_url is not None

    async def by_md5(self, md5: str) -> SourceResult | None:
        return await self._query({"h": md5})

    async def by_id(self, map_id: int) -> SourceResult | None:
        return await self._query({"b": str(map_id)})

    async def by_set(self, set_id: int) -> SourceResult | None:
        return await self._query({"s": str(set_id)})

    async def download_osu(self, map_id: int) -> bytes | None:
        """The `.osu` file of a map, or None (no source, not found, or unreachable)."""
        if self.files_url is None:
            return None
        url = self.files_url.format(id=map_id)
        response = await self._get(url, {})
        if response is None or response.status_code != 200 or not response.content:
            if response is not None:
                log.info("beatmap source: %s answered %s", url, response.status_code)
            return None
        return response.content

    async def _get(self, url: str, params: dict[str, str]) -> httpx.Response | None:
        last: Exception | None = None
        for _ in range(ATTEMPTS):
            try:
                return await self._http.get(url, params=params, timeout=TIMEOUT)
            except httpx.TransportError as exc:
                last = exc
        log.warning("beatmap source unreachable (%s): %s", url, last)
        return None

    async def _query(self, params: dict[str, str]) -> SourceResult | None:
        if self.api_url is None:
            return None
        if self._key:
            params = {"k": self._key, **params}
        response = await self._get(self.api_url, params)
        if response is None:
            return SourceResult(SourceAnswer.UNAVAILABLE, reason="unreachable")
        if response.status_code == 404:
            return SourceResult(SourceAnswer.MISSING)
        if response.status_code != 200:
            log.warning("beatmap source answered %s", response.status_code)
            return SourceResult(SourceAnswer.UNAVAILABLE, reason=f"status {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            log.warning("beatmap source answered something that is not JSON")
            return SourceResult(SourceAnswer.UNAVAILABLE, reason="not JSON")
        if not isinstance(body, list):
            log.warning("beatmap source answered JSON that is not a list")
            return SourceResult(SourceAnswer.UNAVAILABLE, reason="not a list")
        if not body:
            return SourceResult(SourceAnswer.MISSING)
        try:
            maps = tuple(parse_entry(entry) for entry in body)
        except MalformedEntry as exc:
            log.warning("beatmap source answered a malformed entry: %s", exc)
            return SourceResult(SourceAnswer.UNAVAILABLE, reason=f"malformed entry: {exc}")
        return SourceResult(SourceAnswer.FOUND, maps)

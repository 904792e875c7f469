"""Beatmap lookups: the database first, then the configured source (bancho-spec §7, decisions "Data").

Lookups (`by_id`, `by_md5`):

* A row in `maps` is returned as is when it is frozen, when it or its set is `private`, or when no source
  is configured. Otherwise its set is refreshed (`s=`) when stale: no `mapsets` row, or now is past
  `last_osuapi_check` + min(1 day, d), where d = 2 h + 5 h per year since the newest map's
  `last_update`, times 4 when a map of the set has a leaderboard (bancho.py's rule).
* A map missing from the database is asked of the source (`h=`/`b=`), then its whole set (`s=`) is cached
  into `maps` and `mapsets`.
* Nothing here raises because of the network: no source, or an unreachable or garbled one, gives what
  the database has (possibly None), and no row is touched.

Source answers are merged into the database like this (safer than bancho.py, which deletes):

* Existing rows keep `plays`, `passes` and `frozen`. Frozen rows are never changed by the source at all
  (status, md5 and metadata stay the operator's); unfrozen rows take the source's values.
* When the source positively says a set is gone (404, empty list), or a set answer no longer lists some of
  its maps, those maps are **kept** (rows and scores: nothing is lost) and their status becomes
  NOT_SUBMITTED (-1), unless they are frozen. Lookups still return them, with that status; if the source
  lists them again later, the next refresh restores their status.

Local imports (`import_osu_files`): metadata, max combo and star rating (`diff`) are computed from the
file (`services.osu_files`), the file is stored as `<DATA_DIR>/osu/<id>.osu` and the row is frozen, so a
source never overwrites the operator's choice of status. Ids:

* map id = the file's `BeatmapID` when > 0; else the id of the row that already has this md5; else a
  private id `1_000_000_000 + int(md5[:7], 16) % 100_000_000` (server `private`), moved to the next free
  id in that range (wrapping) while taken by a map with another md5. Deterministic for a given database.
* set id = the file's `BeatmapSetID` when > 0; else `1_000_000_000 + int(h[:7], 16) % 100_000_000` with
  h = md5 of `artist NUL title NUL creator`, so the difficulties of one song share a private set; moved on
  while that id is a non-private set.
* status: a parameter, RANKED by default (an operator imports maps to play them with leaderboards).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.cache.readcache import ReadCache
from hitcircle.config import Settings
from hitcircle.constants.beatmaps import LEADERBOARD_STATUSES, RankedStatus
from hitcircle.db.database import Database
from hitcircle.paths import DataPaths
from hitcircle.repositories import NO_CACHE
from hitcircle.repositories.maps import SOURCE_COLUMNS, MapsRepository, Md5Conflict
from hitcircle.services.beatmap_source import BeatmapSource, SourceMap, SourceResult
from hitcircle.services.osu_files import OsuFile, OsuFileError, parse_osu_file

PRIVATE_ID_BASE = 1_000_000_000
PRIVATE_ID_SPAN = 100_000_000
MAX_ID = 2**31 - 1  # `maps.id` is a signed 32-bit int


@dataclass(frozen=True, slots=True)
class Beatmap:
    server: str
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
    frozen: bool
    plays: int
    passes: int
    mode: int
    bpm: float
    cs: float
    ar: float
    od: float
    hp: float
    diff: float

    @classmethod
    def from_row(cls, row: RowMapping) -> Beatmap:
        try:
            status = RankedStatus(int(row["status"]))
        except ValueError:
            status = RankedStatus.PENDING
        return cls(
            server=str(row["server"]),
            id=int(row["id"]),
            set_id=int(row["set_id"]),
            status=status,
            md5=str(row["md5"]),
            artist=str(row["artist"]),
            title=str(row["title"]),
            version=str(row["version"]),
            creator=str(row["creator"]),
            filename=str(row["filename"]),
            last_update=row["last_update"],
            total_length=int(row["total_length"]),
            max_combo=int(row["max_combo"]),
            frozen=bool(row["frozen"]),
            plays=int(row["plays"]),
            passes=int(row["passes"]),
            mode=int(row["mode"]),
            bpm=round(float(row["bpm"]), 2),
            cs=round(float(row["cs"]), 2),
            ar=round(float(row["ar"]), 2),
            od=round(float(row["od"]), 2),
            hp=round(float(row["hp"]), 2),
            diff=round(float(row["diff"]), 3),
        )

    @property
    def has_leaderboard(self) -> bool:
        return self.status in LEADERBOARD_STATUSES


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    outcome: Literal["new", "updated", "unchanged", "failed"]
    beatmap: Beatmap | None = None
    error: str | None = None


def utc_now() -> datetime:
    """Naive UTC, whole seconds (the precision of MySQL DATETIME)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def set_is_stale(last_check: datetime, maps: Sequence[Beatmap], now: datetime) -> bool:
    """bancho.py's refresh policy for a cached set (bancho-spec §7)."""
    if not maps:
        return True
    newest = max(m.last_update for m in maps)
    delta = timedelta(hours=2 + (5 / 365) * (now - newest).days)
    if any(m.has_leaderboard for m in maps):
        delta *= 4
    return now > last_check + min(delta, timedelta(days=1))


def private_id(digest: str) -> int:
    return PRIVATE_ID_BASE + int(digest[:7], 16) % PRIVATE_ID_SPAN


def _next_private(candidate: int) -> int:
    return PRIVATE_ID_BASE + (candidate - PRIVATE_ID_BASE + 1) % PRIVATE_ID_SPAN


def _file_md5(path: Path) -> str | None:
    try:
        return hashlib.md5(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _read_and_parse(path: Path) -> tuple[bytes, OsuFile]:
    data = path.read_bytes()
    return data, parse_osu_file(data)


#: a cached lookup is stale once `maps` or `mapsets` changes
_MAP_TABLES = ("maps", "mapsets")


class BeatmapService:
    def __init__(
        self,
        engine: AsyncEngine | Database,
        http: httpx.AsyncClient,
        settings: Settings,
        paths: DataPaths,
        *,
        clock: Callable[[], datetime] = utc_now,
        cache: ReadCache = NO_CACHE,
    ) -> None:
        self.repo = MapsRepository(engine)
        self._cache = cache
        self.source = BeatmapSource(http, settings)
        self._paths = paths
        self._clock = clock

    async def by_id(self, map_id: int) -> Beatmap | None:
        if not 0 < map_id <= MAX_ID:
            return None
        return await self._cache.get(
            ("beatmap.id", map_id),
            _MAP_TABLES,
            lambda: self._lookup(lambda: self.repo.by_id(map_id), lambda: self.source.by_id(map_id)),
        )

    async def by_md5(self, md5: str) -> Beatmap | None:
        md5 = md5.lower()
        return await self._cache.get(
            ("beatmap.md5", md5),
            _MAP_TABLES,
            lambda: self._lookup(lambda: self.repo.by_md5(md5), lambda: self.source.by_md5(md5)),
        )

    async def _lookup(
        self,
        from_db: Callable[[], Awaitable[RowMapping | None]],
        from_source: Callable[[], Awaitable[SourceResult | None]],
    ) -> Beatmap | None:
        row = await from_db()
        if row is not None:
            beatmap = Beatmap.from_row(row)
            if not await self._needs_refresh(beatmap):
                return beatmap
            answer = await self.source.by_set(beatmap.set_id)
            if answer is None or answer.unavailable:
                return beatmap
            await self._store(beatmap.set_id, answer.maps, complete=True)
        else:
            if not self.source.configured:
                return None
            answer = await from_source()
            if answer is None or not answer.found:
                return None
            set_id = answer.maps[0].set_id
            whole = await self.source.by_set(set_id)
            listed = whole.maps if whole is not None and whole.found else ()
            known = {m.id for m in listed}
            extra = tuple(m for m in answer.maps if m.id not in known and m.set_id == set_id)
            await self._store(set_id, listed + extra, complete=bool(listed))
        row = await from_db()
        return None if row is None else Beatmap.from_row(row)

    async def _needs_refresh(self, beatmap: Beatmap) -> bool:
        if not self.source.configured or beatmap.frozen or beatmap.server == "private":
            return False
        if not 0 < beatmap.set_id <= MAX_ID:  # no set the source could answer for
            return False
        mapset = await self.repo.mapset(beatmap.set_id)
        if mapset is None:
            return True
        if mapset["server"] == "private":
            return False
        members = [Beatmap.from_row(r) for r in await self.repo.by_set(beatmap.set_id)]
        return set_is_stale(mapset["last_osuapi_check"], members, self._clock())

    async def _store(self, set_id: int, listed: Sequence[SourceMap], *, complete: bool) -> None:
        entries = [
            {"id": m.id, **{name: getattr(m, name) for name in SOURCE_COLUMNS}}
            for m in listed
            if m.set_id == set_id
        ]
        await self.repo.store_source_set(set_id, entries, self._clock(), complete=complete)

    async def ensure_osu_file(self, beatmap: Beatmap) -> Path | None:
        """`<DATA_DIR>/osu/<id>.osu` with the map's md5: the stored file, else a verified download."""
        path = self._paths.beatmap(beatmap.id)
        if await asyncio.to_thread(_file_md5, path) == beatmap.md5:
            return path
        if beatmap.server == "private":
            return None
        data = await self.source.download_osu(beatmap.id)
        if data is None or hashlib.md5(data).hexdigest() != beatmap.md5:
            return None
        await asyncio.to_thread(_write_atomic, path, data)
        return path

    async def import_osu_files(
        self,
        paths: list[Path],
        progress: Callable[[int], None] | None = None,
        *,
        status: RankedStatus = RankedStatus.RANKED,
    ) -> list[ImportResult]:
        """Import local `.osu` files (see the module docstring); a bad file fails alone."""
        results: list[ImportResult] = []
        for done, path in enumerate(paths, start=1):
            try:
                data, parsed = await asyncio.to_thread(_read_and_parse, path)
                results.append(await self._import_one(path, data, parsed, status))
            except OsuFileError as exc:
                results.append(ImportResult(path, "failed", error=str(exc)))
            except OSError as exc:
                results.append(ImportResult(path, "failed", error=exc.strerror or str(exc)))
            except Md5Conflict as exc:
                results.append(ImportResult(path, "failed", error=str(exc)))
            if progress is not None:
                progress(done)
        return results

    async def _import_one(
        self, path: Path, data: bytes, parsed: OsuFile, status: RankedStatus
    ) -> ImportResult:
        map_id, server, set_id, set_server = await self._import_ids(parsed)
        values: dict[str, Any] = {
            "server": server,
            "id": map_id,
            "set_id": set_id,
            "status": int(status),
            "md5": parsed.md5,
            "artist": parsed.artist,
            "title": parsed.title,
            "version": parsed.version,
            "creator": parsed.creator,
            "filename": parsed.filename,
            "last_update": self._clock(),
            "total_length": parsed.total_length,
            "max_combo": parsed.max_combo,
            "mode": parsed.mode,
            "bpm": parsed.bpm,
            "cs": parsed.cs,
            "ar": parsed.ar,
            "od": parsed.od,
            "hp": parsed.hp,
            "diff": parsed.stars,
        }
        target = self._paths.beatmap(map_id)
        if await asyncio.to_thread(_file_md5, target) != parsed.md5:
            await asyncio.to_thread(_write_atomic, target, data)
        outcome = await self.repo.save_imported(values, set_server=set_server, checked_at=self._clock())
        row = await self.repo.by_id(map_id)
        return ImportResult(path, outcome, None if row is None else Beatmap.from_row(row))

    async def _import_ids(self, parsed: OsuFile) -> tuple[int, str, int, str]:
        """(map id, map server, set id, set server) for an imported file."""
        if parsed.beatmap_id > 0:
            existing = await self.repo.by_id(parsed.beatmap_id)
            map_id, server = parsed.beatmap_id, "osu!"
        else:
            existing = await self.repo.by_md5(parsed.md5)
            if existing is not None:
                map_id, server = int(existing["id"]), str(existing["server"])
            else:
                map_id, server = await self._free_private_map_id(parsed.md5), "private"
        if parsed.beatmapset_id > 0:
            return map_id, server, parsed.beatmapset_id, "osu!"
        if existing is not None:
            return map_id, server, int(existing["set_id"]), str(existing["server"])
        return map_id, server, await self._free_private_set_id(parsed), "private"

    async def _free_private_map_id(self, md5: str) -> int:
        candidate = private_id(md5)
        for _ in range(PRIVATE_ID_SPAN):
            owner = await self.repo.md5_of(candidate)
            if owner is None or owner == md5:
                return candidate
            candidate = _next_private(candidate)
        raise OsuFileError("no free private map id")

    async def _free_private_set_id(self, parsed: OsuFile) -> int:
        key = "\0".join((parsed.artist, parsed.title, parsed.creator)).encode()
        candidate = private_id(hashlib.md5(key).hexdigest())
        for _ in range(PRIVATE_ID_SPAN):
            server = await self.repo.set_server(candidate)
            if server is None or server == "private":
                return candidate
            candidate = _next_private(candidate)
        raise OsuFileError("no free private set id")

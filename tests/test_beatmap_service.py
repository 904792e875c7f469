"""BeatmapService: database first, then a real local get_beatmaps source; imports of local files."""

from __future__ import annotations

import asyncio
import copy
import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.constants.beatmaps import RankedStatus
from hitcircle.db import schema
from hitcircle.paths import DataPaths
from hitcircle.services.beatmaps import Beatmap, BeatmapService, set_is_stale
from tests.beatmap_fakes import (
    BEATMAPS,
    FILE_MD5_315,
    MD5_313,
    MD5_314,
    MD5_315,
    MD5_316,
    SET_141,
    Clock,
    FakeSource,
    closed_port_url,
    running_source,
)
from tests.conftest import make_settings
from tests.factories import create_map, create_score, create_user

NOW = datetime(2024, 6, 1, 12, 0, 0)
PRIVATE_315 = 1_000_000_000 + int(FILE_MD5_315[:7], 16) % 100_000_000  # 1_046_908_489
VIVID_KEY = hashlib.md5(b"FAIRY FORE\0Vivid\0Hitoshirenu Shourai").hexdigest()
PRIVATE_SET_141 = 1_000_000_000 + int(VIVID_KEY[:7], 16) % 100_000_000

MAP_315 = Beatmap(
    server="osu!", id=315, set_id=141, status=RankedStatus.RANKED, md5=MD5_315, artist="FAIRY FORE",
    title="Vivid", version="Insane", creator="Hitoshirenu Shourai",
    filename="FAIRY FORE - Vivid (Hitoshirenu Shourai) [Insane].osu",
    last_update=datetime(2014, 5, 18, 15, 41, 48), total_length=14, max_combo=114, frozen=False, plays=0,
    passes=0, mode=0, bpm=168.0, cs=6.0, ar=7.0, od=7.0, hp=2.0, diff=5.23,
)  # fmt: skip


@pytest.fixture
def fake() -> Iterator[FakeSource]:
    with running_source() as state:
        yield state


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def make_service(
    engine: AsyncEngine, db_url: str, tmp_path: Path, http: httpx.AsyncClient, clock: Clock, source: str
) -> BeatmapService:
    settings = make_settings(db_url, tmp_path / "data", BEATMAP_SOURCE_URL=source, OSU_API_KEY="")
    paths = DataPaths(settings.data_dir)
    paths.ensure()
    return BeatmapService(engine, http, settings, paths, clock=clock)


@pytest.fixture
def service(
    engine: AsyncEngine, db_url: str, tmp_path: Path, http: httpx.AsyncClient, clock: Clock, fake: FakeSource
) -> BeatmapService:
    return make_service(engine, db_url, tmp_path, http, clock, fake.url)


async def map_rows(engine: AsyncEngine) -> dict[int, dict[str, Any]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(schema.maps).order_by(schema.maps.c.id))).mappings().all()
    return {int(r["id"]): dict(r) for r in rows}


async def mapset_rows(engine: AsyncEngine) -> list[tuple[str, int, datetime]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(schema.mapsets).order_by(schema.mapsets.c.id))).all()
    return [(r.server, r.id, r.last_osuapi_check) for r in rows]


async def set_map(engine: AsyncEngine, map_id: int, **values: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(schema.maps).where(schema.maps.c.id == map_id).values(**values))


async def test_lookup_by_id_caches_the_whole_set(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource
) -> None:
    assert await service.by_id(315) == MAP_315
    assert fake.requests == ["b=315", "s=141"]
    rows = await map_rows(engine)
    assert sorted(rows) == [313, 314, 315, 316]
    assert [(r["md5"], r["status"], r["frozen"], r["plays"]) for r in rows.values()] == [
        (MD5_313, 2, 0, 0), (MD5_314, 2, 0, 0), (MD5_315, 2, 0, 0), (MD5_316, 2, 0, 0)
    ]  # fmt: skip
    assert rows[314]["filename"] == "FAIRY FORE - Vivid (Hitoshirenu Shourai) [Hard].osu"
    assert await mapset_rows(engine) == [("osu!", 141, NOW)]
    # fresh now: answered from the database, same values, no network
    assert await service.by_id(315) == MAP_315
    assert await service.by_md5(MD5_313) == Beatmap(
        **{**_fields(MAP_315), "id": 313, "md5": MD5_313, "version": "Easy", "total_length": 188,
           "max_combo": 294, "filename": "FAIRY FORE - Vivid (Hitoshirenu Shourai) [Easy].osu",
           "last_update": datetime(2014, 5, 18, 8, 16, 40), "cs": 3.0, "ar": 3.0, "od": 3.0, "hp": 3.0,
           "diff": 1.54}
    )  # fmt: skip
    assert fake.requests == ["b=315", "s=141"]


def _fields(beatmap: Beatmap) -> dict[str, Any]:
    return {name: getattr(beatmap, name) for name in Beatmap.__slots__}


async def test_lookup_by_md5(service: BeatmapService, engine: AsyncEngine, fake: FakeSource) -> None:
    found = await service.by_md5(MD5_314.upper())
    assert found is not None and (found.id, found.version, found.diff) == (314, "Hard", 3.75)
    assert fake.requests == [f"h={MD5_314}", "s=141"]
    assert sorted(await map_rows(engine)) == [313, 314, 315, 316]


async def test_unknown_maps_are_none_and_store_nothing(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource
) -> None:
    assert await service.by_md5("0" * 32) is None
    assert await service.by_id(99) is None
    assert await service.by_id(0) is None
    assert await service.by_id(2**31) is None
    assert fake.requests == ["h=" + "0" * 32, "b=99"]
    assert await map_rows(engine) == {}
    assert await mapset_rows(engine) == []


async def test_stale_set_is_refreshed_keeping_plays_and_frozen_rows(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource, clock: Clock
) -> None:
    await service.by_id(315)
    await set_map(engine, 315, plays=40, passes=12)
    await set_map(engine, 313, frozen=1, status=int(RankedStatus.LOVED))
    fake.entry(315)["approved"] = 4
    fake.entry(315)["title"] = "Vivid (new)"
    fake.entry(313)["approved"] = -2
    fake.entry(313)["version"] = "Beginner"
    # ranked set last updated 10 years ago: checked again after min(1 day, (2 h + 50 h) * 4) = 1 day
    clock.now = NOW + timedelta(days=1)
    assert (await service.by_id(315)).status == RankedStatus.RANKED  # type: ignore[union-attr]
    clock.now = NOW + timedelta(days=1, seconds=1)
    refreshed = await service.by_id(315)
    assert refreshed == Beatmap(
        **{**_fields(MAP_315), "status": RankedStatus.LOVED, "title": "Vivid (new)", "plays": 40,
           "passes": 12, "filename": "FAIRY FORE - Vivid (new) (Hitoshirenu Shourai) [Insane].osu"}
    )  # fmt: skip
    assert fake.requests == ["b=315", "s=141", "s=141"]
    rows = await map_rows(engine)
    assert (rows[313]["status"], rows[313]["version"], rows[313]["frozen"]) == (5, "Easy", 1)
    assert await mapset_rows(engine) == [("osu!", 141, NOW + timedelta(days=1, seconds=1))]


async def test_frozen_and_private_maps_never_ask_the_source(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource
) -> None:
    frozen = await create_map(engine, id=900, set_id=90, frozen=1)
    private = await create_map(engine, id=901, set_id=91, server="private")
    assert (await service.by_id(900)).md5 == frozen["md5"]  # type: ignore[union-attr]
    assert (await service.by_md5(private["md5"])).id == 901  # type: ignore[union-attr]
    assert fake.requests == []


async def test_maps_gone_from_the_source_are_kept_as_not_submitted(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource, clock: Clock
) -> None:
    await service.by_id(315)
    user = await create_user(engine)
    await create_score(engine, userid=user["id"], map_md5=MD5_316)
    await set_map(engine, 314, frozen=1)
    fake.entries = [e for e in fake.entries if e["beatmap_id"] not in (314, 316)]
    clock.now = NOW + timedelta(days=2)
    assert (await service.by_id(315)).status == RankedStatus.RANKED  # type: ignore[union-attr]
    rows = await map_rows(engine)
    assert {i: r["status"] for i, r in rows.items()} == {313: 2, 314: 2, 315: 2, 316: -1}
    gone = await service.by_md5(MD5_316)
    assert gone is not None and gone.status == RankedStatus.NOT_SUBMITTED
    # the whole set disappears: every unfrozen map becomes NOT_SUBMITTED, nothing is deleted
    fake.entries = []
    clock.now = NOW + timedelta(days=4)
    assert (await service.by_id(313)).status == RankedStatus.NOT_SUBMITTED  # type: ignore[union-attr]
    rows = await map_rows(engine)
    assert {i: r["status"] for i, r in rows.items()} == {313: -1, 314: 2, 315: -1, 316: -1}
    assert await mapset_rows(engine) == [("osu!", 141, NOW + timedelta(days=4))]
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(schema.scores))).scalar_one() == 1
    # listed again: status restored
    fake.entries = copy.deepcopy(SET_141)
    clock.now = NOW + timedelta(days=6)
    assert (await service.by_id(316)).status == RankedStatus.RANKED  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "override",
    [(500, b"oops", "text/plain"), (200, b"not json", "text/plain"), (200, b'[{"beatmap_id": 1}]', "x")],
)
async def test_unusable_answers_change_nothing(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource, clock: Clock, override: Any
) -> None:
    await service.by_id(315)
    before = await map_rows(engine)
    fake.override = override
    clock.now = NOW + timedelta(days=3)
    assert await service.by_id(315) == MAP_315
    assert await service.by_id(77) is None
    assert await map_rows(engine) == before
    assert await mapset_rows(engine) == [("osu!", 141, NOW)]


async def test_unreachable_source_gives_the_database(
    engine: AsyncEngine, db_url: str, tmp_path: Path, http: httpx.AsyncClient, clock: Clock
) -> None:
    service = make_service(engine, db_url, tmp_path, http, clock, closed_port_url())
    stored = await create_map(engine, id=500, set_id=50)  # no mapsets row: stale, but unreachable
    found = await service.by_id(500)
    assert found is not None and (found.md5, found.plays, found.status) == (stored["md5"], 10, 2)
    assert await service.by_id(501) is None
    assert await service.by_md5("f" * 32) is None
    assert sorted(await map_rows(engine)) == [500]
    assert await mapset_rows(engine) == []


async def test_without_a_source_the_database_is_final(
    engine: AsyncEngine, db_url: str, tmp_path: Path, http: httpx.AsyncClient, clock: Clock
) -> None:
    service = make_service(engine, db_url, tmp_path, http, clock, "")
    assert not service.source.configured
    stored = await create_map(engine, id=600, set_id=60)
    found = await service.by_md5(stored["md5"])
    assert found is not None and found.id == 600
    assert await service.by_id(601) is None
    assert await mapset_rows(engine) == []


async def test_a_map_without_mapset_row_is_refreshed_when_a_source_exists(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource
) -> None:
    await create_map(engine, id=316, set_id=141, md5=MD5_316, plays=7, status=0)
    found = await service.by_id(316)
    assert found is not None and (found.status, found.plays, found.version) == (2, 7, "Normal")
    assert fake.requests == ["s=141"]
    assert sorted(await map_rows(engine)) == [313, 314, 315, 316]


@pytest.mark.parametrize(
    ("age", "leaderboard", "checked_ago", "stale"),
    [
        (timedelta(days=0), False, timedelta(hours=2), False),
        (timedelta(days=0), False, timedelta(hours=2, seconds=1), True),
        (timedelta(days=365), False, timedelta(hours=7), False),
        (timedelta(days=365), False, timedelta(hours=7, seconds=1), True),
        (timedelta(days=0), True, timedelta(hours=8), False),
        (timedelta(days=0), True, timedelta(hours=8, seconds=1), True),
        (timedelta(days=3650), True, timedelta(days=1, seconds=1), True),
    ],
)
def test_refresh_policy(age: timedelta, leaderboard: bool, checked_ago: timedelta, stale: bool) -> None:
    status = RankedStatus.RANKED if leaderboard else RankedStatus.PENDING
    member = Beatmap(**{**_fields(MAP_315), "last_update": NOW - age, "status": status})
    assert set_is_stale(NOW - checked_ago, [member], NOW) is stale
    assert set_is_stale(NOW, [], NOW) is True


async def test_osu_file_is_downloaded_verified_and_reused(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource, tmp_path: Path
) -> None:
    content = (BEATMAPS / "315.osu").read_bytes()
    fake.entry(315)["file_md5"] = FILE_MD5_315
    fake.files[315] = content
    beatmap = await service.by_id(315)
    assert beatmap is not None
    target = tmp_path / "data" / "osu" / "315.osu"
    target.write_bytes(b"an older version")
    assert await service.ensure_osu_file(beatmap) == target
    assert target.read_bytes() == content
    assert await service.ensure_osu_file(beatmap) == target
    assert fake.requests == ["b=315", "s=141", "osu/315"]
    assert [p.name for p in target.parent.iterdir()] == ["315.osu"]


async def test_osu_file_with_the_wrong_md5_is_not_written(
    service: BeatmapService, fake: FakeSource, tmp_path: Path
) -> None:
    fake.files[315] = (BEATMAPS / "315.osu").read_bytes()  # the source's md5 for 315 is another version
    beatmap = await service.by_id(315)
    assert beatmap is not None
    assert await service.ensure_osu_file(beatmap) is None
    assert await service.ensure_osu_file(Beatmap(**{**_fields(beatmap), "id": 316})) is None
    assert list((tmp_path / "data" / "osu").iterdir()) == []


async def test_import_is_idempotent(service: BeatmapService, engine: AsyncEngine, tmp_path: Path) -> None:
    files = sorted(BEATMAPS.glob("*.osu"))
    seen: list[int] = []
    first = await service.import_osu_files(files, seen.append)
    assert seen == [1, 2, 3, 4, 5]
    assert [(r.path.name, r.outcome, r.error) for r in first] == [
        ("1028484.osu", "new", None), ("1638954.osu", "new", None), ("2118524.osu", "new", None),
        ("2785319.osu", "new", None), ("315.osu", "new", None),
    ]  # fmt: skip
    rows = await map_rows(engine)
    assert sorted(rows) == [1028484, 1638954, 2118524, 2785319, PRIVATE_315]
    vivid = first[4].beatmap
    assert vivid == Beatmap(
        server="private", id=PRIVATE_315, set_id=PRIVATE_SET_141, status=RankedStatus.RANKED,
        md5=FILE_MD5_315, artist="FAIRY FORE", title="Vivid", version="Insane",
        creator="Hitoshirenu Shourai", filename="FAIRY FORE - Vivid (Hitoshirenu Shourai) [Insane].osu",
        last_update=NOW, total_length=14, max_combo=114, frozen=True, plays=0, passes=0, mode=0,
        bpm=168.0, cs=6.0, ar=7.0, od=7.0, hp=2.0, diff=5.178,
    )  # fmt: skip
    taiko = rows[1028484]
    assert (taiko["server"], taiko["set_id"], taiko["mode"], taiko["max_combo"], taiko["diff"]) == (
        "osu!",
        481954,
        1,
        289,
        2.916,
    )
    stored = sorted(p.name for p in (tmp_path / "data" / "osu").iterdir())
    assert stored == ["1028484.osu", f"{PRIVATE_315}.osu", "1638954.osu", "2118524.osu", "2785319.osu"]
    assert (tmp_path / "data" / "osu" / f"{PRIVATE_315}.osu").read_bytes() == files[4].read_bytes()
    sets = await mapset_rows(engine)
    assert [(s, i) for s, i, _ in sets] == [
        ("osu!", 481954), ("osu!", 777881), ("osu!", 994994), ("osu!", 1344871), ("private", PRIVATE_SET_141)
    ]  # fmt: skip

    await set_map(engine, 2785319, plays=3)
    again = await service.import_osu_files(files)
    assert [r.outcome for r in again] == ["unchanged"] * 5
    after = await map_rows(engine)
    assert after[2785319]["plays"] == 3
    assert {i: {**r, "plays": 0} for i, r in after.items()} == {i: {**r, "plays": 0} for i, r in rows.items()}
    assert await mapset_rows(engine) == sets


async def test_import_status_and_private_id_collisions(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource, tmp_path: Path
) -> None:
    await create_map(engine, id=PRIVATE_315, set_id=5, server="private", md5="a" * 32)
    vivid = [BEATMAPS / "315.osu"]
    first = await service.import_osu_files(vivid, status=RankedStatus.LOVED)
    assert first[0].beatmap is not None
    assert (first[0].beatmap.id, first[0].beatmap.status) == (PRIVATE_315 + 1, RankedStatus.LOVED)
    second = await service.import_osu_files(vivid, status=RankedStatus.APPROVED)
    assert second[0].outcome == "updated"
    assert second[0].beatmap is not None and second[0].beatmap.status == RankedStatus.APPROVED
    # imported maps are frozen: lookups never reach the source
    assert (await service.by_md5(FILE_MD5_315)).id == PRIVATE_315 + 1  # type: ignore[union-attr]
    assert fake.requests == []


async def test_import_freezes_a_map_the_source_knows(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource, tmp_path: Path
) -> None:
    await service.by_id(314)
    await set_map(engine, 315, plays=9)
    edited = tmp_path / "vivid.osu"  # the file of map 315, now with its ids
    data = (BEATMAPS / "315.osu").read_bytes()
    edited.write_bytes(
        data.replace(b"Version:Insane", b"Version:Insane\r\nBeatmapID:315\r\nBeatmapSetID:141")
    )
    result = await service.import_osu_files([edited], status=RankedStatus.PENDING)
    assert (result[0].outcome, result[0].error) == ("updated", None)
    row = (await map_rows(engine))[315]
    assert (row["md5"], row["status"], row["frozen"], row["plays"], row["server"]) == (
        hashlib.md5(edited.read_bytes()).hexdigest(),
        0,
        1,
        9,
        "osu!",
    )
    assert await mapset_rows(engine) == [("osu!", 141, NOW)]


async def test_import_reports_bad_files_alone(service: BeatmapService, tmp_path: Path) -> None:
    bad = tmp_path / "bad.osu"
    bad.write_bytes(b"\x00\x01 not a map")
    missing = tmp_path / "missing.osu"
    results = await service.import_osu_files([bad, missing, BEATMAPS / "1638954.osu"])
    assert [(r.outcome, r.error) for r in results] == [
        ("failed", "not an osu! beatmap (no 'osu file format' header)"),
        ("failed", "No such file or directory"),
        ("new", None),
    ]


async def test_concurrent_lookups_of_a_new_set(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource
) -> None:
    found = await asyncio.gather(*(service.by_id(i) for i in (313, 314, 315, 316, 315)))
    assert [b.id if b else None for b in found] == [313, 314, 315, 316, 315]
    assert sorted(await map_rows(engine)) == [313, 314, 315, 316]
    assert await mapset_rows(engine) == [("osu!", 141, NOW)]


async def test_an_updated_map_gets_its_new_md5(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource, clock: Clock
) -> None:
    await service.by_id(315)
    fake.entry(315)["file_md5"] = FILE_MD5_315
    fake.entry(315)["last_update"] = "2024-05-31 12:00:00"
    clock.now = NOW + timedelta(days=1, seconds=1)
    assert await service.by_md5(MD5_315) is None  # that version is gone
    updated = await service.by_id(315)
    assert updated is not None
    assert (updated.md5, updated.last_update) == (FILE_MD5_315, datetime(2024, 5, 31, 12, 0, 0))
    assert fake.requests == ["b=315", "s=141", "s=141"]


async def test_a_source_map_whose_md5_is_taken_is_skipped(
    service: BeatmapService, engine: AsyncEngine, fake: FakeSource
) -> None:
    await create_map(engine, id=PRIVATE_315, set_id=7, server="private", frozen=1, md5=MD5_316)
    assert (await service.by_id(315)) == MAP_315
    rows = await map_rows(engine)
    assert sorted(rows) == [313, 314, 315, PRIVATE_315]
    assert rows[PRIVATE_315]["md5"] == MD5_316

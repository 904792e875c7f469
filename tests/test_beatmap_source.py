"""The get_beatmaps client, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from hitcircle.config import Settings, load_settings
from hitcircle.constants.beatmaps import RankedStatus
from hitcircle.services.beatmap_source import (
    BeatmapSource,
    MalformedEntry,
    SourceAnswer,
    SourceMap,
    parse_entry,
    parse_last_update,
)
from tests.beatmap_fakes import (
    BEATMAPS,
    MD5_314,
    SET_141,
    FakeSource,
    closed_port_url,
    hanging_up_server,
    running_source,
)

MAP_315 = SourceMap(
    id=315, set_id=141, status=RankedStatus.RANKED, md5="1cf5b2c2edfafd055536d2cefcb89c0e",
    artist="FAIRY FORE", title="Vivid", version="Insane", creator="Hitoshirenu Shourai",
    filename="FAIRY FORE - Vivid (Hitoshirenu Shourai) [Insane].osu",
    last_update=datetime(2014, 5, 18, 15, 41, 48), total_length=14, max_combo=114, mode=0, bpm=168.0,
    cs=6.0, ar=7.0, od=7.0, hp=2.0, diff=5.23,
)  # fmt: skip


def settings_for(**values: str) -> Settings:
    base = {"OSU_API_KEY": "", "BEATMAP_SOURCE_URL": "", "DATABASE_URL": "", "REDIS_URL": ""}
    return load_settings(env_file=None, **{**base, **values})


@pytest.fixture
def fake() -> Iterator[FakeSource]:
    with running_source() as state:
        yield state


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


async def test_set_query_parses_every_entry(fake: FakeSource, http: httpx.AsyncClient) -> None:
    source = BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=fake.url))
    result = await source.by_set(141)
    assert result is not None
    assert result.answer is SourceAnswer.FOUND
    assert [m.id for m in result.maps] == [313, 314, 315, 316]
    assert result.maps[2] == MAP_315
    assert [(m.version, m.diff, m.max_combo) for m in result.maps] == [
        ("Easy", 1.54, 294), ("Hard", 3.75, 723), ("Insane", 5.23, 114), ("Normal", 2.28, 478)
    ]  # fmt: skip
    assert fake.requests == ["s=141"]


async def test_md5_and_id_queries(fake: FakeSource, http: httpx.AsyncClient) -> None:
    source = BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=fake.url))
    by_md5 = await source.by_md5(MD5_314)
    by_id = await source.by_id(315)
    assert by_md5 is not None and [m.id for m in by_md5.maps] == [314]
    assert by_id is not None and by_id.maps == (MAP_315,)
    assert fake.requests == [f"h={MD5_314}", "b=315"]


async def test_key_is_sent_to_a_configured_mirror_only_when_set(
    fake: FakeSource, http: httpx.AsyncClient
) -> None:
    keyed = BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=fake.url, OSU_API_KEY="secret"))
    await keyed.by_id(313)
    await BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=fake.url)).by_id(313)
    assert fake.requests == ["k=secret&b=313", "b=313"]


async def test_not_found_is_missing(fake: FakeSource, http: httpx.AsyncClient) -> None:
    source = BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=fake.url))
    empty = await source.by_id(999)
    fake.override = (404, b"", "text/plain")
    gone = await source.by_set(141)
    assert empty is not None and (empty.answer, empty.maps) == (SourceAnswer.MISSING, ())
    assert gone is not None and gone.missing


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b"[]", "status 500"),
        (401, b'{"error": "Please provide a valid API key."}', "status 401"),
        (200, b"<html>busy</html>", "not JSON"),
        (200, b'{"error": "nope"}', "not a list"),
        (200, json.dumps([{**SET_141[0], "file_md5": None}]).encode(), "malformed entry: entry has no file_md5"),
        (200, json.dumps([{**SET_141[0], "last_update": "soon"}]).encode(),
         "malformed entry: last_update is not a date: 'soon'"),
        (200, json.dumps([SET_141[0], "x"]).encode(), "malformed entry: entry is not an object"),
    ],
)  # fmt: skip
async def test_bad_answers_are_unavailable(
    fake: FakeSource, http: httpx.AsyncClient, status: int, body: bytes, reason: str
) -> None:
    fake.override = (status, body, "application/json")
    result = await BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=fake.url)).by_set(141)
    assert result is not None
    assert (result.answer, result.maps, result.reason) == (SourceAnswer.UNAVAILABLE, (), reason)


async def test_closed_port_is_unavailable(http: httpx.AsyncClient) -> None:
    source = BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=closed_port_url()))
    result = await source.by_md5(MD5_314)
    assert result is not None
    assert (result.answer, result.reason) == (SourceAnswer.UNAVAILABLE, "unreachable")
    assert await source.download_osu(315) is None


async def test_transport_errors_are_tried_three_times(http: httpx.AsyncClient) -> None:
    with hanging_up_server() as (url, connections):
        result = await BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=url)).by_set(141)
    assert result is not None and result.unavailable
    assert connections == [3]


async def test_nothing_configured_means_no_source_and_no_network() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = BeatmapSource(client, settings_for())
        assert not source.configured
        assert await source.by_md5(MD5_314) is None
        assert await source.by_id(315) is None
        assert await source.by_set(141) is None
        assert await source.download_osu(315) is None
    assert calls == []


async def test_api_key_alone_uses_old_ppy_sh() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        if request.url.path == "/osu/315":
            return httpx.Response(200, content=b"osu file format v14\n")
        return httpx.Response(200, json=SET_141)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = BeatmapSource(client, settings_for(OSU_API_KEY="abc"))
        result = await source.by_set(141)
        data = await source.download_osu(315)
    assert result is not None and len(result.maps) == 4
    assert data == b"osu file format v14\n"
    assert urls == ["https://old.ppy.sh/api/get_beatmaps?k=abc&s=141", "https://old.ppy.sh/osu/315"]


async def test_osu_files_come_from_the_mirror_host(fake: FakeSource, http: httpx.AsyncClient) -> None:
    content = (BEATMAPS / "315.osu").read_bytes()
    fake.files[315] = content
    source = BeatmapSource(http, settings_for(BEATMAP_SOURCE_URL=fake.url))
    assert source.files_url == fake.url.replace("/api/get_beatmaps", "/osu/{id}")
    assert await source.download_osu(315) == content
    assert await source.download_osu(316) is None
    assert fake.requests == ["osu/315", "osu/316"]


def test_last_update_formats() -> None:
    assert parse_last_update("2014-05-18 08:16:40") == datetime(2014, 5, 18, 8, 16, 40)
    assert parse_last_update("2014-05-18T08:16:40Z") == datetime(2014, 5, 18, 8, 16, 40)
    assert parse_last_update("2014-05-18T10:16:40+02:00") == datetime(2014, 5, 18, 8, 16, 40)
    with pytest.raises(MalformedEntry):
        parse_last_update(1400400000)


def test_string_numbers_and_nulls_as_osu_api_v1_sends_them() -> None:
    entry: dict[str, Any] = {
        "beatmapset_id": "141", "beatmap_id": "316", "approved": "-2", "total_length": "188",
        "version": "Normal", "file_md5": "0236AEB3BB5F110D7EACF4045092EFAC", "diff_size": "5",
        "diff_overall": "5.5", "diff_approach": None, "diff_drain": "5", "mode": "0",
        "last_update": "2014-05-18 16:26:49", "artist": "FAIRY FORE", "title": "Vivid",
        "creator": "Hitoshirenu Shourai", "bpm": None, "max_combo": None, "difficultyrating": "2.2812",
    }  # fmt: skip
    parsed = parse_entry(entry)
    assert (parsed.id, parsed.set_id, parsed.status, parsed.md5) == (
        316,
        141,
        RankedStatus.PENDING,
        "0236aeb3bb5f110d7eacf4045092efac",
    )
    assert (parsed.total_length, parsed.max_combo, parsed.bpm, parsed.ar, parsed.od, parsed.diff) == (
        188,
        0,
        0.0,
        0.0,
        5.5,
        2.2812,
    )
    assert parsed.last_update == datetime(2014, 5, 18, 16, 26, 49)


@pytest.mark.parametrize(
    ("approved", "status"), [(-2, 0), (-1, 0), (0, 0), (1, 2), (2, 3), (3, 4), (4, 5), (7, 1)]
)
def test_status_mapping(approved: int, status: int) -> None:
    assert parse_entry({**SET_141[0], "approved": approved}).status == status

"""`/v1/calculate_pp` through the HTTP API: key checks, validation, both response shapes, errors."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.db import schema
from tests.conftest import API, make_settings
from tests.factories import create_map, create_user

KEY = "0f0e0d0c-1111-4222-8333-444455556666"
AUTH = {"Authorization": f"Bearer {KEY}"}
VIVID = Path(__file__).parent / "fixtures" / "beatmaps" / "315.osu"
VIVID_MD5 = "eb786491aa73d30f9288a66f774621d7"
INVALID_KEY = {"status": "Invalid API key."}

# rosu-pp-py 4.0.2, 315.osu, nomod SS: the whole object, exactly as served
ROSU_SS = {
    "performance": {
        "pp": 151.711,
        "pp_acc": 27.10565285648855,
        "pp_aim": 62.06224783040912,
        "pp_speed": 57.090733320705404,
        "pp_flashlight": 0.0,
        "effective_miss_count": 0.0,
        "pp_difficulty": None,
    },
    "difficulty": {
        "stars": 5.177790519973723,
        "aim": 2.5588425583851198,
        "speed": 2.4900889412469227,
        "flashlight": 0.0,
        "slider_factor": 1.0,
        "speed_note_count": 89.2142922908785,
        "stamina": None,
        "color": None,
        "rhythm": None,
        "peak": None,
    },
    "accuracy": 100.0,
}
ROSU_DEFAULT_PPS = [151.711, 140.951, 135.287, 118.875]  # acc 100, 99, 98, 95


async def set_key(engine: AsyncEngine, user_id: int, key: str | None) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(schema.users).where(schema.users.c.id == user_id).values(api_key=key))


async def add_vivid(engine: AsyncEngine, app: HitcircleApp, *, with_file: bool = True) -> None:
    await create_map(
        engine, id=315, set_id=141, md5=VIVID_MD5, artist="FAIRY FORE", title="Vivid", version="Insane"
    )
    if with_file:
        assert app.runtime is not None
        target = app.runtime.paths.beatmap(315)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(VIVID, target)


@pytest.fixture
async def owner(engine: AsyncEngine, app: HitcircleApp) -> dict[str, Any]:
    user = await create_user(engine, "Calculator")
    await set_key(engine, user["id"], KEY)
    return user


@pytest.fixture
async def vivid(engine: AsyncEngine, app: HitcircleApp, owner: dict[str, Any]) -> None:
    await add_vivid(engine, app)


# --- keys --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Bearer nope"}],
)
async def test_missing_or_unknown_key_is_401(
    client: httpx.AsyncClient, vivid: None, headers: dict[str, str]
) -> None:
    for path in ("/v1/calculate_pp", "/api/calculate_pp"):
        response = await client.get(path, params={"id": 315}, headers=headers)
        assert (response.status_code, response.json()) == (401, INVALID_KEY)


async def test_key_forms_and_revocation_take_effect_at_once(
    client: httpx.AsyncClient, engine: AsyncEngine, owner: dict[str, Any], vivid: None
) -> None:
    for value in (f"Bearer {KEY}", f"bearer {KEY}", f"BEARER {KEY}", KEY):
        response = await client.get("/v1/calculate_pp", params={"id": 315}, headers={"Authorization": value})
        assert response.status_code == 200, value
    await set_key(engine, owner["id"], None)
    revoked = await client.get("/v1/calculate_pp", params={"id": 315}, headers=AUTH)
    assert (revoked.status_code, revoked.json()) == (401, INVALID_KEY)


# --- validation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({}, {"type": "missing", "loc": ["query", "id"], "msg": "Field required", "input": None}),
        (
            {"id": "315", "mode": "4"},
            {
                "type": "less_than_equal",
                "loc": ["query", "mode"],
                "msg": "Input should be less than or equal to 3",
                "input": "4",
                "ctx": {"le": 3},
            },
        ),
        (
            {"id": "315", "acc": "101"},
            {
                "type": "less_than_equal",
                "loc": ["query", "acc", 0],
                "msg": "Input should be less than or equal to 100",
                "input": "101",
                "ctx": {"le": 100.0},
            },
        ),
        (
            {"id": "315", "acc": "nan"},
            {
                "type": "finite_number",
                "loc": ["query", "acc", 0],
                "msg": "Input should be a finite number",
                "input": "nan",
            },
        ),
        (
            {"id": "315", "misses": "-1"},
            {
                "type": "greater_than_equal",
                "loc": ["query", "misses"],
                "msg": "Input should be greater than or equal to 0",
                "input": "-1",
                "ctx": {"ge": 0},
            },
        ),
    ],
)
async def test_invalid_query_is_422_and_wins_over_401(
    client: httpx.AsyncClient, vivid: None, query: dict[str, str], error: dict[str, Any]
) -> None:
    for headers in (AUTH, {}, {"Authorization": "Bearer nope"}):
        response = await client.get("/v1/calculate_pp", params=query, headers=headers)
        assert (response.status_code, response.json()) == (422, {"detail": [error]})


@pytest.mark.parametrize(
    "query",
    [
        {"id": "0"},
        {"id": "2147483648"},
        {"id": "315", "mods": "-1"},
        {"id": "315", "mods": "2147483648"},
        {"id": "315", "combo": "1000001"},
        {"id": "315", "n100": "1000001"},
        {"id": "315", "acc": "-0.5"},
        {"id": "315", "acc": "inf"},
        {"id": "315", "acc": ["99"] * 17},
        {"id": "315", "ngeki": "x"},
    ],
)
async def test_bounds_are_422(client: httpx.AsyncClient, vivid: None, query: dict[str, Any]) -> None:
    response = await client.get("/v1/calculate_pp", params=query, headers=AUTH)
    assert response.status_code == 422
    assert set(response.json()) == {"detail"}


# --- results -----------------------------------------------------------------------------------------


async def test_accuracy_list_by_default(client: httpx.AsyncClient, vivid: None) -> None:
    response = await client.get("/v1/calculate_pp", params={"id": 315}, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body, list)
    assert body[0] == ROSU_SS
    assert [item["accuracy"] for item in body] == [100.0, 99.0, 98.0, 95.0]
    assert [item["performance"]["pp"] for item in body] == ROSU_DEFAULT_PPS
    assert all(list(item) == ["performance", "difficulty", "accuracy"] for item in body)
    assert all(item["difficulty"] == ROSU_SS["difficulty"] for item in body)
    assert b'"status"' not in response.content


async def test_requested_accuracies_in_order(client: httpx.AsyncClient, vivid: None) -> None:
    response = await client.get("/api/calculate_pp", params={"id": 315, "acc": ["95", "100"]}, headers=AUTH)
    body = response.json()
    assert [(item["accuracy"], item["performance"]["pp"]) for item in body] == [
        (95.0, 118.875),
        (100.0, 151.711),
    ]


async def test_hit_counts_give_one_object(client: httpx.AsyncClient, vivid: None) -> None:
    query = {"id": 315, "mods": 136, "combo": 52, "n100": 14, "n50": 5, "ngeki": 23, "nkatu": 6, "misses": 6}
    response = await client.get("/v1/calculate_pp", params=query, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {
        "performance": {
            "pp": 21.845,
            "pp_acc": 0.0,
            "pp_aim": 19.16268956495612,
            "pp_speed": 0.0,  # rosu: the official relax treatment (no speed pp)
            "pp_flashlight": 0.0,
            "effective_miss_count": 15.786453075434876,
            "pp_difficulty": None,
        },
        "difficulty": {
            "stars": 4.0247732899576265,
            "aim": 2.4088659532068166,
            "speed": 0.0,
            "flashlight": 0.0,
            "slider_factor": 1.0,
            "speed_note_count": 89.2142922908785,
            "stamina": None,
            "color": None,
            "rhythm": None,
            "peak": None,
        },
        "accuracy": None,
    }
    # one count is enough to switch to a single object; the others count as 0, n300 is inferred
    single = await client.get("/v1/calculate_pp", params={"id": 315, "n50": 0, "acc": "95"}, headers=AUTH)
    assert single.json() == {**ROSU_SS, "accuracy": None}


async def test_nightcore_implies_doubletime(client: httpx.AsyncClient, vivid: None) -> None:
    async def pp_for(mods: int) -> float:
        response = await client.get("/v1/calculate_pp", params={"id": 315, "mods": mods}, headers=AUTH)
        return float(response.json()[0]["performance"]["pp"])

    nightcore, with_dt, doubletime, plain = [await pp_for(mods) for mods in (512, 576, 64, 0)]
    assert nightcore == with_dt == doubletime == 418.087
    assert plain == 151.711


async def test_other_modes_convert(client: httpx.AsyncClient, vivid: None) -> None:
    response = await client.get("/v1/calculate_pp", params={"id": 315, "mode": 1, "acc": "100"}, headers=AUTH)
    (item,) = response.json()
    assert item["difficulty"]["stamina"] is not None and item["difficulty"]["aim"] is None
    assert item["performance"]["pp"] != 151.711


@pytest.mark.parametrize(
    "query",
    [
        {"mods": 2147483647, "mode": 3, "acc": ["0", "0.000001", "100"]},
        {"mods": 8640, "acc": "0", "misses": 1_000_000, "combo": 1_000_000},
        {"n100": 1_000_000, "n50": 1_000_000, "ngeki": 1_000_000, "nkatu": 1_000_000, "misses": 1_000_000},
        {"mode": 2, "combo": 0, "misses": 0, "nkatu": 3},
        {"mode": 3, "mods": 1 << 15, "ngeki": 5},
    ],
)
async def test_extreme_valid_inputs_answer_finite_json(
    client: httpx.AsyncClient, vivid: None, query: dict[str, Any]
) -> None:
    response = await client.get("/v1/calculate_pp", params={"id": 315, **query}, headers=AUTH)
    assert response.status_code == 200
    assert b"NaN" not in response.content and b"Infinity" not in response.content
    body = response.json()
    for item in body if isinstance(body, list) else [body]:
        assert isinstance(item["performance"]["pp"], float)


async def test_unknown_map_is_404(client: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    response = await client.get("/v1/calculate_pp", params={"id": 315}, headers=AUTH)
    assert (response.status_code, response.json()) == (404, {"status": "Map not found."})


async def test_missing_file_without_source_is_503(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp, owner: dict[str, Any]
) -> None:
    await add_vivid(engine, app, with_file=False)
    response = await client.get("/v1/calculate_pp", params={"id": 315}, headers=AUTH)
    assert (response.status_code, response.json()) == (503, {"status": "Beatmap file could not be fetched."})
    # a stale file (another md5) is not used either
    assert app.runtime is not None
    app.runtime.paths.beatmap(315).write_bytes(b"osu file format v14\n")
    stale = await client.get("/v1/calculate_pp", params={"id": 315}, headers=AUTH)
    assert stale.status_code == 503


# --- the akatsuki backend over HTTP ------------------------------------------------------------------


@pytest.fixture
async def akatsuki_client(
    db_url: str, tmp_path: Path, engine: AsyncEngine
) -> AsyncIterator[tuple[httpx.AsyncClient, HitcircleApp]]:
    pytest.importorskip("akatsuki_pp_py", reason="akatsuki-pp-py is not installed")
    application = HitcircleApp(make_settings(db_url, tmp_path / "data", PP_BACKEND="akatsuki"))
    await application.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url=API) as http:
            yield http, application
    finally:
        await application.shutdown()


async def test_akatsuki_backend_reference_values(
    akatsuki_client: tuple[httpx.AsyncClient, HitcircleApp], engine: AsyncEngine
) -> None:
    client, application = akatsuki_client
    user = await create_user(engine, "Akatsuki")
    await set_key(engine, user["id"], KEY)
    await add_vivid(engine, application)
    listed = (await client.get("/v1/calculate_pp", params={"id": 315}, headers=AUTH)).json()
    assert [round(item["performance"]["pp"], 2) for item in listed] == [152.40, 133.31, 135.73, 120.05]
    assert listed[0]["performance"]["pp"] == 152.404
    assert round(listed[0]["difficulty"]["stars"], 4) == 5.2338
    query = {"id": 315, "mods": 136, "combo": 52, "n100": 14, "n50": 5, "ngeki": 23, "nkatu": 6, "misses": 6}
    single = (await client.get("/v1/calculate_pp", params=query, headers=AUTH)).json()
    assert (single["performance"]["pp"], single["accuracy"]) == (10.448, None)

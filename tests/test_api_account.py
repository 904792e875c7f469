"""Authorised endpoints acting for the key's owner: get_friends, set_player_info, and the key checks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.app import HitcircleApp
from hitcircle.db import schema
from hitcircle.live.models import OnlinePlayer
from tests.factories import create_user

KEY = "11111111-2222-4333-8444-555555555555"
ADMIN_KEY = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


async def with_key(engine: AsyncEngine, user_id: int, key: str | None) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(schema.users).where(schema.users.c.id == user_id).values(api_key=key))


async def befriend(engine: AsyncEngine, user1: int, user2: int, kind: str = "friend") -> None:
    async with engine.begin() as conn:
        await conn.execute(schema.relationships.insert().values(user1=user1, user2=user2, type=kind))


@pytest.fixture
async def owner(engine: AsyncEngine) -> dict[str, Any]:
    user = await create_user(engine, "Owner", country="nl")
    await with_key(engine, user["id"], KEY)
    return user


async def test_get_friends_and_blocks(
    client: httpx.AsyncClient, engine: AsyncEngine, app: HitcircleApp, owner: dict[str, Any]
) -> None:
    zed = await create_user(engine, "zed", country="se")
    amy = await create_user(engine, "Amy", country="us")
    troll = await create_user(engine, "troll", country="ru")
    await befriend(engine, owner["id"], zed["id"])
    await befriend(engine, owner["id"], amy["id"])
    await befriend(engine, owner["id"], troll["id"], "block")
    await befriend(engine, zed["id"], owner["id"])  # someone else's list: not shown
    await app.runtime.live.add_player(OnlinePlayer(zed["id"], "zed", 3, "se", 1.0))  # type: ignore[union-attr]
    response = await client.get("/v1/get_friends", headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "friends": [
            {"id": amy["id"], "name": "Amy", "country": "us", "online": False},
            {"id": zed["id"], "name": "zed", "country": "se", "online": True},
        ],
    }
    blocks = await client.get("/api/get_friends", params={"blocks": "true"}, headers={"Authorization": KEY})
    assert blocks.json() == {
        "status": "success",
        "friends": [{"id": troll["id"], "name": "troll", "country": "ru", "online": False}],
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic " + KEY},
    ],
)
async def test_missing_or_unknown_key_is_401(
    client: httpx.AsyncClient, owner: dict[str, Any], headers: dict[str, str]
) -> None:
    for method, path in (("GET", "/v1/get_friends"), ("POST", "/v1/set_player_info")):
        response = await client.request(method, path, headers=headers, data={"play_style": "1"})
        assert (response.status_code, response.json()) == (401, {"status": "Invalid API key."})


async def test_key_forms_and_revocation_take_effect_at_once(
    client: httpx.AsyncClient, engine: AsyncEngine, owner: dict[str, Any]
) -> None:
    for value in (f"Bearer {KEY}", f"bearer {KEY}", KEY, f"  {KEY}  "):
        response = await client.get("/v1/get_friends", headers={"Authorization": value})
        assert response.status_code == 200, value
    await with_key(engine, owner["id"], None)
    revoked = await client.get("/v1/get_friends", headers={"Authorization": f"Bearer {KEY}"})
    assert (revoked.status_code, revoked.json()) == (401, {"status": "Invalid API key."})


async def test_set_player_info_form_and_json(
    client: httpx.AsyncClient, engine: AsyncEngine, owner: dict[str, Any]
) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    form = await client.post(
        "/v1/set_player_info",
        headers=auth,
        data={
            "userpage_content": "hello [b]world[/b]",
            "preferred_mode": "4",
            "play_style": "3",
            "country": "DE",
        },
    )
    assert form.status_code == 200
    info = form.json()["info"]
    assert form.json()["status"] == "success"
    assert (info["userpage_content"], info["preferred_mode"], info["play_style"], info["country"]) == (
        "hello [b]world[/b]", 4, 3, "de",
    )  # fmt: skip
    assert list(info)[:3] == ["id", "name", "safe_name"]
    stored = await client.get("/v1/get_player_info", params={"id": owner["id"], "scope": "info"})
    assert stored.json()["player"]["info"] == info
    cleared = await client.put("/api/set_player_info", headers=auth, json={"userpage_content": None})
    assert cleared.json()["info"]["userpage_content"] is None


@pytest.mark.parametrize(
    ("payload", "status", "body"),
    [
        ({"colour": "red", "play_style": 1}, 400, {"status": "Unknown field(s): colour."}),
        ({}, 400, {"status": "No fields to update."}),
        (
            {"preferred_mode": 7, "country": "zz", "play_style": -1, "userpage_content": "x" * 2049},
            400,
            {
                "status": "Invalid value(s).",
                "errors": {
                    "preferred_mode": "must be a valid mode (0-6 or 8)",
                    "country": "must be an ISO 3166-1 alpha-2 country code",
                    "play_style": "must be between 0 and 2147483647",
                    "userpage_content": "must be at most 2048 characters",
                },
            },
        ),
        ({"custom_badge_name": "Cool"}, 403, {"status": "Forbidden."}),
        ({"priv": 3}, 403, {"status": "Forbidden."}),
        ({"id": 4, "play_style": 1}, 403, {"status": "Forbidden."}),
    ],
)
async def test_set_player_info_rejections_write_nothing(
    client: httpx.AsyncClient,
    owner: dict[str, Any],
    payload: dict[str, Any],
    status: int,
    body: dict[str, Any],
) -> None:
    auth = {"Authorization": KEY}
    before = (await client.get("/v1/get_player_info", params={"id": owner["id"], "scope": "info"})).json()
    response = await client.post("/v1/set_player_info", headers=auth, json=payload)
    assert (response.status_code, response.json()) == (status, body)
    after = (await client.get("/v1/get_player_info", params={"id": owner["id"], "scope": "info"})).json()
    assert after == before


async def test_set_player_info_bad_bodies(client: httpx.AsyncClient, owner: dict[str, Any]) -> None:
    auth = {"Authorization": KEY}
    not_json = await client.post(
        "/v1/set_player_info", headers={**auth, "Content-Type": "application/json"}, content=b"{nope"
    )
    assert (not_json.status_code, not_json.json()) == (400, {"status": "Body is not valid JSON."})
    array = await client.post("/v1/set_player_info", headers=auth, json=[1, 2])
    assert (array.status_code, array.json()) == (400, {"status": "Body must be a JSON object."})
    huge = await client.post("/v1/set_player_info", headers=auth, json={"userpage_content": "x" * 70_000})
    assert huge.status_code == 413
    assert huge.json() == {"status": "Request body too large (max 65536 bytes)."}
    wrong_method = await client.get("/v1/set_player_info", headers=auth)
    assert wrong_method.status_code == 405


async def test_restricted_owner_may_read_but_not_write(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    banned = await create_user(engine, "Banned", priv=2)
    await with_key(engine, banned["id"], KEY)
    read = await client.get("/v1/get_friends", headers={"Authorization": KEY})
    assert read.status_code == 200
    write = await client.post("/v1/set_player_info", headers={"Authorization": KEY}, data={"play_style": "1"})
    assert (write.status_code, write.json()) == (403, {"status": "Forbidden."})


async def test_donors_set_badges_and_admins_edit_others(
    client: httpx.AsyncClient, engine: AsyncEngine, owner: dict[str, Any]
) -> None:
    donor = await create_user(engine, "Donor", priv=3 | 16)
    await with_key(engine, donor["id"], "dddddddd-dddd-4ddd-8ddd-dddddddddddd")
    badge = await client.post(
        "/v1/set_player_info",
        headers={"Authorization": "dddddddd-dddd-4ddd-8ddd-dddddddddddd"},
        json={"custom_badge_name": "Supporter", "custom_badge_icon": "heart"},
    )
    assert badge.status_code == 200
    assert (badge.json()["info"]["custom_badge_name"], badge.json()["info"]["custom_badge_icon"]) == (
        "Supporter",
        "heart",
    )

    admin = await create_user(engine, "Admin", priv=3 | 8192)
    await with_key(engine, admin["id"], ADMIN_KEY)
    edited = await client.post(
        "/v1/set_player_info",
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        data={
            "id": str(owner["id"]),
            "priv": "1",
            "silence_end": "1800000000",
            "donor_end": "1900000000",
            "country": "jp",
        },
    )
    assert edited.status_code == 200
    info = edited.json()["info"]
    assert (info["id"], info["priv"], info["silence_end"], info["donor_end"], info["country"]) == (
        owner["id"], 1, 1_800_000_000, 1_900_000_000, "jp",
    )  # fmt: skip
    missing = await client.post(
        "/v1/set_player_info", headers={"Authorization": ADMIN_KEY}, json={"id": 99999, "play_style": 1}
    )
    assert (missing.status_code, missing.json()) == (404, {"status": "Player not found."})

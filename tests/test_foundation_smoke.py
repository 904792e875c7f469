"""The app starts on every engine and routes each surface by host and by path."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import DOMAIN
from tests.factories import create_user


async def test_player_count_by_host_and_path(client: httpx.AsyncClient, engine: object) -> None:
    from sqlalchemy.ext.asyncio import AsyncEngine

    assert isinstance(engine, AsyncEngine)
    await create_user(engine)
    expected = {"status": "success", "counts": {"online": 0, "total": 1}}
    by_host = await client.get("/v1/get_player_count")
    assert by_host.status_code == 200
    assert by_host.json() == expected
    by_path = await client.get("http://localhost/v1/get_player_count")
    assert by_path.json() == expected
    bare = await client.get(f"http://api.{DOMAIN}/get_player_count")
    assert bare.json() == expected
    api_prefix = await client.get("http://127.0.0.1:8000/api/get_player_count")
    assert api_prefix.json() == expected


@pytest.mark.parametrize("path", ["/get_player_count", "/nothing", "/v1/nothing"])
async def test_unknown_paths_are_json_404(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"http://localhost{path}")
    assert response.status_code == 404
    assert response.json() == {"status": "Not found."}
    assert response.headers["content-type"] == "application/json"

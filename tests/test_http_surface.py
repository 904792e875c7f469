"""HTTP behaviour shared by every endpoint: CORS, errors, OpenAPI, host and path routing."""

from __future__ import annotations

import logging

import httpx
import pytest

from hitcircle.app import HitcircleApp
from hitcircle.http.request import Request
from hitcircle.http.response import Response
from hitcircle.http.routing import Route
from hitcircle.surfaces import Surface, surface_for_host, surface_for_path
from tests.conftest import make_settings


async def test_cors_allows_any_origin_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/get_player_count", headers={"Origin": "https://stats.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = await client.options(
        "/v1/get_player_count",
        headers={"Origin": "https://stats.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]


async def test_cors_origin_list(sqlite_db_url: str, tmp_path: object) -> None:
    from pathlib import Path

    settings = make_settings(sqlite_db_url, Path(str(tmp_path)) / "data", CORS_ORIGINS="https://a.example")
    app = HitcircleApp(settings)
    await app.startup()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http:
            allowed = await http.get("/v1/get_player_count", headers={"Origin": "https://a.example"})
            assert allowed.headers["access-control-allow-origin"] == "https://a.example"
            assert allowed.headers["vary"] == "Origin"
            denied = await http.get("/v1/get_player_count", headers={"Origin": "https://b.example"})
            assert "access-control-allow-origin" not in denied.headers
    finally:
        await app.shutdown()


async def test_unexpected_error_is_json_500_with_request_id(
    client: httpx.AsyncClient, app: HitcircleApp, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(_: Request) -> Response:
        raise RuntimeError("secret detail")

    app.routers[Surface.API].add(Route("/v1/explode", explode))
    with caplog.at_level(logging.ERROR, logger="hitcircle.http"):
        response = await client.get("/v1/explode")
    assert response.status_code == 500
    body = response.json()
    assert body == {"status": "Internal server error.", "request_id": response.headers["x-request-id"]}
    assert "secret detail" not in response.text
    assert any(body["request_id"] in record.getMessage() for record in caplog.records)


async def test_method_not_allowed_and_head(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/get_player_count")
    assert (response.status_code, response.json()) == (405, {"status": "Method not allowed."})
    assert response.headers["allow"] == "GET"
    head = await client.head("/v1/get_player_count")
    assert head.status_code == 200 and head.content == b""


async def test_openapi_lists_every_endpoint_with_parameters(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"] == "3.1.0"
    names = {path.removeprefix("/v1/") for path in spec["paths"] if path.startswith("/v1/")}
    assert names >= {
        "get_player_count", "get_player_info", "get_player_status", "get_player_scores", "get_player_most_played",
        "get_map_info", "get_map_scores", "get_score_info", "get_replay", "get_match", "get_leaderboard",
        "get_clan", "get_mappool", "search_players",
    }  # fmt: skip
    params = {p["name"]: p for p in spec["paths"]["/v1/get_player_scores"]["get"]["parameters"]}
    assert params["scope"]["required"] is True
    assert params["limit"]["schema"]["maximum"] == 100
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text


async def test_health_reports_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.json() == {"status": "ok", "database": "ok", "live_state": "ok"}


@pytest.mark.parametrize(
    ("host", "surface"),
    [
        ("api.hitcircle.test", Surface.API),
        ("API.hitcircle.test:8080", Surface.API),
        ("osu.hitcircle.test", Surface.WEB),
        ("c.hitcircle.test", Surface.BANCHO),
        ("ce.hitcircle.test", Surface.BANCHO),
        ("c4.hitcircle.test", Surface.BANCHO),
        ("c5.hitcircle.test", Surface.BANCHO),
        ("c6.hitcircle.test", Surface.BANCHO),
        ("a.hitcircle.test", Surface.AVATARS),
        ("c.ppy.sh", Surface.BANCHO),
        ("osu.ppy.sh", Surface.WEB),
        ("a.ppy.sh", Surface.AVATARS),
        ("hitcircle.test", None),
        ("b.hitcircle.test", None),
        ("localhost:8000", None),
    ],
)
def test_surface_for_host(host: str, surface: Surface | None) -> None:
    assert surface_for_host(host, "hitcircle.test") is surface


def test_surface_for_path() -> None:
    assert surface_for_path("/v1/get_match", "GET", {}) is Surface.API
    assert surface_for_path("/api/get_match", "GET", {}) is Surface.API
    assert surface_for_path("/web/osu-getreplay.php", "GET", {}) is Surface.WEB
    assert surface_for_path("/users", "POST", {}) is Surface.WEB
    assert surface_for_path("/avatars/3", "GET", {}) is Surface.AVATARS
    assert surface_for_path("/", "POST", {"user-agent": "osu!"}) is Surface.BANCHO
    assert surface_for_path("/", "POST", {"osu-token": "abc"}) is Surface.BANCHO
    assert surface_for_path("/", "GET", {"user-agent": "osu!"}) is None
    assert surface_for_path("/get_match", "GET", {}) is None

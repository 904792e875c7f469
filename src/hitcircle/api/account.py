"""Endpoints acting for the API key's owner: get_friends and set_player_info."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from pydantic import Field

from hitcircle.api.auth import authenticate, authenticate_writer
from hitcircle.api.serializers import row_dict
from hitcircle.http.errors import HTTPError
from hitcircle.http.params import QueryParams, parse_query
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.repositories.relationships import RelationshipsRepository
from hitcircle.services.container import Services
from hitcircle.services.profiles import ProfileError, ProfileService

BODY_LIMIT = 64 * 1024


class FriendsParams(QueryParams):
    blocks: bool = Field(False, description="List blocked users instead of friends.")


async def read_fields(request: Request) -> dict[str, Any]:
    """A JSON object or a url-encoded form; 400 for anything else."""
    body = await request.body(limit=BODY_LIMIT)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = orjson.loads(body) if body else {}
        except orjson.JSONDecodeError:
            raise HTTPError(400, "Body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise HTTPError(400, "Body must be a JSON object.")
        return data
    if content_type in ("application/x-www-form-urlencoded", ""):
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except UnicodeDecodeError:
            raise HTTPError(400, "Body is not valid UTF-8.") from None
    raise HTTPError(400, "Send a JSON object or a url-encoded form.")


def routes(svc: Services) -> list[Route]:
    relationships = RelationshipsRepository(svc.runtime.db, svc.runtime.cache)
    profiles = ProfileService(svc.accounts)
    live = svc.runtime.live

    async def get_friends(request: Request) -> Response:
        p = parse_query(FriendsParams, request)
        owner = await authenticate(request, svc.accounts)
        rows = await relationships.listed(owner.id, "block" if p.blocks else "friend")
        online = await live.online_among([int(r.id) for r in rows])
        friends = [{"id": r.id, "name": r.name, "country": r.country, "online": r.id in online} for r in rows]
        return json_response({"status": "success", "friends": friends})

    async def set_player_info(request: Request) -> Response:
        actor = await authenticate_writer(request, svc.accounts)
        fields = await read_fields(request)
        try:
            target = await profiles.apply(actor, fields)
        except ProfileError as exc:
            body: dict[str, Any] = {"status": exc.message}
            if exc.errors:
                body["errors"] = exc.errors
            raise HTTPError(exc.status, body=body) from None
        info = await svc.users.info(target)
        assert info is not None
        return json_response({"status": "success", "info": row_dict(info)})

    return [
        Route(
            "/v1/get_friends",
            get_friends,
            params=FriendsParams,
            summary="The key owner's friends (or blocked users), with whether each is online",
            tag="account",
            auth=True,
            responses={401: "Missing or unknown API key"},
        ),
        Route(
            "/v1/set_player_info",
            set_player_info,
            methods=frozenset({"POST", "PUT"}),
            summary="Edit the key owner's profile (administrators: anyone's, with `id`)",
            description=(
                "Fields: userpage_content, preferred_mode, play_style, country; donors and staff also "
                "custom_badge_name, custom_badge_icon; administrators also id, priv, silence_end, donor_end. "
                "Nothing is written unless every field is valid. Answers the updated `info` object."
            ),
            tag="account",
            auth=True,
            request_body="form-or-json",
            responses={
                400: "Unknown or invalid fields",
                401: "Missing or unknown API key",
                403: "Restricted owner, or a field the owner may not set",
                404: "Player not found",
            },
        ),
    ]

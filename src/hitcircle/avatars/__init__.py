"""Avatar serving: `a.<domain>/<id>` (and `/<id>.<ext>`), `/avatars/<id>` in single-host mode.

A user without an avatar gets the default image (200), as bancho.py's nginx rule does. Responses carry the
file's real content type, an ETag (answered 304 on `If-None-Match`), `Last-Modified` and a short public
cache lifetime, since avatars change.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from hitcircle.http.errors import HTTPError
from hitcircle.http.request import Request
from hitcircle.http.response import Response
from hitcircle.http.routing import Route, Router
from hitcircle.services.avatars import AvatarService
from hitcircle.services.container import Services

CACHE_CONTROL = "public, max-age=60"
#: extensions a client may append to the id (`/1000.png`); whatever the user's file is gets served
URL_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "jfif", "webp"})
MAX_ID_DIGITS = 10
NOT_FOUND = "Not found."


@dataclass(frozen=True)
class AvatarFile:
    body: bytes
    content_type: str
    etag: str
    last_modified: float


def build_router(services: Services) -> Router:
    avatars = AvatarService(services.runtime.paths)

    async def serve(user_id: int | None, request: Request) -> Response:
        file = await asyncio.to_thread(_load_avatar, avatars, user_id)
        return _file_response(file, request)

    async def avatar(request: Request) -> Response:
        user_id = parse_avatar_path(request.path_params.get("rest", ""))
        if user_id is None:
            raise HTTPError(404, NOT_FOUND)
        return await serve(user_id, request)

    async def favicon(request: Request) -> Response:
        return await serve(None, request)

    router = Router()
    router.add(Route("/favicon.ico", favicon, include_in_schema=False))
    router.add_prefix("/avatars/", Route("/avatars/{id}", avatar, include_in_schema=False))
    router.add_prefix("/", Route("/{id}", avatar, include_in_schema=False))
    return router


def parse_avatar_path(rest: str) -> int | None:
    """`1000` or `1000.png` -> 1000; anything else (names, sub-paths, odd extensions) -> None."""
    stem, dot, ext = rest.partition(".")
    if dot and ext.lower() not in URL_EXTENSIONS:
        return None
    if not (stem.isascii() and stem.isdigit()) or len(stem) > MAX_ID_DIGITS:
        return None
    return int(stem)


def _load_avatar(avatars: AvatarService, user_id: int | None) -> AvatarFile:
    """Read the user's file (or the default one) in one open, so body and validators always match.

    The file may be replaced or removed between the lookup and the open (a new upload removes the old
    `.jpeg`); then look again.
    """
    for _ in range(3):
        path = avatars.locate(user_id) if user_id is not None else None
        try:
            return _read(path or avatars.default_avatar())
        except FileNotFoundError:
            continue
    return _read(avatars.default_avatar())


def _read(path: Path) -> AvatarFile:
    with path.open("rb") as file:
        stat = os.fstat(file.fileno())
        body = file.read()
    tag = hashlib.blake2b(
        f"{stat.st_dev}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}".encode(), digest_size=12
    ).hexdigest()
    return AvatarFile(body, content_type_of(body), f'"{tag}"', stat.st_mtime)


def content_type_of(data: bytes) -> str:
    """The image type from the file's own bytes, not its name."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def _file_response(file: AvatarFile, request: Request) -> Response:
    headers = {
        "etag": file.etag,
        "cache-control": CACHE_CONTROL,
        "last-modified": formatdate(file.last_modified, usegmt=True),
    }
    if _not_modified(file, request):
        response = Response(b"", 304, content_type=None)
    else:
        response = Response(file.body, content_type=file.content_type.encode())
    for name, value in headers.items():
        response.set_header(name, value)
    return response


def _not_modified(file: AvatarFile, request: Request) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or file.etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since_date = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        if since_date.tzinfo is None:
            since_date = since_date.replace(tzinfo=UTC)
        return int(file.last_modified) <= since_date.timestamp()
    return False

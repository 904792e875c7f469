"""`set_avatar` (POST and PUT, API key): upload the key owner's avatar as the multipart field `avatar`."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from hitcircle.api.auth import authenticate_writer
from hitcircle.http.errors import HTTPError
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.services.avatars import MAX_BYTES, AvatarError, AvatarService, AvatarTooLarge
from hitcircle.services.container import Services

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FIELD = "avatar"
MISSING_FILE = "must provide avatar file."
#: request bodies up to this size are parsed: the 4 MiB file plus room for the multipart framing;
#: anything bigger is answered 413 before it is read
BODY_LIMIT = MAX_BYTES + 64 * 1024


def routes(svc: Services) -> list[Route]:
    avatars = AvatarService(svc.runtime.paths)

    async def set_avatar(request: Request) -> Response:
        account = await authenticate_writer(request, svc.accounts)
        body = await request.body(limit=BODY_LIMIT)
        data = multipart_file(request.headers.get("content-type"), body, FIELD)
        if not data:
            raise HTTPError(400, MISSING_FILE)
        if len(data) > MAX_BYTES:
            raise HTTPError(400, AvatarTooLarge().message)
        try:
            await avatars.store(account.id, data)
        except AvatarError as exc:
            raise HTTPError(400, exc.message) from None
        return json_response({"status": "success"})

    return [
        Route(
            "/v1/set_avatar",
            set_avatar,
            methods=frozenset({"POST", "PUT"}),
            summary="Set the key owner's avatar (PNG, JPEG, GIF or WebP; at most 4 MiB and 4096x4096)",
            description=(
                "Multipart field `avatar`. The image is stored as a PNG scaled to fit 256x256 (the first "
                "frame of an animation) and served at `a.<domain>/<id>` and `/avatars/<id>`."
            ),
            tag="players",
            responses={
                400: "No `avatar` file, file over 4 MiB, not a PNG/JPEG/GIF/WebP image, image over "
                "4096x4096, or a corrupt file",
                401: "Missing or unknown API key",
                403: "The key's owner is restricted",
                413: "Request body far over the limit",
            },
            auth=True,
            request_body="multipart",
        )
    ]


def multipart_file(content_type: str | None, body: bytes, field: str) -> bytes | None:
    """The content of the first complete part named `field` of a `multipart/form-data` body, or None
    when the body is not multipart, is malformed, or has no such part."""
    ctype, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        return None
    wanted = field.encode()
    found: list[bytes] = []
    header_name = bytearray()
    header_value = bytearray()
    headers: dict[bytes, bytes] = {}
    chunks: list[bytes] = []
    capturing = False

    def on_part_begin() -> None:
        nonlocal capturing
        headers.clear()
        chunks.clear()
        capturing = False

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_name.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(header_name).strip().lower()] = bytes(header_value).strip()
        header_name.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        nonlocal capturing
        disposition, params = parse_options_header(headers.get(b"content-disposition", b"").decode("latin-1"))
        capturing = not found and disposition == b"form-data" and params.get(b"name") == wanted

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if capturing:
            chunks.append(data[start:end])

    def on_part_end() -> None:
        if capturing:
            found.append(b"".join(chunks))

    callbacks: MultipartCallbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    with contextlib.suppress(FormParserError):  # malformed: keep a part that ended before the error
        parser = MultipartParser(boundary, callbacks)
        parser.write(body)
        parser.finalize()
    return found[0] if found else None

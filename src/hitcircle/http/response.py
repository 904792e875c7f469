"""Responses: JSON (orjson), bytes and the ASGI send step."""

from __future__ import annotations

from typing import Any

import orjson

from hitcircle.http.request import Send

JSON_TYPE = b"application/json"


class Response:
    __slots__ = ("body", "headers", "status")

    def __init__(
        self,
        body: bytes = b"",
        status: int = 200,
        content_type: bytes | None = JSON_TYPE,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        self.body = body
        self.status = status
        self.headers: list[tuple[bytes, bytes]] = headers or []
        if content_type is not None:
            self.headers.append((b"content-type", content_type))

    def set_header(self, name: str, value: str) -> None:
        key = name.lower().encode("latin-1")
        self.headers = [(k, v) for k, v in self.headers if k != key]
        self.headers.append((key, value.encode("latin-1")))

    async def send_to(self, send: Send, *, head: bool = False) -> None:
        headers = [*self.headers, (b"content-length", str(len(self.body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else self.body})


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(dumps(data), status)
    for name, value in (headers or {}).items():
        response.set_header(name, value)
    return response


def error_response(status: int, message: str) -> Response:
    return Response(dumps({"status": message}), status)

"""The request object handed to handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from hitcircle.http.errors import PayloadTooLarge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Default cap on request bodies; endpoints that take uploads pass their own.
DEFAULT_BODY_LIMIT = 1024 * 1024


class Request:
    __slots__ = (
        "_body",
        "_headers",
        "_query",
        "method",
        "path",
        "path_params",
        "receive",
        "request_id",
        "scope",
    )

    def __init__(self, scope: Scope, receive: Receive, request_id: str) -> None:
        self.scope = scope
        self.receive = receive
        self.request_id = request_id
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.path_params: dict[str, str] = {}
        self._headers: dict[str, str] | None = None
        self._query: list[tuple[str, str]] | None = None
        self._body: bytes | None = None

    @property
    def headers(self) -> dict[str, str]:
        """Lower-cased header names; a repeated header keeps its last value."""
        if self._headers is None:
            self._headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in self.scope.get("headers", ())
            }
        return self._headers

    @property
    def query_items(self) -> list[tuple[str, str]]:
        if self._query is None:
            raw = self.scope.get("query_string", b"")
            self._query = parse_qsl(raw.decode("latin-1"), keep_blank_values=True) if raw else []
        return self._query

    def query_dict(self, list_params: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Last value wins for scalars; names in `list_params` collect every value."""
        out: dict[str, Any] = {}
        for key, value in self.query_items:
            if key in list_params:
                out.setdefault(key, []).append(value)
            else:
                out[key] = value
        return out

    async def body(self, limit: int = DEFAULT_BODY_LIMIT) -> bytes:
        if self._body is not None:
            return self._body
        declared = self.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        self._body = b"".join(chunks)
        return self._body

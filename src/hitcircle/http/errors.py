"""Errors a handler raises to answer with a JSON body."""

from __future__ import annotations

from typing import Any


class HTTPError(Exception):
    """Answer `status` with the JSON `body` (default `{"status": message}`)."""

    def __init__(
        self,
        status: int,
        message: str = "",
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or str(status))
        self.status = status
        self.body = body if body is not None else {"status": message}
        self.headers = headers or {}


class PayloadTooLarge(HTTPError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body too large (max {limit} bytes).")

"""CORS for the developer API: browsers' front ends call it directly."""

from __future__ import annotations

from hitcircle.http.response import Response

ALLOWED_METHODS = "GET, HEAD, POST, PUT, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"


class CorsPolicy:
    def __init__(self, origins: list[str]) -> None:
        self.any_origin = "*" in origins
        self.origins = frozenset(origins)

    def origin_allowed(self, origin: str) -> bool:
        return self.any_origin or origin in self.origins

    def decorate(self, response: Response, origin: str | None) -> None:
        if origin is None or not self.origin_allowed(origin):
            return
        if self.any_origin:
            response.headers.append((b"access-control-allow-origin", b"*"))
        else:
            response.headers.append((b"access-control-allow-origin", origin.encode("latin-1")))
            response.headers.append((b"vary", b"Origin"))
        response.headers.append((b"access-control-expose-headers", b"Content-Disposition, X-Request-Id"))

    def preflight(self, origin: str | None) -> Response:
        """Answer a preflight; the origin headers themselves are added by `decorate` like on any answer."""
        response = Response(b"", 204, content_type=None)
        if origin is not None and self.origin_allowed(origin):
            response.headers.append((b"access-control-allow-methods", ALLOWED_METHODS.encode()))
            response.headers.append((b"access-control-allow-headers", ALLOWED_HEADERS.encode()))
            response.headers.append((b"access-control-max-age", b"600"))
        return response

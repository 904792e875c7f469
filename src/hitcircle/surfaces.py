"""Which surface answers a request: by host name first, then by path (single-host mode)."""

from __future__ import annotations

from enum import StrEnum


class Surface(StrEnum):
    API = "api"
    WEB = "web"
    BANCHO = "bancho"
    AVATARS = "avatars"


_SUBDOMAINS: dict[str, Surface] = {
    "api": Surface.API,
    "osu": Surface.WEB,
    "c": Surface.BANCHO,
    "ce": Surface.BANCHO,
    "c4": Surface.BANCHO,
    "c5": Surface.BANCHO,
    "c6": Surface.BANCHO,
    "a": Surface.AVATARS,
}


def surface_for_host(host: str, domain: str) -> Surface | None:
    """`api.example.com:8080` -> API. Also answers for the `ppy.sh` names a patched client uses."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower().rstrip(".")
    for base in (domain, "ppy.sh"):
        if name.endswith("." + base):
            return _SUBDOMAINS.get(name[: -len(base) - 1])
    return None


def surface_for_path(path: str, method: str, headers: dict[str, str]) -> Surface | None:
    """Single-host mode: every surface is reachable on any host by its path."""
    if path.startswith(("/v1/", "/api/")) or path in ("/docs", "/openapi.json", "/health"):
        return Surface.API
    if path.startswith("/web/") or path == "/users" or path.startswith("/users/"):
        return Surface.WEB
    if path.startswith("/avatars/"):
        return Surface.AVATARS
    if path == "/" and method == "POST" and (headers.get("user-agent") == "osu!" or "osu-token" in headers):
        return Surface.BANCHO
    return None

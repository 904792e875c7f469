"""Routes and a router matching exact paths and path prefixes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from hitcircle.http.params import QueryParams
from hitcircle.http.request import Request
from hitcircle.http.response import Response

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    path: str
    handler: Handler
    methods: frozenset[str] = frozenset({"GET"})
    params: type[QueryParams] | None = None
    summary: str = ""
    description: str = ""
    tag: str = ""
    #: status -> description, for the OpenAPI document
    responses: dict[int, str] = field(default_factory=dict)
    auth: bool = False
    include_in_schema: bool = True
    request_body: str | None = None  # "multipart" | "form-or-json" | None
    response_type: str = "application/json"
    #: the answer depends only on the query string and these tables: successful answers are cached
    cache_tables: tuple[str, ...] = ()

    def allows(self, method: str) -> bool:
        return method in self.methods or (method == "HEAD" and "GET" in self.methods)


class Router:
    def __init__(self) -> None:
        self._exact: dict[str, Route] = {}
        self._prefixes: list[tuple[str, Route]] = []
        self.routes: list[Route] = []

    def add(self, route: Route, *aliases: str) -> None:
        """Register `route` at its path and at each alias path."""
        self.routes.append(route)
        for path in (route.path, *aliases):
            self._exact[path] = route

    def add_prefix(self, prefix: str, route: Route) -> None:
        """Match every path under `prefix`; the remainder is `request.path_params["rest"]`."""
        self.routes.append(route)
        self._prefixes.append((prefix, route))

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        route = self._exact.get(path)
        if route is not None:
            return route, {}
        for prefix, candidate in self._prefixes:
            if path.startswith(prefix) and len(path) > len(prefix):
                return candidate, {"rest": path[len(prefix) :]}
        return None

    def paths(self) -> Iterable[tuple[str, Route]]:
        return self._exact.items()

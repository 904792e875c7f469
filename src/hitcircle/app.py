"""The ASGI application: one factory, four surfaces routed by host and by path."""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from hitcircle import api, avatars, bancho, web
from hitcircle.config import Settings, load_settings
from hitcircle.gc_tuning import YoungCollections, tune_for_serving
from hitcircle.http.cors import CorsPolicy
from hitcircle.http.errors import HTTPError
from hitcircle.http.request import Receive, Request, Scope, Send
from hitcircle.http.response import Response, error_response, json_response
from hitcircle.http.routing import Router
from hitcircle.logsetup import configure_logging
from hitcircle.runtime import Runtime
from hitcircle.services.container import Services
from hitcircle.services.startup import on_worker_start
from hitcircle.surfaces import Surface, surface_for_host, surface_for_path

log = logging.getLogger("hitcircle.http")


class HitcircleApp:
    """ASGI callable. State lives in `self.runtime`, created by the lifespan start-up."""

    def __init__(
        self,
        settings: Settings,
        runtime_factory: Callable[[Settings], Awaitable[Runtime]] | None = None,
        *,
        serving_process: bool = False,
    ) -> None:
        self.settings = settings
        self._serving_process = serving_process  # a worker of `hitcircle serve`: owns its process
        self._collections: YoungCollections | None = None
        self._runtime_factory = runtime_factory or Runtime.start
        self.runtime: Runtime | None = None
        self.services: Services | None = None
        self.routers: dict[Surface, Router] = {}
        self.cors = CorsPolicy(settings.cors_origin_list)
        # request ids: unique per process start, cheap to make
        self._id_prefix = f"{uuid.uuid4().hex[:8]}-"
        self._ids = itertools.count(1)

    # --- lifecycle ---------------------------------------------------------------------------------------
    async def startup(self) -> None:
        runtime = await self._runtime_factory(self.settings)
        services = Services.build(runtime)
        await on_worker_start(services)
        if self._serving_process:
            self._collections = tune_for_serving()
        self.runtime = runtime
        self.services = services
        self.routers = {
            Surface.API: api.build_router(services),
            Surface.WEB: web.build_router(services),
            Surface.BANCHO: bancho.build_router(services),
            Surface.AVATARS: avatars.build_router(services),
        }

    async def shutdown(self) -> None:
        if self._collections is not None:
            self._collections.stop()
            self._collections = None
        if self.services is not None:
            await self.services.leaderboards.close()
        if self.runtime is not None:
            await self.runtime.close()
            self.runtime = None
            self.services = None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- requests ----------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, f"{self._id_prefix}{next(self._ids):x}")
        surface: Surface | None = None
        try:
            surface, response = await self._dispatch(request)
        except HTTPError as exc:
            response = json_response(exc.body, exc.status, exc.headers)
        except Exception:
            log.exception(
                "unhandled error [request %s] %s %s", request.request_id, request.method, request.path
            )
            response = json_response(
                {"status": "Internal server error.", "request_id": request.request_id}, 500
            )
        if surface is Surface.API:
            self.cors.decorate(response, request.headers.get("origin"))
        response.headers.append((b"x-request-id", request.request_id.encode()))
        await response.send_to(send, head=request.method == "HEAD")

    async def _dispatch(self, request: Request) -> tuple[Surface | None, Response]:
        headers = request.headers
        surface = surface_for_host(headers.get("host", ""), self.settings.domain)
        by_host = surface is not None
        if surface is None:
            surface = surface_for_path(request.path, request.method, headers)
        if surface is None:
            return None, error_response(404, "Not found.")
        if self.runtime is None:
            return surface, error_response(503, "Server is starting.")
        router = self.routers[surface]
        matched = router.match(request.path)
        if matched is None or (not by_host and surface is Surface.API and not _path_mode_api(request.path)):
            return surface, error_response(404, "Not found.")
        route, path_params = matched
        if request.method == "OPTIONS" and surface is Surface.API:
            return surface, self.cors.preflight(headers.get("origin"))
        if not route.allows(request.method):
            response = error_response(405, "Method not allowed.")
            response.set_header("allow", ", ".join(sorted(route.methods)))
            return surface, response
        request.path_params = path_params
        try:
            return surface, await route.handler(request)
        except HTTPError as exc:
            return surface, json_response(exc.body, exc.status, exc.headers)


def _path_mode_api(path: str) -> bool:
    return path.startswith(("/v1/", "/api/")) or path in ("/docs", "/openapi.json", "/health")


def create_app(settings: Settings | None = None, **kwargs: Any) -> HitcircleApp:
    """App factory used by `hitcircle serve` (granian `--factory`) and by tests."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    return HitcircleApp(settings, **kwargs)


def create_serving_app() -> HitcircleApp:
    """The factory of `hitcircle serve`'s workers: the app, plus process-wide tuning (gc_tuning)."""
    return create_app(serving_process=True)

"""Run the app on an event loop in a background thread, so synchronous code (Hypothesis tests) can
drive it with real requests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

from hitcircle.app import HitcircleApp, create_app
from hitcircle.config import Settings

T = TypeVar("T")


class AppPortal:
    def __init__(self, settings: Settings, base_url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="app-portal", daemon=True)
        self._thread.start()
        self.app: HitcircleApp = create_app(settings)
        self.call(self.app.startup())
        self.client = self.call(self._client(base_url))

    async def _client(self, base_url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=base_url)

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=120)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.call(self.client.get(url, **kwargs))

    def close(self) -> None:
        self.call(self.client.aclose())
        self.call(self.app.shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

"""Garbage-collector settings for a serving worker.

Measured under the benchmark's load (1M scores, cold and hot requests), with a collector callback timing
every collection inside a worker:

* With CPython's default thresholds a worker ran a full collection about once a second, each scanning
  every object the read cache keeps alive, 60-110 ms. -> Everything alive once start-up is done
  (modules, statements, routes) is frozen, never scanned again, and a full collection runs after 1,000
  middle ones instead of 10. What survives a full collection is frozen right after it, so the next one
  scans only what was promoted since. Frozen objects are still freed when their last reference goes
  (cache entries are); only a reference cycle alive at a freeze that dies later is never collected,
  and request-scoped cycles (exceptions, tasks) die young, long before that.
* Once the read cache was full, young collections of 130-200 ms appeared, each scanning 150-200k
  objects: CPython starts one when allocations minus deallocations pass 700, and a full cache frees an
  old entry for every new one, so the count stayed near zero while every new entry (tuples, rows) piled
  up in the young list. -> `YoungCollections` also collects the young generation every 50 ms and the
  middle one every tenth time, whatever the count says: each such pass sees about 50 ms of new entries
  (well under a millisecond).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

YOUNG_THRESHOLD = 700  # CPython's default
MIDDLE_THRESHOLD = 10  # CPython's default
OLD_THRESHOLD = 1_000  # CPython's default is 10


#: seconds between two timed young collections
YOUNG_INTERVAL = 0.05


def tune_for_serving() -> YoungCollections:
    """Tune the collector of this process (a serving worker, inside its running event loop); the
    returned timer is stopped at shutdown."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
    if _freeze_after_full_collections not in gc.callbacks:
        gc.callbacks.append(_freeze_after_full_collections)
    timer = YoungCollections()
    timer.start(asyncio.get_running_loop())
    return timer


class YoungCollections:
    """Collects the young generation every `interval` seconds, and the middle one every tenth time."""

    def __init__(self, interval: float = YOUNG_INTERVAL) -> None:
        self._interval = interval
        self._ticks = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._handle = loop.call_later(self._interval, self._tick)

    def _tick(self) -> None:
        self._ticks += 1
        gc.collect(1 if self._ticks % MIDDLE_THRESHOLD == 0 else 0)
        if self._loop is not None:
            self._handle = self._loop.call_later(self._interval, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        self._loop = None


def _freeze_after_full_collections(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()

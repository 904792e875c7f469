"""Garbage-collector settings for a serving worker.

Measured under the benchmark's load (1M scores, cold and hot requests): with CPython's default
thresholds a worker ran a full collection about once a second, each scanning every object the read
cache keeps alive and stopping the worker for 60-110 ms, which made most of the p99 latency. Serving
creates few reference cycles (asyncio tasks, exceptions), and those die young, so a worker:

* freezes everything alive once start-up is done (modules, statements, routes): never scanned again;
* keeps the young and middle generations as they are (cheap, and where cycles die);
* runs a full collection after 1,000 middle ones instead of 10: about every few minutes under load.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 700  # CPython's default
MIDDLE_THRESHOLD = 10  # CPython's default
OLD_THRESHOLD = 1_000  # CPython's default is 10


def tune_for_serving() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)

"""A worker of `hitcircle serve` tunes the garbage collector once started; apps made by tests do not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hitcircle.gc_tuning import MIDDLE_THRESHOLD, OLD_THRESHOLD, YOUNG_THRESHOLD

PROBE = """
import asyncio, gc, json
from hitcircle.app import create_app, create_serving_app

async def main():
    before = gc.get_threshold()
    plain = create_app()
    await plain.startup()
    after_plain = (gc.get_threshold(), gc.get_freeze_count())
    await plain.shutdown()
    serving = create_serving_app()
    await serving.startup()
    after_serving = (gc.get_threshold(), gc.get_freeze_count())
    young = gc.get_stats()[0]["collections"]
    await asyncio.sleep(0.5)  # an idle worker: allocations alone would start no collection
    timed = gc.get_stats()[0]["collections"] - young
    await serving.shutdown()
    young = gc.get_stats()[0]["collections"]
    await asyncio.sleep(0.3)
    after_shutdown = gc.get_stats()[0]["collections"] - young
    print(json.dumps({"before": before, "plain": after_plain, "serving": after_serving,
                      "timed": timed, "after_shutdown": after_shutdown}))

asyncio.run(main())
"""


def test_only_serving_workers_tune_the_collector(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gc.db'}",
        "DATA_DIR": str(tmp_path / "data"),
        "REDIS_URL": "",
        "AUTO_MIGRATE": "true",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == [700, 10, 10]
    assert seen["plain"] == [[700, 10, 10], 0]
    threshold, frozen = seen["serving"]
    assert threshold == [YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD] == [700, 10, 1000]
    assert frozen > 10_000  # modules, statements and routes loaded at start-up
    assert seen["timed"] >= 5  # young collections every 50 ms while serving ...
    assert seen["after_shutdown"] == 0  # ... and none once the worker shut down

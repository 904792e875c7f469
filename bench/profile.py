"""Profile one endpoint under load: py-spy on the (single) worker while wrk runs, then the top frames.

    .venv/bin/python bench/profile.py --engine sqlite --scores 1000000 --endpoint get_player_info

Needs a dataset made by `bench/run.py` or `bench/generate.py` (same default locations) and py-spy
(`.venv/bin/pip install py-spy`). Samples only the thread holding the GIL (`--gil`), so idle threads
(aiosqlite's worker waiting on its queue, the event loop in epoll) do not drown the picture. Writes a
speedscope file to bench/results/ and prints: the worker's CPU use during the load, the hottest frames
by own time, and the hitcircle/SQLAlchemy/driver functions by inclusive time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import DATA_DIR, RESULTS_DIR, database_url, sidecar_path
from servers import cpu_seconds, start_hitcircle, stop, worker_pids
from source import freeze_source
from workload import BY_KEY
from wrk import WrkResult, ensure_wrk, run_wrk

INTERESTING = ("hitcircle/", "sqlalchemy/", "aiosqlite/", "asyncmy/", "asyncpg/", "orjson", "pydantic")


def summarize(speedscope: Path, top: int) -> list[str]:
    """Hottest frames of a py-spy speedscope file: by own time, and by inclusive time."""
    data = json.loads(speedscope.read_text())
    names = [
        f"{f['name']} ({Path(f.get('file') or '?').name}:{f.get('line', '?')})"
        for f in data["shared"]["frames"]
    ]
    files = [str(f.get("file") or "") for f in data["shared"]["frames"]]
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for profile in data["profiles"]:
        for stack, weight in zip(profile["samples"], profile["weights"], strict=True):
            total += weight
            if stack:
                own[names[stack[-1]]] += weight
            for index in set(stack):
                if any(mark in files[index] for mark in INTERESTING):
                    inclusive[names[index]] += weight
    lines = [f"{total:.1f} s sampled (the thread holding the GIL)", "", "own time:"]
    total = total or 1
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "inclusive time (hitcircle, SQLAlchemy, drivers, orjson, pydantic):"]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=("sqlite", "mysql", "postgresql"), default="sqlite")
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--endpoint", required=True, choices=sorted(BY_KEY))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--mysql-url", default="mysql://root@127.0.0.1:3306")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        print("error: py-spy is missing (.venv/bin/pip install py-spy)", file=sys.stderr)
        return 1
    url = database_url(args)
    sidecar = sidecar_path(args)
    if not sidecar.exists():
        print(f"error: no dataset at {url}; run bench/run.py or bench/generate.py first", file=sys.stderr)
        return 1
    hot, cold = BY_KEY[args.endpoint].paths(json.loads(sidecar.read_text())["sample"])
    wrk = ensure_wrk()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = RESULTS_DIR / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-profile-{args.engine}-{args.endpoint}"
    run_dir = DATA_DIR / "runs" / f"profile-{os.getpid()}"
    source, snapshot = freeze_source(run_dir / "src")
    app = start_hitcircle(url, 1, run_dir, None, {"PYTHONPATH": str(snapshot)})
    results: list[WrkResult] = []
    try:
        (pid,) = worker_pids(app)
        run_wrk(app.base_url, hot, cold, duration=2, connections=args.connections, wrk=wrk)  # warm-up
        load = threading.Thread(
            target=lambda: results.append(
                run_wrk(
                    app.base_url, hot, cold, duration=args.duration + 2, connections=args.connections, wrk=wrk
                )
            )
        )
        load.start()
        time.sleep(1)
        cpu_before, wall_before = cpu_seconds([pid]), time.monotonic()
        speedscope = stem.with_suffix(".speedscope.json")
        command = [py_spy, "record", "--pid", str(pid), "--duration", str(args.duration), "--gil"]
        command += ["--rate", "250", "--format", "speedscope", "-o", str(speedscope)]
        subprocess.run(command, check=True, capture_output=True)
        cpu_share = (cpu_seconds([pid]) - cpu_before) / (time.monotonic() - wall_before)
        load.join()
    finally:
        stop(app)
    shutil.rmtree(run_dir, ignore_errors=True)
    result = results[0]
    report = [
        f"{args.endpoint} on {args.engine} ({args.scores:,} scores), 1 worker, "
        f"{args.connections} connections, hitcircle {source}",
        f"{result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms "
        f"(under the profiler)",
        f"worker CPU: {cpu_share:.0%} of one core",
        "",
        *summarize(speedscope, args.top),
    ]
    stem.with_suffix(".txt").write_text("\n".join(report) + "\n")
    print("\n".join(report))
    print(f"\nfiles: {stem}.txt, {speedscope}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

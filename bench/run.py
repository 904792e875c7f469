"""The hitcircle benchmark: every v1 read endpoint under wrk against a real `hitcircle serve`, next to a
raw-ASGI floor served by the same program (granian) with the same workers, in the same run.

    .venv/bin/python bench/run.py --engine sqlite,mysql --growth
    .venv/bin/python bench/run.py --engine mysql --scores 10000 --duration 5

See bench/README.md for what is measured, the columns and how the targets are judged.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# the bench modules sit next to this file; hitcircle comes from the virtual environment
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import judge, meta, notes, print_table, write_results
from servers import (
    Server,
    cpu_seconds,
    database_pids,
    disk_reads,
    get,
    machine_cpu,
    other_benchmarks,
    start_floor,
    start_hitcircle,
    stop,
    worker_pids,
)
from source import freeze_source
from workload import HOT_SHARE, Endpoint, select
from wrk import ensure_wrk, run_wrk

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
RESULTS_DIR = BENCH_DIR / "results"
REDIS_URL = "redis://127.0.0.1:6379/12"
ENGINES = ("sqlite", "mysql", "postgresql")
GROWTH_SCORES = 10_000
SAMPLE_FORMAT = 3  # generate.SAMPLE_FORMAT (not imported: run.py never imports hitcircle)
SIZE_PROBES = 30  # requests per list (hot, cold) to size the floor's body


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--engine",
        default="sqlite",
        help="sqlite, mysql or postgresql; several comma-separated (sqlite,mysql) run one after the "
        "other on the same copy of the code",
    )
    p.add_argument("--scores", type=int, default=1_000_000, help="dataset size (default 1,000,000)")
    p.add_argument("--workers", default="1,2", help="worker counts, comma-separated (default 1,2)")
    p.add_argument("--duration", type=float, default=10, help="seconds of load per endpoint (default 10)")
    p.add_argument("--floor-duration", type=float, help="seconds of load on the floor (default duration/2)")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each endpoint")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--endpoints", help="comma-separated subset, e.g. get_map_info,get_player_scores")
    p.add_argument("--reuse", action="store_true", help="use an existing generated dataset of this size")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--redis", action="store_true", help=f"serve with REDIS_URL={REDIS_URL}")
    p.add_argument("--cache-ttl", help="CACHE_TTL for the server (0 turns its read cache off)")
    p.add_argument("--mysql-url", default="mysql://root@127.0.0.1:3306", help="server part of the URL")
    p.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument(
        "--mysql-buffer-pool",
        type=int,
        default=2048,
        help="MiB: raise MariaDB's innodb_buffer_pool_size to this when smaller (SET GLOBAL, until the "
        "server restarts), so the 1M dataset (~1 GiB) is read from memory as on a sized server; "
        "0 leaves it alone (default 2048)",
    )
    p.add_argument(
        "--growth",
        action="store_true",
        help=f"first measure {GROWTH_SCORES:,} scores (1 worker) as the growth baseline, same code",
    )
    p.add_argument("--baseline", type=Path, help="an earlier result JSON (e.g. 10k scores) for growth")
    p.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return p.parse_args(argv)


def database_url(args: argparse.Namespace) -> str:
    name = f"hc_bench_{args.scores}"
    if args.engine == "sqlite":
        return f"sqlite:///{DATA_DIR / name}.db"
    server = args.mysql_url if args.engine == "mysql" else args.postgres_url
    return f"{server.rstrip('/')}/{name}"


def sidecar_path(args: argparse.Namespace) -> Path:
    """Where generate.py writes the dataset's sample (its default location for this engine)."""
    name = f"hc_bench_{args.scores}"
    return DATA_DIR / (
        f"{name}.db.bench.json" if args.engine == "sqlite" else f"{name}.{args.engine}.bench.json"
    )


def dataset(args: argparse.Namespace, url: str, snapshot: Path) -> dict[str, Any]:
    """The sidecar of the dataset, generating it unless --reuse finds one of this size and seed; then
    the schema brought to the head revision of the measured code (`hitcircle db upgrade`, add-only).

    Both run in a child process on the frozen copy of hitcircle, like the servers."""
    sidecar = sidecar_path(args)
    env = {**os.environ, "PYTHONPATH": str(snapshot), "DATABASE_URL": url}
    loaded: dict[str, Any] | None = None
    if args.reuse and sidecar.exists():
        loaded = json.loads(sidecar.read_text())
        same = (loaded.get("format"), loaded["sizes"]["scores"], loaded["seed"])
        if same != (SAMPLE_FORMAT, args.scores, args.seed):
            print(f"not reusing {sidecar.name}: another size, seed or sample format", flush=True)
            loaded = None
    if loaded is None:
        print(f"generating {args.scores:,} scores into {url}", flush=True)
        command = [sys.executable, str(BENCH_DIR / "generate.py"), "--database-url", url, "--force"]
        command += ["--scores", str(args.scores), "--seed", str(args.seed), "--sample-out", str(sidecar)]
        subprocess.run(command, env=env, check=True, timeout=3600)
        loaded = json.loads(sidecar.read_text())
    else:
        print(f"reusing {loaded['database']} (generated {loaded['generated_at']})", flush=True)
    upgrade = [sys.executable, "-m", "hitcircle", "db", "upgrade"]
    done = subprocess.run(upgrade, env=env, cwd=DATA_DIR, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"hitcircle db upgrade failed: {done.stderr.strip() or done.stdout.strip()}")
    return loaded


_BUFFER_POOL = """
import asyncio, sys
from urllib.parse import urlsplit
import asyncmy

async def main(url: str, mib: int) -> None:
    u = urlsplit(url)
    conn = await asyncmy.connect(host=u.hostname or "127.0.0.1", port=u.port or 3306,
                                 user=u.username or "root", password=u.password or "", autocommit=True)
    async with conn.cursor() as cur:
        await cur.execute("SELECT @@innodb_buffer_pool_size")
        (size,) = await cur.fetchone()
        if size < mib * 2**20:
            await cur.execute(f"SET GLOBAL innodb_buffer_pool_size = {mib * 2**20}")
            await asyncio.sleep(2)  # resized in the background
        await cur.execute("SELECT @@innodb_buffer_pool_size")
        print((await cur.fetchone())[0] // 2**20)
    conn.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def size_buffer_pool(mysql_url: str, mib: int) -> None:
    """MariaDB's default 128 MiB buffer pool holds an eighth of the 1M dataset: every cold request then
    reads InnoDB pages from disk (13 GB read in one run, measured). Sized servers keep it in memory."""
    done = subprocess.run(
        [sys.executable, "-c", _BUFFER_POOL, mysql_url, str(mib)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"could not size innodb_buffer_pool_size: {done.stderr.strip()}")
    print(f"MariaDB innodb_buffer_pool_size: {done.stdout.strip()} MiB", flush=True)


def probe(server: Server, hot: list[str], cold: list[str]) -> tuple[int, dict[str, int]]:
    """Mean body size (hot and cold weighted as in the load) and status counts of a few requests."""
    means: list[float] = []
    statuses: dict[str, int] = {}
    for paths in (hot[:SIZE_PROBES], cold[:SIZE_PROBES]):
        sizes = []
        for path in paths:
            status, body = get(server.base_url + path)
            sizes.append(len(body))
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        means.append(statistics.fmean(sizes) if sizes else 0.0)
    if not cold:
        return round(means[0]), statuses
    return round(HOT_SHARE * means[0] + (1 - HOT_SHARE) * means[1]), statuses


def measure(
    args: argparse.Namespace,
    wrk: str,
    endpoint: Endpoint,
    paths: tuple[list[str], list[str]],
    app: Server,
    floor: Server,
    workers: int,
) -> dict[str, Any]:
    """Warm-up, the endpoint, then the floor with the same body size, one after the other."""
    hot, cold = paths
    others = other_benchmarks()
    body, statuses = probe(app, hot, cold)
    load = {"connections": args.connections, "threads": args.threads, "wrk": wrk}
    if args.warmup > 0:
        run_wrk(app.base_url, hot, cold, hot_share=HOT_SHARE, duration=args.warmup, **load)
    # the engine's own server reads for it (buffer pool misses); an SQLite worker reads for itself
    workers_pids = worker_pids(app)
    db_pids = database_pids() if args.engine != "sqlite" else []
    pids = workers_pids + db_pids
    reads_before = disk_reads(pids)
    cpu_before = _cpu_snapshot(workers_pids, db_pids)
    result = run_wrk(app.base_url, hot, cold, hot_share=HOT_SHARE, duration=args.duration, **load)
    cpu = _cpu_used(cpu_before, _cpu_snapshot(workers_pids, db_pids))
    reads_after = disk_reads(pids)
    floor_result = run_wrk(floor.base_url, [f"/{body}"], duration=args.floor_duration, **load)
    return {
        "endpoint": endpoint.key,
        "engine": args.engine,
        "workers": workers,
        "tier": endpoint.tier,
        "note": endpoint.note,
        "body_bytes": body,
        "statuses": statuses,
        "paths": {"hot": len(hot), "cold": len(cold)},
        **result.as_dict(),
        "floor": floor_result.as_dict(),
        "ratio": round(result.rps / floor_result.rps, 4) if floor_result.rps else 0.0,
        "disk_read_bytes": reads_after[0] - reads_before[0],
        "major_faults": reads_after[1] - reads_before[1],
        "cpu": cpu,
        "overlapping_runs": sorted(set(others) | set(other_benchmarks())),
    }


def _cpu_snapshot(workers: list[int], databases: list[int]) -> dict[str, float]:
    busy, total = machine_cpu()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "time": time.monotonic(),
        "busy": busy,
        "total": total,
        "workers": cpu_seconds(workers),
        "database": cpu_seconds(databases),
        # wrk is this process's child: its CPU is counted once it has been waited for
        "children": children.ru_utime + children.ru_stime,
    }


def _cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Cores in use on average during the load: the whole machine, the server's workers, the database
    server, wrk. With the CPU per request unchanged, more workers can raise throughput by at most
    `cores / busy` on this machine: the ceiling the 2-worker target is measured against."""
    wall = after["time"] - before["time"]
    if wall <= 0:
        return {}
    share = (after["total"] - before["total"]) / wall  # cores seen by /proc/stat
    return {
        "cores": round(share, 2),
        "busy": round((after["busy"] - before["busy"]) / wall, 2),
        "workers": round((after["workers"] - before["workers"]) / wall, 2),
        "database": round((after["database"] - before["database"]) / wall, 2),
        "wrk": round((after["children"] - before["children"]) / wall, 2),
    }


def measure_all(
    args: argparse.Namespace,
    wrk: str,
    endpoints: list[Endpoint],
    worker_counts: list[int],
    snapshot: Path,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The dataset of `args.scores` (generated or reused), then every endpoint at every worker count."""
    url = database_url(args)
    data = dataset(args, url, snapshot)
    if args.engine == "mysql" and args.mysql_buffer_pool:
        size_buffer_pool(args.mysql_url, args.mysql_buffer_pool)
    plans = [(e, e.paths(data["sample"])) for e in endpoints]
    per_endpoint = args.warmup + args.duration + args.floor_duration + 1
    estimate = len(worker_counts) * (len(plans) * per_endpoint + 10)
    print(
        f"measuring {len(plans)} endpoints x {worker_counts} workers on {args.scores:,} scores: "
        f"about {estimate / 60:.0f} min",
        flush=True,
    )
    env = {"PYTHONPATH": str(snapshot)}
    if args.cache_ttl is not None:
        env["CACHE_TTL"] = args.cache_ttl
    workdir = args.run_dir / f"{args.engine}-{args.scores}"
    rows: list[dict[str, Any]] = []
    for workers in worker_counts:
        app = start_hitcircle(url, workers, workdir, REDIS_URL if args.redis else None, env)
        try:
            floor = start_floor(workers, workdir)
            try:
                for endpoint, paths in plans:
                    row = measure(args, wrk, endpoint, paths, app, floor, workers)
                    rows.append(row)
                    print(
                        f"{endpoint.key:<26} {workers}w {row['rps']:>9,.0f} req/s  "
                        f"p50 {row['p50_ms']:6.2f} ms  p99 {row['p99_ms']:7.2f} ms  "
                        f"floor {row['floor']['rps']:>9,.0f}  ratio {row['ratio']:6.1%}  "
                        f"body {row['body_bytes']:,} B",
                        flush=True,
                    )
            finally:
                stop(floor)
        finally:
            stop(app)
            if "Traceback" in app.output():
                print(f"warning: the server logged errors, see {app.log}", flush=True)
    return data, rows


def report(
    args: argparse.Namespace,
    data: dict[str, Any],
    rows: list[dict[str, Any]],
    source: str,
    baseline: tuple[str, list[dict[str, Any]]] | None,
    worker_counts: list[int],
) -> Path:
    judge(rows, baseline[1] if baseline else None)
    load_args = {
        "connections": args.connections,
        "threads": args.threads,
        "duration": args.duration,
        "floor_duration": args.floor_duration,
        "warmup": args.warmup,
        "workers": worker_counts,
        "redis": bool(args.redis),
        "cache_ttl": args.cache_ttl,
        "hot_share": HOT_SHARE,
        "baseline": baseline[0] if baseline else None,
    }
    extra = sorted({f"{r['endpoint']}: {r['note']}" for r in rows if r["note"]})
    found = notes(rows, extra)
    title = f"hitcircle {args.engine}, {data['sizes']['scores']:,} scores, {args.connections} connections"
    print_table(rows, title)
    for line in found:
        print(f"* {line}")
    path = write_results(args.results_dir, meta(args.engine, load_args, data, source), rows, found)
    print(f"results: {path} and {path.with_suffix('.md')}", flush=True)
    return path


def run(args: argparse.Namespace) -> int:
    endpoints = select(args.endpoints.split(",") if args.endpoints else None)
    engines = [e.strip() for e in args.engine.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        raise ValueError(f"unknown engine(s) {', '.join(unknown)}; use {', '.join(ENGINES)}")
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    args.floor_duration = args.floor_duration or max(2.0, args.duration / 2)
    wrk = ensure_wrk()
    # this run's own directory (code copy, server logs and data dirs): runs may overlap without harm
    args.run_dir = DATA_DIR / "runs" / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    source, snapshot = freeze_source(args.run_dir / "src")
    print(f"measuring hitcircle {source} (a copy of src/ taken now)", flush=True)
    for engine in engines:
        one = argparse.Namespace(**{**vars(args), "engine": engine})
        baseline: tuple[str, list[dict[str, Any]]] | None = None
        if args.baseline:
            baseline = (str(args.baseline), json.loads(args.baseline.read_text())["rows"])
        elif args.growth and args.scores != GROWTH_SCORES:
            small = argparse.Namespace(**{**vars(one), "scores": GROWTH_SCORES})
            small_data, small_rows = measure_all(small, wrk, endpoints, [1], snapshot)
            path = report(small, small_data, small_rows, source, None, [1])
            baseline = (str(path), small_rows)
        data, rows = measure_all(one, wrk, endpoints, worker_counts, snapshot)
        report(one, data, rows, source, baseline, worker_counts)
    shutil.rmtree(args.run_dir, ignore_errors=True)  # kept when the run fails, for its server logs
    return 0


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the `finally` blocks that stop the servers


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminated)
    started = time.monotonic()
    try:
        code = run(args)
    except (RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"total {time.monotonic() - started:.0f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())

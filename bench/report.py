"""Judging the targets, and the result as a terminal table, Markdown and JSON."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from workload import (
    GROWTH_MAX,
    HEAVY_MIN_RPS,
    HEAVY_RATIO,
    LIGHT_RATIO,
    P99_MAX_MS,
    SCALING_MIN,
)

ROOT = Path(__file__).resolve().parent.parent
HEADERS = (
    "endpoint", "engine", "workers", "req/s", "p50 ms", "p99 ms", "floor req/s", "ratio", "target",
    "pass/fail", "body B", "disk MB", "busy cores",
)  # fmt: skip


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "nproc": os.cpu_count(),
        "ram_gib": ram_gib,
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def meta(engine: str, args: dict[str, Any], dataset: dict[str, Any], source: str) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": source,
        "command": "python " + " ".join(sys.argv),
        "engine": engine,
        "machine": machine(),
        "dataset": {"sizes": dataset["sizes"], "seed": dataset["seed"], "database": dataset["database"]},
        "load": args,
    }


def judge(rows: list[dict[str, Any]], baseline: list[dict[str, Any]] | None) -> None:
    """Add `checks` (name, value, passed) and `pass` to every row."""
    base_p50 = {(r["endpoint"], r["engine"], r["workers"]): r["p50_ms"] for r in baseline or []}
    one_worker = {(r["endpoint"], r["engine"]): r for r in rows if r["workers"] == 1}
    for row in rows:
        checks: list[dict[str, Any]] = []
        check = _checker(checks)
        ratio, tier = row["ratio"], row["tier"]
        if row["workers"] == 1:
            if tier == "light":
                check(f"≥{LIGHT_RATIO:.0%} floor", f"{ratio:.1%}", ratio >= LIGHT_RATIO)
            elif tier == "heavy":
                check(f"≥{HEAVY_RATIO:.0%} floor", f"{ratio:.1%}", ratio >= HEAVY_RATIO)
                check(f"≥{HEAVY_MIN_RPS:,.0f}/s", f"{row['rps']:,.0f}", row["rps"] >= HEAVY_MIN_RPS)
            check(f"p99<{P99_MAX_MS:.0f}ms", f"{row['p99_ms']:.1f}", row["p99_ms"] < P99_MAX_MS)
            base = base_p50.get((row["endpoint"], row["engine"], row["workers"]))
            if base:
                row["growth"] = round(row["p50_ms"] / base, 2)
                check(f"p50≤{GROWTH_MAX}×base", f"{row['growth']:.2f}×", row["growth"] <= GROWTH_MAX)
        elif row["workers"] == 2 and tier == "heavy":
            single = one_worker.get((row["endpoint"], row["engine"]))
            if single and single["rps"]:
                row["scaling"] = round(row["rps"] / single["rps"], 2)
                value = f"{row['scaling']:.2f}×"
                ceiling = scaling_ceiling(single)
                if ceiling is not None:
                    row["scaling_ceiling"] = ceiling
                    value += f"; machine ceiling {ceiling:.2f}×"
                check(f"≥{SCALING_MIN}×1w", value, row["scaling"] >= SCALING_MIN)
        row["checks"] = checks
        row["pass"] = all(c["passed"] for c in checks) if checks else None


def scaling_ceiling(single: dict[str, Any]) -> float | None:
    """The most any number of workers can multiply the 1-worker throughput on this machine, if the CPU
    per request (server, database, wrk, kernel) stays what it was: all cores / the cores busy at 1
    worker. On 2 cores with wrk and the database server on them, this is what bounds the 2-worker
    target, whatever the server does."""
    cpu = single.get("cpu") or {}
    if not cpu.get("busy"):
        return None
    return round(float(cpu["cores"]) / float(cpu["busy"]), 2)


def _checker(checks: list[dict[str, Any]]) -> Callable[[str, str, bool], None]:
    def check(name: str, value: str, passed: bool) -> None:
        checks.append({"name": name, "value": value, "passed": passed})

    return check


def cells(row: dict[str, Any]) -> list[str]:
    checks = row["checks"]
    target = ", ".join(f"{c['name']} ({c['value']})" for c in checks) or "—"
    if row["pass"] is None:
        verdict = "—"
    elif row["pass"]:
        verdict = "pass"
    else:
        verdict = "FAIL: " + ", ".join(c["name"] for c in checks if not c["passed"])
    return [
        row["endpoint"],
        row["engine"],
        str(row["workers"]),
        f"{row['rps']:,.0f}",
        f"{row['p50_ms']:.2f}",
        f"{row['p99_ms']:.2f}",
        f"{row['floor']['rps']:,.0f}",
        f"{row['ratio']:.1%}",
        target,
        verdict,
        f"{row['body_bytes']:,}",
        f"{row.get('disk_read_bytes', 0) / 1e6:.1f}",
        _busy(row.get("cpu") or {}),
    ]


def _busy(cpu: dict[str, float]) -> str:
    """`busy of cores (workers, database, wrk)`, e.g. `1.9/2 (w 1.0, db 0.4, wrk 0.4)`."""
    if not cpu:
        return "—"
    parts = [f"w {cpu['workers']:.2f}"]
    if cpu.get("database"):
        parts.append(f"db {cpu['database']:.2f}")
    parts.append(f"wrk {cpu['wrk']:.2f}")
    return f"{cpu['busy']:.2f}/{cpu['cores']:.0f} ({', '.join(parts)})"


def print_table(rows: list[dict[str, Any]], title: str) -> None:
    table = Table(title=title, show_lines=False)
    for header in HEADERS:
        justify = "right" if header not in ("endpoint", "engine", "target", "pass/fail") else "left"
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        style = None if row["pass"] is not False else "red"
        table.add_row(*cells(row), style=style)
    Console(width=220).print(table)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join(" --- " for _ in HEADERS) + "|"]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def notes(rows: list[dict[str, Any]], extra: list[str]) -> list[str]:
    found = list(extra)
    for row in rows:
        bad = {k: v for k, v in row["statuses"].items() if k != "200"}
        if bad and row["endpoint"] != "get_match":
            found.append(f"{row['endpoint']} ({row['workers']}w): sampled answers {row['statuses']}")
        if row["socket_errors"] or row["timeouts"]:
            found.append(
                f"{row['endpoint']} ({row['workers']}w): {row['socket_errors']} socket errors, "
                f"{row['timeouts']} timeouts"
            )
    overlapped = [f"{r['endpoint']} ({r['workers']}w)" for r in rows if r.get("overlapping_runs")]
    if overlapped:
        found.insert(0, "WARNING: another benchmark ran at the same time as " + ", ".join(overlapped))
    return sorted(set(found), key=found.index)


def write_results(
    directory: Path, run_meta: dict[str, Any], rows: list[dict[str, Any]], notes_: list[str]
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scores = run_meta["dataset"]["sizes"]["scores"]
    stem = directory / f"{stamp}-{run_meta['engine']}-{scores}"
    stem.with_suffix(".json").write_text(
        json.dumps({"meta": run_meta, "rows": rows, "notes": notes_}, indent=1)
    )
    m, d = run_meta["machine"], run_meta["dataset"]["sizes"]
    load = run_meta["load"]
    text = [
        f"# hitcircle benchmark: {run_meta['engine']}, {d['scores']:,} scores",
        "",
        f"* date: {run_meta['date']}; commit: {run_meta['commit']}",
        f"* machine: {m['nproc']} cores, {m['ram_gib']} GiB, {m['cpu']}; Python {m['python']}, "
        f"SQLite {m['sqlite']}",
        f"* dataset: {d['users']:,} users, {d['scores']:,} scores, {d['maps']:,} maps, {d['clans']:,} clans",
        f"* load: wrk {load['connections']} connections, {load['threads']} threads, {load['duration']} s per "
        f"endpoint (floor {load['floor_duration']} s, warm-up {load['warmup']} s)",
        f"* command: `{run_meta['command']}`",
        "",
        markdown_table(rows),
        "",
        *[f"* {n}" for n in notes_],
        "",
    ]
    stem.with_suffix(".md").write_text("\n".join(text))
    return stem.with_suffix(".json")

"""wrk: installed when missing, driven by a Lua script that sends each request to a random path of a hot
or a cold list, and reports its summary as one JSON line (latency percentiles from wrk's histogram)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MARKER = "BENCHJSON "

LUA = """
-- Every request picks the hot list with probability HOT_SHARE, else the cold list; then a random path.
local hot, cold = {}, {}
local hot_share = %(hot_share)s

local function load(path, into)
  -- formatted once: the client's cost per request stays as low as wrk's own static request
  for line in io.lines(path) do
    if #line > 0 then into[#into + 1] = wrk.format("GET", line) end
  end
end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  load(%(hot_file)s, hot)
  load(%(cold_file)s, cold)
  math.randomseed(7919 * (seed or 1))
end

function request()
  if #cold == 0 or (#hot > 0 and math.random() < hot_share) then
    return hot[math.random(#hot)]
  end
  return cold[math.random(#cold)]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(marker)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,"write":%%d,'
    .. '"status":%%d,"timeout":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,"mean_us":%%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    bytes: int
    non_2xx: int
    socket_errors: int
    timeouts: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ensure_wrk() -> str:
    """Path of wrk; installs the Debian package (`apt-get install -y wrk`, after `apt-get update` if the
    first attempt fails) when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    print("wrk is missing: apt-get install -y wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "wrk"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run([*prefix, "apt-get", "update"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is still missing after apt-get install")
    return found


def run_wrk(
    base_url: str,
    hot: Sequence[str],
    cold: Sequence[str] = (),
    *,
    hot_share: float = 0.5,
    duration: float,
    connections: int = 32,
    threads: int = 2,
    wrk: str = "wrk",
) -> WrkResult:
    """Load `base_url` for `duration` seconds; each request a random path of `hot` (with probability
    `hot_share`) or of `cold`."""
    with tempfile.TemporaryDirectory(prefix="hc-bench-") as tmp:
        hot_file, cold_file, script = Path(tmp, "hot.txt"), Path(tmp, "cold.txt"), Path(tmp, "load.lua")
        hot_file.write_text("\n".join(hot) + "\n")
        cold_file.write_text("\n".join(cold) + "\n")
        script.write_text(
            LUA
            % {
                "hot_share": repr(float(hot_share)),
                "hot_file": json.dumps(str(hot_file)),
                "cold_file": json.dumps(str(cold_file)),
                "marker": MARKER,
            }
        )
        command = [wrk, f"-c{connections}", f"-t{threads}", f"-d{max(1, round(duration))}s"]
        command += ["--timeout", "10s", "--latency", "-s", str(script), base_url]
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=duration + 60, check=False
        )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(MARKER)]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    raw = json.loads(lines[-1][len(MARKER) :])
    seconds = raw["duration_us"] / 1e6
    return WrkResult(
        requests=raw["requests"],
        seconds=round(seconds, 2),
        rps=round(raw["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        mean_ms=round(raw["mean_us"] / 1000, 3),
        bytes=raw["bytes"],
        non_2xx=raw["status"],
        socket_errors=raw["connect"] + raw["read"] + raw["write"],
        timeouts=raw["timeout"],
    )

"""Start and stop the two servers under test on loopback: `hitcircle serve` and the floor."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
START_TIMEOUT = 180.0
STOP_TIMEOUT = 15.0
#: settings that would point the server elsewhere or make it talk to the network
_SCRUBBED = (
    "HOST", "PORT", "WORKERS", "REDIS_URL", "AUTO_MIGRATE", "OSU_API_KEY", "BEATMAP_SOURCE_URL", "CACHE_TTL",
    "CACHE_SIZE", "DOMAIN", "LOG_LEVEL",
)  # fmt: skip


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """(status, body) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def _spawn(name: str, command: list[str], env: dict[str, str], workdir: Path, ready_path: str) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir,  # no stray .env
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its workers
        )
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.output()}")
        with suppress(OSError):
            if get(server.base_url + ready_path, timeout=2.0)[0] == 200:
                return server
        time.sleep(0.25)
    stop(server)
    raise RuntimeError(f"{name} did not answer within {START_TIMEOUT:.0f} s:\n{server.output()}")


def start_hitcircle(
    database_url: str,
    workers: int,
    workdir: Path,
    redis_url: str | None,
    extra_env: dict[str, str] | None = None,
) -> Server:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(workdir / "data"),
        AUTO_MIGRATE="false",
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra_env or {})
    command = [sys.executable, "-m", "hitcircle", "serve", "--workers", str(workers)]
    return _spawn("hitcircle", command, env, workdir, "/health")


def start_floor(workers: int, workdir: Path) -> Server:
    command = [sys.executable, str(BENCH_DIR / "floor.py"), "--workers", str(workers)]
    return _spawn("floor", command, dict(os.environ), workdir, "/64")


def stop(server: Server) -> None:
    """SIGTERM the server (granian stops its workers), then SIGKILL its process group if it lingers."""
    process = server.process
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)


def worker_pids(server: Server) -> list[int]:
    """The granian worker processes of a server (children of its main process)."""
    path = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    with suppress(OSError):
        return [int(p) for p in path.read_text().split()]
    return []


def database_pids() -> list[int]:
    """MariaDB/MySQL and PostgreSQL server processes on this machine (their disk reads are the engine's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                if entry.joinpath("comm").read_text().strip() in ("mariadbd", "mysqld", "postgres"):
                    found.append(int(entry.name))
    return found


def disk_reads(pids: list[int]) -> tuple[int, int]:
    """(bytes read from storage, major page faults) of `pids` so far: a request that waits for the disk
    holds a worker (SQLite reads run on its event loop), so these explain a p99 that the CPU does not."""
    read_bytes = faults = 0
    for pid in pids:
        with suppress(OSError, ValueError, KeyError):
            io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
            read_bytes += int(io["read_bytes"])
            faults += int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[9])
    return read_bytes, faults


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) that `pids` have used so far."""
    ticks = 0
    for pid in pids:
        with suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(CPU seconds this machine has spent busy, CPU seconds in all) so far, over every core
    (`/proc/stat`: idle and iowait count as not busy)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(fields[:8])  # guest time is already inside user time
    idle = fields[3] + fields[4]
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick


def other_benchmarks() -> list[int]:
    """Pids of other bench/run.py or bench/profile.py processes: a run overlapping this one shares the
    two cores with it, and both measure less than the machine can do."""
    mine = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == mine:
            continue
        with suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if any(a.endswith((b"bench/run.py", b"bench/profile.py")) for a in argv) and b"python" in argv[0]:
                found.append(int(entry.name))
    return found

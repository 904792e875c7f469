"""`hitcircle serve` as a real process: granian, workers, host and path routing over a TCP socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import DOMAIN

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
EMPTY_COUNT = b'{"status":"success","counts":{"online":0,"total":0}}'


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(workdir: Path, database_url: str) -> dict[str, str]:
    """The environment of the test process, minus anything that would point the server elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HOST", "PORT", "WORKERS", "REDIS_URL", "AUTO_MIGRATE", "OSU_API_KEY")
    }
    env.update(
        DATABASE_URL=database_url,
        DATA_DIR=str(workdir / "data"),
        DOMAIN=DOMAIN,
        LOG_LEVEL="WARNING",
        BEATMAP_SOURCE_URL="",
    )
    return env


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (granian stops its workers), then SIGKILL its process group if it lingers."""
    if process.poll() is None:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT)
    # Workers are in the server's own session; make sure none outlives the test.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def running_server(workdir: Path, *serve_args: str) -> Iterator[Server]:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hitcircle",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *serve_args,
            ],
            cwd=workdir,  # no stray .env from the repository
            env=server_env(workdir, f"sqlite:///{workdir / 'hitcircle.db'}"),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_answering(server)
        yield server
    finally:
        stop(process)


def wait_until_answering(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"hitcircle serve exited with {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"hitcircle serve did not answer within {START_TIMEOUT:.0f}s:\n{server.output()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
        yield client


def test_player_count_by_api_host(http: httpx.Client) -> None:
    response = http.get("/v1/get_player_count", headers={"Host": f"api.{DOMAIN}"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == EMPTY_COUNT


@pytest.mark.parametrize("path", ["/api/get_player_count", "/v1/get_player_count"])
def test_player_count_in_path_mode(http: httpx.Client, path: str) -> None:
    response = http.get(path, headers={"Host": "127.0.0.1"})
    assert response.status_code == 200
    assert response.content == EMPTY_COUNT


def test_health(http: httpx.Client, server: Server) -> None:
    response = http.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert http.get("/health", headers={"Host": f"api.{DOMAIN}"}).status_code == 200


def test_workers_run_on_uvloop(server: Server) -> None:
    """uvloop is a dependency, and `serve` names it to granian rather than relying on `auto`."""
    assert "1 worker(s) on uvloop" in server.output()


@pytest.mark.parametrize(
    ("host", "path"),
    [("127.0.0.1", "/no/such/path"), ("127.0.0.1", "/v1/no_such_endpoint"), (f"api.{DOMAIN}", "/nothing")],
)
def test_unknown_path_is_json_404(http: httpx.Client, host: str, path: str) -> None:
    response = http.get(path, headers={"Host": host})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "Not found."}


def test_two_workers(tmp_path: Path) -> None:
    with running_server(tmp_path, "--workers", "2") as running, httpx.Client(timeout=10.0) as client:
        for _ in range(20):
            # A new connection each time, so both workers get a share of the requests.
            response = client.get(
                f"{running.base_url}/v1/get_player_count",
                headers={"Host": f"api.{DOMAIN}", "Connection": "close"},
            )
            assert response.status_code == 200
            assert response.content == EMPTY_COUNT
        assert running.process.poll() is None
    assert "Traceback" not in running.output()


@pytest.mark.parametrize(
    "database_url",
    [
        "not a database url",
        "oracle://scott@127.0.0.1/orcl",
        "mysql://root@127.0.0.1:1/nowhere",  # well-formed, but nothing listens on port 1
    ],
)
def test_bad_database_url_is_one_line_error(tmp_path: Path, database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hitcircle", "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=server_env(tmp_path, database_url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert "DATABASE_URL" in lines[0] or "database" in lines[0].lower() or "start-up" in lines[0]

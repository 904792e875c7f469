"""The README's first command, piece by piece: `hitcircle demo load`, then `hitcircle serve --demo`, then
requests over TCP; and a schemathesis run against that server's OpenAPI document."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DOMAIN
from tests.test_e2e_serve import Server, running_server, server_env

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    workdir = tmp_path_factory.mktemp("demo")
    loaded = subprocess.run(
        [sys.executable, "-m", "hitcircle", "demo", "load"],
        cwd=workdir,
        env=server_env(workdir, f"sqlite:///{workdir / 'hitcircle.db'}"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    key = re.search(r"API key of \w+ \(id \d+\): ([0-9a-f-]{36})", loaded.stdout)
    assert key is not None, loaded.stdout
    with running_server(workdir, "--demo") as server:
        yield server, key.group(1)


def test_demo_answers_player_count_by_host_and_by_path(demo_server: tuple[Server, str]) -> None:
    server, _ = demo_server
    expected = b'{"status":"success","counts":{"online":5,"total":8}}'
    by_host = httpx.get(f"{server.base_url}/v1/get_player_count", headers={"Host": f"api.{DOMAIN}"})
    assert (by_host.status_code, by_host.content) == (200, expected)
    by_path = httpx.get(f"{server.base_url}/v1/get_player_count")
    assert (by_path.status_code, by_path.content) == (200, expected)
    match = httpx.get(f"{server.base_url}/api/get_match", params={"id": 0}).json()
    assert match["match"]["name"] == "hitcircle demo lobby"


def test_schemathesis_finds_no_server_error_or_contract_break(demo_server: tuple[Server, str]) -> None:
    """Every documented operation, fuzzed within its schema and outside it (about 10 s).

    `positive_data_acceptance` is excluded: the API rejects some schema-valid combinations on purpose
    (both `id` and `name`, invalid modes 7/9/10/11), as bancho.py does, with a documented 400.
    """
    server, key = demo_server
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{server.base_url}/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            "30",
            # one worker: hypothesis' lambda introspection is not thread-safe on CPython 3.11
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--header",
            f"Authorization: Bearer {key}",
            "--seed",
            "20261204",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    summary = result.stdout[-4000:]
    assert result.returncode == 0, summary
    assert "passed" in summary

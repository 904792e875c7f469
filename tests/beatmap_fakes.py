"""A real HTTP beatmap source on 127.0.0.1 speaking osu! API v1 `get_beatmaps`, for beatmap tests."""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
BEATMAPS = FIXTURES / "beatmaps"
SET_141: list[dict[str, Any]] = json.loads((FIXTURES / "osu-api" / "get_beatmaps_s141.json").read_text())
MD5_313 = "72bdc73c3f17013c5d0ba8443c9045b2"
MD5_314 = "dd1749b4422a1dab9a2945a6bfccc5ef"
MD5_315 = "1cf5b2c2edfafd055536d2cefcb89c0e"
MD5_316 = "0236aeb3bb5f110d7eacf4045092efac"
FILE_MD5_315 = "eb786491aa73d30f9288a66f774621d7"  # tests/fixtures/beatmaps/315.osu


class FakeSource:
    """State of the fake source; tests change `entries`, `files` or `override` between calls."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = copy.deepcopy(SET_141)
        self.files: dict[int, bytes] = {}
        #: (status, body, content type) answered to every get_beatmaps request instead of the entries
        self.override: tuple[int, bytes, str] | None = None
        self.requests: list[str] = []  # "s=141", "b=315", "osu/315", ... in order; `k=` shown first
        self.url = ""

    def entry(self, map_id: int) -> dict[str, Any]:
        return next(e for e in self.entries if e["beatmap_id"] == map_id)

    def answer(self, query: dict[str, str]) -> tuple[int, bytes, str]:
        if self.override is not None:
            return self.override
        if "h" in query:
            found = [e for e in self.entries if e["file_md5"] == query["h"]]
        elif "b" in query:
            found = [e for e in self.entries if str(e["beatmap_id"]) == query["b"]]
        elif "s" in query:
            found = [e for e in self.entries if str(e["beatmapset_id"]) == query["s"]]
        else:
            found = []
        return 200, json.dumps(found).encode(), "application/json"


def _handler(state: FakeSource) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            if parts.path == "/api/get_beatmaps":
                state.requests.append("&".join(f"{k}={v}" for k, v in query.items()))
                status, body, content_type = state.answer(query)
            elif parts.path.startswith("/osu/"):
                state.requests.append(parts.path.lstrip("/"))
                data = state.files.get(int(parts.path.rsplit("/", 1)[1]))
                status, body, content_type = (
                    (200, data, "application/octet-stream") if data else (404, b"", "text/plain")
                )
            else:
                status, body, content_type = 404, b"", "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_source() -> Iterator[FakeSource]:
    state = FakeSource()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/get_beatmaps"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A get_beatmaps URL on a local port nobody listens on (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/get_beatmaps"


@contextmanager
def hanging_up_server() -> Iterator[tuple[str, list[int]]]:
    """A TCP server that accepts and closes every connection at once; yields (url, [connection count])."""
    count = [0]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.01)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            count[0] += 1
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/get_beatmaps", count
    finally:
        stop.set()
        thread.join()
        listener.close()


class Clock:
    """A settable clock for `BeatmapService(clock=...)` (naive UTC)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

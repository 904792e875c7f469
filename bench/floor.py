"""The floor: a raw ASGI app (no framework, no database) answering every GET with a fixed JSON body.

It runs under the same server program as hitcircle (granian, started the way `hitcircle serve` starts
it, with the same worker count), so `endpoint req/s / floor req/s` is the share of the best this machine
and server can do that an endpoint reaches.

The body is `{"status":"success","data":"xxx..."}` padded to a size: `FLOOR_BODY_SIZE` bytes (default 64)
for `/`, or N bytes for the path `/N`, so one floor server serves every endpoint's body size.

    python bench/floor.py --port 8100 --workers 1
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

DEFAULT_SIZE = int(os.environ.get("FLOOR_BODY_SIZE", "64"))
MAX_SIZE = 16 * 1024 * 1024
_PREFIX, _SUFFIX = b'{"status":"success","data":"', b'"}'
_bodies: dict[int, tuple[bytes, list[tuple[bytes, bytes]]]] = {}


def response_for(size: int) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The body of `size` bytes (at least the JSON frame) and its headers, built once per size."""
    cached = _bodies.get(size)
    if cached is None:
        body = _PREFIX + b"x" * max(0, size - len(_PREFIX) - len(_SUFFIX)) + _SUFFIX
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        cached = _bodies[size] = (body, headers)
    return cached


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    tail = scope["path"][1:]
    size = min(int(tail), MAX_SIZE) if tail.isdigit() else DEFAULT_SIZE
    body, headers = response_for(size)
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    from granian import Granian

    from hitcircle.cli.serve import event_loop

    # The same options `hitcircle serve` passes, apart from the target.
    Granian(
        "floor:app",
        interface="asgi",  # type: ignore[arg-type]
        loop=event_loop(),  # type: ignore[arg-type]
        address=args.host,
        port=args.port,
        workers=args.workers,
        log_access=False,
        log_level="warning",  # type: ignore[arg-type]
        respawn_failed_workers=True,
        working_dir=Path(__file__).resolve().parent,
    ).serve()


if __name__ == "__main__":
    main()

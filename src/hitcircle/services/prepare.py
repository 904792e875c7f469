"""One-time work before a server's workers start (after migrations)."""

from __future__ import annotations

from hitcircle.runtime import Runtime


async def prepare_server(runtime: Runtime) -> None:
    """Reset shared live state so a restarted server does not show ghosts of the last run."""
    await runtime.live.clear()

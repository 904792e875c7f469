"""osu! web endpoints (`osu.<domain>`, `/web/*`, `/users`): registration, score submission, leaderboards.

Not built yet (roadmap: osu! web endpoints); the router exists so hosts and paths already resolve here.
"""

from hitcircle.http.routing import Router
from hitcircle.runtime import Runtime


def build_router(runtime: Runtime) -> Router:
    return Router()

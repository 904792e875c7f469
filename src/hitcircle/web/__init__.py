"""osu! web endpoints (`osu.<domain>`, `/web/*`, `/users`): registration, score submission, leaderboards.

Not built yet (roadmap: osu! web endpoints); the router exists so hosts and paths already resolve here.
"""

from hitcircle.http.routing import Router
from hitcircle.services.container import Services


def build_router(services: Services) -> Router:
    return Router()

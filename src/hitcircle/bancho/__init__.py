"""The bancho protocol (`c.<domain>`, `POST /`): login, presence, chat, multiplayer, spectating.

`codec/` encodes and decodes packets; `handlers/` applies them to live state. Not built yet (roadmap:
bancho protocol); the router exists so hosts and paths already resolve here.
"""

from hitcircle.http.routing import Router
from hitcircle.services.container import Services


def build_router(services: Services) -> Router:
    return Router()

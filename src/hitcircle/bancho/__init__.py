"""The bancho protocol (`c.<domain>`, `POST /`): login, presence, chat, multiplayer, spectating.

`codec/` encodes and decodes packets; `handlers/` applies them to live state. Not built yet (roadmap:
bancho protocol); the router exists so hosts and paths already resolve here.
"""

from hitcircle.http.routing import Router
from hitcircle.runtime import Runtime


def build_router(runtime: Runtime) -> Router:
    return Router()

"""Avatar serving (`a.<domain>/<id>`, `/avatars/<id>`) and storage."""

from hitcircle.http.routing import Router
from hitcircle.services.container import Services


def build_router(services: Services) -> Router:
    return Router()

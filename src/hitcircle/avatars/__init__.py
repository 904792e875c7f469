"""Avatar serving (`a.<domain>/<id>`, `/avatars/<id>`) and storage."""

from hitcircle.http.routing import Router
from hitcircle.runtime import Runtime


def build_router(runtime: Runtime) -> Router:
    return Router()

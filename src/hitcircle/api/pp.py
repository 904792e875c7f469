"""`/v1/calculate_pp` (bancho-spec §1.1, decisions.md "Authorisation"): pp of a map for accuracies or a
score's hit counts, on the configured PP_BACKEND. Requires an API key; parameters are validated first, so
a 422 wins over the 401 (bancho-spec §1.0.4)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from hitcircle.api.auth import authenticate
from hitcircle.api.params import INT32_MAX
from hitcircle.http.errors import HTTPError
from hitcircle.http.params import QueryParams, parse_query
from hitcircle.http.request import Request
from hitcircle.http.response import Response, json_response
from hitcircle.http.routing import Route
from hitcircle.services.container import Services
from hitcircle.services.pp import (
    HitCounts,
    PerformanceResult,
    ScoreParams,
    calculate_in_thread,
)

MAP_NOT_FOUND = "Map not found."
FILE_UNAVAILABLE = "Beatmap file could not be fetched."
MAX_COUNT = 1_000_000
MAX_ACCURACIES = 16
DEFAULT_ACCURACIES = (100.0, 99.0, 98.0, 95.0)

Count = Annotated[int | None, Field(ge=0, le=MAX_COUNT, description="A hit count; absent counts as 0.")]
Combo = Annotated[int | None, Field(ge=0, le=MAX_COUNT, description="Max combo (absent: full combo).")]
Accuracy = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class CalculatePpParams(QueryParams):
    id: Annotated[int, Field(ge=1, le=INT32_MAX, description="Beatmap id.")]
    mode: Annotated[
        int, Field(ge=0, le=3, description="Vanilla mode 0-3; relax/autopilot come from mods.")
    ] = 0
    mods: Annotated[
        int, Field(ge=0, le=INT32_MAX, description="Mod bits; RX 128 and AP 8192 select relax/autopilot pp.")
    ] = 0
    combo: Combo = None
    misses: Count = None
    n100: Count = None
    n50: Count = None
    ngeki: Count = None
    nkatu: Count = None
    acc: Annotated[
        list[Accuracy],
        Field(
            max_length=MAX_ACCURACIES,
            description="Accuracies in percent, repeatable; used when no hit counts are given.",
        ),
    ] = list(DEFAULT_ACCURACIES)

    @property
    def has_hit_counts(self) -> bool:
        return any(v is not None for v in (self.ngeki, self.nkatu, self.n100, self.n50))


def result_dict(result: PerformanceResult, accuracy: float | None) -> dict[str, Any]:
    return {"performance": result.performance, "difficulty": result.difficulty, "accuracy": accuracy}


def routes(svc: Services) -> list[Route]:
    calc = svc.pp

    async def calculate_pp(request: Request) -> Response:
        p = parse_query(CalculatePpParams, request)
        await authenticate(request, svc.accounts)
        beatmap = await svc.beatmaps.by_id(p.id)
        if beatmap is None:
            raise HTTPError(404, MAP_NOT_FOUND)
        path = await svc.beatmaps.ensure_osu_file(beatmap)
        if path is None:
            raise HTTPError(503, FILE_UNAVAILABLE)
        misses = p.misses or 0
        if p.has_hit_counts:
            hits = HitCounts(ngeki=p.ngeki or 0, nkatu=p.nkatu or 0, n100=p.n100 or 0, n50=p.n50 or 0)
            score = ScoreParams(mode=p.mode, mods=p.mods, hits=hits, misses=misses, combo=p.combo)
            (result,) = await calculate_in_thread(calc, path, [score], md5=beatmap.md5)
            return json_response(result_dict(result, None))
        scores = [
            ScoreParams(mode=p.mode, mods=p.mods, accuracy=acc, misses=misses, combo=p.combo) for acc in p.acc
        ]
        results = await calculate_in_thread(calc, path, scores, md5=beatmap.md5)
        return json_response([result_dict(r, acc) for r, acc in zip(results, p.acc, strict=True)])

    return [
        Route(
            "/v1/calculate_pp",
            calculate_pp,
            params=CalculatePpParams,
            summary="pp and difficulty of a map for accuracies, or for one score's hit counts",
            description=(
                "Without `ngeki`, `nkatu`, `n100` and `n50`: a JSON array, one object per `acc` value "
                "(default 100, 99, 98, 95). With any of them: one object for those hit counts (n300 is "
                "inferred), `accuracy` null. Nightcore implies DoubleTime. No `status` key on success."
            ),
            tag="beatmaps",
            auth=True,
            responses={
                401: "Missing or unknown API key",
                404: "Map not found",
                503: "The beatmap file could not be fetched",
            },
        ),
    ]

"""Query parameters declared as pydantic models, with FastAPI-shaped 422 errors.

Clients of bancho.py see FastAPI's validation errors (bancho-spec §1.0.4); validating with pydantic itself
gives byte-identical `type`, `msg` and `ctx` values without imitating its messages by hand.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from hitcircle.http.errors import HTTPError
from hitcircle.http.request import Request

P = TypeVar("P", bound="QueryParams")


class QueryParams(BaseModel):
    """Base class of every endpoint's parameter model; field aliases are the query names."""

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="ignore")

    @classmethod
    def list_params(cls) -> frozenset[str]:
        cached: frozenset[str] | None = cls.__dict__.get("_list_params_cache")
        if cached is None:
            names = set()
            for name, field in cls.model_fields.items():
                if getattr(field.annotation, "__origin__", None) is list:
                    names.add(field.alias or name)
            cached = frozenset(names)
            type.__setattr__(cls, "_list_params_cache", cached)
        return cached


class NoParams(QueryParams):
    pass


def validation_error_body(exc: ValidationError, source: str = "query") -> dict[str, Any]:
    details = []
    for error in exc.errors(include_url=False):
        item: dict[str, Any] = {
            "type": error["type"],
            "loc": [source, *error["loc"]],
            "msg": error["msg"],
            "input": None if error["type"] == "missing" else error.get("input"),
        }
        if "ctx" in error:
            item["ctx"] = {
                k: v if isinstance(v, (int, float, str, bool)) else str(v) for k, v in error["ctx"].items()
            }
        details.append(item)
    return {"detail": details}


def _nul_errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    """NUL characters are rejected up front: no database stores them in text (PostgreSQL refuses)."""
    errors = []
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if "\x00" in item:
                errors.append(
                    {
                        "type": "string_nul_character",
                        "loc": ["query", name],
                        "msg": "String should not contain NUL characters",
                        "input": item.replace("\x00", "\\0"),
                    }
                )
    return errors


def parse_query(model: type[P], request: Request) -> P:
    data = request.query_dict(model.list_params())
    nul = _nul_errors(data)
    if nul:
        raise HTTPError(422, body={"detail": nul})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise HTTPError(422, body=validation_error_body(exc)) from None

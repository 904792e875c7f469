"""What API handlers depend on, gathered once and passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from hitcircle.runtime import Runtime


@dataclass(frozen=True)
class ApiContext:
    runtime: Runtime

    @classmethod
    def create(cls, runtime: Runtime) -> ApiContext:
        return cls(runtime=runtime)

"""pp calculation behind one small interface, with two backends (decisions.md "Data and engines").

* `RosuCalculator` — rosu-pp-py (the default): the current official algorithm with osu!stable score
  semantics (`lazer=False`). Relax (128) and autopilot (8192) pass through as mod bits and get the
  *official* treatment only (relax: no speed pp, autopilot: no aim pp, stable's reduced star rating);
  rosu has no Akatsuki-style relax/autopilot pp, so those scores are worth far less than on akatsuki.
* `AkatsukiCalculator` — akatsuki-pp-py 1.0.5 (optional extra `hitcircle[akatsuki]`, Python < 3.12):
  bancho.py's numbers (bancho-spec §8), including Akatsuki's relax and autopilot pp for those mod bits.
  Choosing it without the package installed raises `PpBackendUnavailable` when the calculator is built.

Common rules: `mode` is the vanilla mode 0-3. A map made for osu! is converted to the other modes; a map
made for taiko, catch or mania is always calculated in its own mode (rosu refuses the conversion, and
akatsuki-pp-py, though it mostly falls back by itself, runs its osu! relax formula on such a map for mode
0 with relax/autopilot and answers nonsense such as 2000 pp). Nightcore (512) implies DoubleTime (64).
A score gives either an accuracy (percent) or hit counts (n300 is inferred); `misses` and `combo`
(absent = full combo) apply to both. Results are those of bancho.py: `pp` rounded to 3 decimals with
NaN/inf -> 0.0, other attributes unrounded, None for the ones a mode doesn't have (and for a non-finite
value, which orjson would print as null anyway).

Calculations are CPU-bound and synchronous: async callers use `calculate_in_thread`. Parsed beatmaps are
kept in a small thread-safe LRU keyed by (file, md5), so a changed file is parsed again.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from hitcircle.config import ConfigError, Settings

NIGHTCORE = 512
DOUBLETIME = 64
#: mania key-count mods (1K-9K, co-op): the only mods that change an osu! -> mania conversion
MANIA_KEY_MODS = (1 << 15) | (1 << 16) | (1 << 17) | (1 << 18) | (1 << 19) | (0b11111 << 24)
INT32_MAX = 2**31 - 1
CACHE_SIZE = 32

PERFORMANCE_KEYS = ("pp", "pp_acc", "pp_aim", "pp_speed", "pp_flashlight", "effective_miss_count")
DIFFICULTY_KEYS = (
    "stars",
    "aim",
    "speed",
    "flashlight",
    "slider_factor",
    "speed_note_count",
    "stamina",
    "color",
    "rhythm",
    "peak",
)

AKATSUKI_MISSING = (
    "PP_BACKEND=akatsuki needs akatsuki-pp-py, which is not installed "
    "(pip install 'hitcircle[akatsuki]'; wheels exist for Python < 3.12) - or set PP_BACKEND=rosu"
)

OsuFileInput = Path | bytes
T = TypeVar("T")


class PpBackendUnavailable(ConfigError):
    """The configured PP_BACKEND cannot be loaded; the message is one line meant for the operator."""


@dataclass(frozen=True, slots=True)
class HitCounts:
    ngeki: int = 0
    nkatu: int = 0
    n100: int = 0
    n50: int = 0


@dataclass(frozen=True, slots=True)
class ScoreParams:
    """One calculation: `accuracy` (0-100) or `hits`, not both; neither means an SS."""

    mode: int
    mods: int = 0
    accuracy: float | None = None
    hits: HitCounts | None = None
    misses: int = 0
    combo: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in (0, 1, 2, 3):
            raise ValueError(f"mode must be 0-3, not {self.mode}")
        if not 0 <= self.mods <= INT32_MAX:
            raise ValueError("mods must be between 0 and 2^31-1")
        if self.accuracy is not None and self.hits is not None:
            raise ValueError("give an accuracy or hit counts, not both")
        if self.accuracy is not None and not (math.isfinite(self.accuracy) and 0 <= self.accuracy <= 100):
            raise ValueError("accuracy must be a finite percentage")
        counts = [self.misses, 0 if self.combo is None else self.combo]
        if self.hits is not None:
            counts += (self.hits.ngeki, self.hits.nkatu, self.hits.n100, self.hits.n50)
        if any(not 0 <= c <= INT32_MAX for c in counts):
            raise ValueError("hit counts and combo must be between 0 and 2^31-1")

    @property
    def effective_mods(self) -> int:
        """The mods as calculated: Nightcore implies DoubleTime."""
        return self.mods | DOUBLETIME if self.mods & NIGHTCORE else self.mods


@dataclass(frozen=True, slots=True)
class PerformanceResult:
    pp: float
    performance: dict[str, float | None]  # PERFORMANCE_KEYS + pp_difficulty, `pp` as `self.pp`
    difficulty: dict[str, float | None]  # DIFFICULTY_KEYS


class PerformanceCalculator(Protocol):
    name: str

    def calculate(
        self, osu_file: OsuFileInput, scores: Sequence[ScoreParams], *, md5: str | None = None
    ) -> list[PerformanceResult]:
        """One result per score, in order. `md5` (of the file's bytes) saves reading a cached file."""
        ...


async def calculate_in_thread(
    calculator: PerformanceCalculator,
    osu_file: OsuFileInput,
    scores: Sequence[ScoreParams],
    *,
    md5: str | None = None,
) -> list[PerformanceResult]:
    return await asyncio.to_thread(calculator.calculate, osu_file, scores, md5=md5)


def make_calculator(settings: Settings) -> PerformanceCalculator:
    """The backend PP_BACKEND names; `PpBackendUnavailable` when it cannot be loaded."""
    if settings.pp_backend == "akatsuki":
        return AkatsukiCalculator()
    return RosuCalculator()


# --- helpers -----------------------------------------------------------------------------------------


def final_pp(value: float) -> float:
    return round(value, 3) if math.isfinite(value) else 0.0


def _attribute(source: Any, name: str) -> float | None:
    value = getattr(source, name, None)
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _result(perf: Any, pp_acc_name: str) -> PerformanceResult:
    pp = final_pp(float(perf.pp))
    performance: dict[str, float | None] = {"pp": pp, "pp_acc": _attribute(perf, pp_acc_name)}
    for key in PERFORMANCE_KEYS[2:]:
        performance[key] = _attribute(perf, key)
    performance["pp_difficulty"] = _attribute(perf, "pp_difficulty")
    difficulty = {key: _attribute(perf.difficulty, key) for key in DIFFICULTY_KEYS}
    return PerformanceResult(pp=pp, performance=performance, difficulty=difficulty)


class _LruCache(Generic[T]):
    """A small thread-safe LRU; values are never mutated once stored, so threads may share them."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[Any, ...], T] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_create(self, key: tuple[Any, ...], create: Callable[[], T]) -> T:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        value = create()  # outside the lock: parsing may take a while
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


class _OsuFile:
    """A `.osu` file given as a path or bytes; read at most once, md5 computed only when needed."""

    def __init__(self, source: OsuFileInput, md5: str | None) -> None:
        self._source = source
        self._data = source if isinstance(source, bytes) else None
        self._md5 = md5.lower() if md5 is not None else None

    @property
    def data(self) -> bytes:
        if self._data is None:
            assert isinstance(self._source, Path)
            self._data = self._source.read_bytes()
        return self._data

    @property
    def key(self) -> tuple[str, str]:
        if self._md5 is None:
            self._md5 = hashlib.md5(self.data).hexdigest()
        name = "" if isinstance(self._source, bytes) else str(self._source)
        return name, self._md5


# --- backends ----------------------------------------------------------------------------------------


class RosuCalculator:
    name = "rosu"

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        import rosu_pp_py

        self._rosu = rosu_pp_py
        self._modes = (
            rosu_pp_py.GameMode.Osu,
            rosu_pp_py.GameMode.Taiko,
            rosu_pp_py.GameMode.Catch,
            rosu_pp_py.GameMode.Mania,
        )
        self._cache: _LruCache[Any] = _LruCache(cache_size)

    def _beatmap(self, file: _OsuFile, mode: int, mods: int) -> Any:
        key = file.key
        original = self._cache.get_or_create((*key, None, 0), lambda: self._rosu.Beatmap(bytes=file.data))
        if mode == 0 or original.mode != self._modes[0]:
            return original
        convert_mods = mods & MANIA_KEY_MODS if mode == 3 else 0

        def converted() -> Any:
            beatmap = self._rosu.Beatmap(bytes=file.data)
            beatmap.convert(self._modes[mode], convert_mods)
            return beatmap

        return self._cache.get_or_create((*key, mode, convert_mods), converted)

    def calculate(
        self, osu_file: OsuFileInput, scores: Sequence[ScoreParams], *, md5: str | None = None
    ) -> list[PerformanceResult]:
        file = _OsuFile(osu_file, md5)
        difficulties: dict[tuple[int, int], Any] = {}
        results = []
        for score in scores:
            mods = score.effective_mods
            kwargs: dict[str, Any] = {"lazer": False, "mods": mods, "misses": score.misses}
            if score.combo is not None:
                kwargs["combo"] = score.combo
            if score.hits is not None:
                hits = score.hits
                kwargs.update(n_geki=hits.ngeki, n_katu=hits.nkatu, n100=hits.n100, n50=hits.n50)
            else:
                kwargs["accuracy"] = 100.0 if score.accuracy is None else score.accuracy
            performance = self._rosu.Performance(**kwargs)
            known = difficulties.get((score.mode, mods))
            if known is not None:
                perf = performance.calculate(known)
            else:
                perf = performance.calculate(self._beatmap(file, score.mode, mods))
                difficulties[(score.mode, mods)] = perf.difficulty
            results.append(_result(perf, "pp_accuracy"))
        return results


class AkatsukiCalculator:
    name = "akatsuki"

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        try:
            import akatsuki_pp_py
        except ImportError:
            raise PpBackendUnavailable(AKATSUKI_MISSING) from None
        self._akatsuki = akatsuki_pp_py
        self._cache: _LruCache[tuple[Any, int]] = _LruCache(cache_size)

    def _parse(self, data: bytes) -> tuple[Any, int]:
        beatmap = self._akatsuki.Beatmap(bytes=data)
        return beatmap, int(self._akatsuki.Calculator().map_attributes(beatmap).mode)

    def calculate(
        self, osu_file: OsuFileInput, scores: Sequence[ScoreParams], *, md5: str | None = None
    ) -> list[PerformanceResult]:
        file = _OsuFile(osu_file, md5)
        beatmap, native_mode = self._cache.get_or_create(file.key, lambda: self._parse(file.data))
        difficulties: dict[tuple[int, int], Any] = {}
        results = []
        for score in scores:
            mods = score.effective_mods
            mode = score.mode if native_mode == 0 else native_mode
            kwargs: dict[str, Any] = {"mode": mode, "mods": mods, "n_misses": score.misses}
            if score.combo is not None:
                kwargs["combo"] = score.combo
            if score.hits is not None:
                hits = score.hits
                kwargs.update(n_geki=hits.ngeki, n_katu=hits.nkatu, n100=hits.n100, n50=hits.n50)
            else:
                kwargs["acc"] = 100.0 if score.accuracy is None else score.accuracy
            known = difficulties.get((mode, mods))
            if known is not None:
                kwargs["difficulty"] = known
            perf = self._akatsuki.Calculator(**kwargs).performance(beatmap)
            difficulties.setdefault((mode, mods), perf.difficulty)
            results.append(_result(perf, "pp_acc"))
        return results

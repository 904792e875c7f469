"""pp calculators: both backends reproduce the reference values of /work/shared/testdata/README.md."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hitcircle.config import ConfigError, load_settings
from hitcircle.services.pp import (
    AKATSUKI_MISSING,
    DIFFICULTY_KEYS,
    AkatsukiCalculator,
    HitCounts,
    PerformanceCalculator,
    PpBackendUnavailable,
    RosuCalculator,
    ScoreParams,
    calculate_in_thread,
    final_pp,
    make_calculator,
)

BEATMAPS = Path(__file__).parent / "fixtures" / "beatmaps"
HAS_AKATSUKI = importlib.util.find_spec("akatsuki_pp_py") is not None
needs_akatsuki = pytest.mark.skipif(not HAS_AKATSUKI, reason="akatsuki-pp-py is not installed")

# file -> (mode, md5, (rosu pp, rosu stars), (akatsuki pp, akatsuki stars)): nomod SS
REFERENCE = {
    "315.osu": (0, "eb786491aa73d30f9288a66f774621d7", (151.711, 5.1778), (152.404, 5.2338)),
    "2785319.osu": (0, "3ca9a5e23c9a4e9332f4f6e2a48865f7", (269.310, 5.7408), (255.942, 5.6699)),
    "1028484.osu": (1, "064601765cbd0c22d2d7a0779fd895eb", (130.334, 2.9163), (98.476, 2.9778)),
    "2118524.osu": (2, "2254b2065c6c0bec1b223bca34dc7b31", (113.859, 3.2503), (113.859, 3.2503)),
    "1638954.osu": (3, "b750305d331c6801c494062e7843c487", (108.084, 3.3583), (114.372, 3.4418)),
}
VIVID = BEATMAPS / "315.osu"
HD_RX_SCORE = ScoreParams(
    mode=0, mods=136, combo=52, misses=6, hits=HitCounts(ngeki=23, nkatu=6, n100=14, n50=5)
)
# which attributes a mode has (both backends agree, except rosu never has `peak`)
MODE_DIFFICULTY = {
    0: {"stars", "aim", "speed", "flashlight", "slider_factor", "speed_note_count"},
    1: {"stars", "stamina", "color", "rhythm", "peak"},
    2: {"stars"},
    3: {"stars"},
}


def backend(name: str) -> PerformanceCalculator:
    if name == "akatsuki":
        if not HAS_AKATSUKI:
            pytest.skip("akatsuki-pp-py is not installed")
        return AkatsukiCalculator()
    return RosuCalculator()


BACKENDS = ["rosu", pytest.param("akatsuki", marks=needs_akatsuki)]


def nomod(mode: int, **changes: object) -> ScoreParams:
    return ScoreParams(mode=mode, **changes)  # type: ignore[arg-type]


def pp_of(calc: PerformanceCalculator, score: ScoreParams, osu: Path = VIVID) -> float:
    return calc.calculate(osu, [score])[0].pp


@pytest.mark.parametrize("name", BACKENDS)
@pytest.mark.parametrize("filename", list(REFERENCE))
def test_nomod_ss_reference_values(name: str, filename: str) -> None:
    mode, md5, rosu_ref, akatsuki_ref = REFERENCE[filename]
    path = BEATMAPS / filename
    assert hashlib.md5(path.read_bytes()).hexdigest() == md5
    pp, stars = rosu_ref if name == "rosu" else akatsuki_ref
    (result,) = backend(name).calculate(path, [nomod(mode)])
    assert result.pp == pp
    assert result.performance["pp"] == pp
    assert round(result.difficulty["stars"] or 0.0, 4) == stars
    present = {key for key, value in result.difficulty.items() if value is not None}
    expected = MODE_DIFFICULTY[mode] - ({"peak"} if name == "rosu" else set())
    assert present == expected
    assert list(result.difficulty) == list(DIFFICULTY_KEYS)
    assert list(result.performance) == [
        "pp",
        "pp_acc",
        "pp_aim",
        "pp_speed",
        "pp_flashlight",
        "effective_miss_count",
        "pp_difficulty",
    ]


@needs_akatsuki
def test_akatsuki_accuracy_list_and_hd_rx_score() -> None:
    calc = backend("akatsuki")
    results = calc.calculate(VIVID, [nomod(0, accuracy=acc) for acc in (100.0, 99.0, 98.0, 95.0)])
    assert [round(r.pp, 2) for r in results] == [152.40, 133.31, 135.73, 120.05]
    assert round(results[0].difficulty["stars"] or 0.0, 4) == 5.2338
    # the same values one at a time (the list shares difficulty attributes between accuracies)
    assert [pp_of(calc, nomod(0, accuracy=acc)) for acc in (100.0, 99.0, 98.0, 95.0)] == [
        r.pp for r in results
    ]
    assert pp_of(calc, HD_RX_SCORE) == 10.448


def test_rosu_accuracy_list_and_hit_counts() -> None:
    calc = backend("rosu")
    results = calc.calculate(VIVID, [nomod(0, accuracy=acc) for acc in (100.0, 99.0, 98.0, 95.0)])
    pps = [r.pp for r in results]
    assert pps[0] == 151.711
    assert pps == [pp_of(calc, nomod(0, accuracy=acc)) for acc in (100.0, 99.0, 98.0, 95.0)]
    assert pps[0] > pps[1] > pps[3] > 0
    # official relax treatment: no speed pp, far below nomod; hit counts infer n300
    relax = calc.calculate(VIVID, [HD_RX_SCORE])[0]
    assert relax.performance["pp_speed"] == 0.0
    assert relax.pp == 21.845
    full = calc.calculate(VIVID, [nomod(0, hits=HitCounts())])[0]
    assert full.pp == 151.711


@pytest.mark.parametrize("name", BACKENDS)
def test_nightcore_implies_doubletime(name: str) -> None:
    calc = backend(name)
    nc, nc_dt, dt, plain = (pp_of(calc, nomod(0, mods=mods)) for mods in (512, 576, 64, 0))
    assert nc == nc_dt == dt
    assert nc > plain * 2
    assert nomod(0, mods=512).effective_mods == 576


@pytest.mark.parametrize("name", BACKENDS)
def test_relax_and_autopilot_bits_pass_through(name: str) -> None:
    calc = backend(name)
    plain, relax, autopilot = (pp_of(calc, nomod(0, mods=mods)) for mods in (0, 128, 8192))
    assert len({plain, relax, autopilot}) == 3
    if name == "akatsuki":  # Akatsuki's relax/autopilot pp
        assert (round(relax, 2), round(autopilot, 2)) == (84.65, 82.13)


@pytest.mark.parametrize("name", BACKENDS)
def test_osu_maps_convert_and_other_maps_keep_their_mode(name: str) -> None:
    calc = backend(name)
    converted = [calc.calculate(VIVID, [nomod(mode)])[0] for mode in range(4)]
    assert len({r.pp for r in converted}) == 4
    assert converted[1].difficulty["stamina"] is not None
    assert converted[0].difficulty["stamina"] is None
    taiko = BEATMAPS / "1028484.osu"
    own = [pp_of(calc, nomod(mode), taiko) for mode in range(4)]
    assert own == [own[1]] * 4


def test_rosu_mania_conversion_follows_key_mods() -> None:
    calc = backend("rosu")
    four_keys, seven_keys, plain = (pp_of(calc, nomod(3, mods=mods)) for mods in (1 << 15, 1 << 18, 0))
    assert four_keys != plain
    assert pp_of(calc, nomod(3, mods=1 << 15)) == four_keys  # cached conversion per key count
    assert seven_keys > 0


@needs_akatsuki
def test_non_finite_pp_becomes_zero_and_attributes_null() -> None:
    calc = backend("akatsuki")
    relax_zero, relax_misses = calc.calculate(
        VIVID, [nomod(0, mods=128, accuracy=0.0), nomod(0, mods=128, accuracy=100.0, misses=1000)]
    )
    assert relax_zero.pp == relax_zero.performance["pp"] == 0.0  # inf
    assert relax_misses.pp == 0.0  # nan
    assert relax_misses.performance["pp_aim"] is None  # nan
    for result in (relax_zero, relax_misses):
        values = [*result.performance.values(), *result.difficulty.values()]
        assert all(v is None or math.isfinite(v) for v in values)
    assert final_pp(float("nan")) == final_pp(float("-inf")) == 0.0
    assert final_pp(10.44761) == 10.448


@needs_akatsuki
def test_akatsuki_relax_on_a_non_osu_map_uses_the_maps_mode() -> None:
    calc = backend("akatsuki")
    mania = BEATMAPS / "1638954.osu"
    results = calc.calculate(mania, [nomod(mode, mods=128) for mode in range(4)])
    assert {r.pp for r in results} == {114.372}  # not akatsuki-pp-py's 2027 pp for mode 0


@pytest.mark.parametrize("name", BACKENDS)
def test_bytes_input_and_cache_by_path_and_md5(name: str, tmp_path: Path) -> None:
    calc = backend(name)
    data = VIVID.read_bytes()
    md5 = hashlib.md5(data).hexdigest()
    from_bytes = calc.calculate(data, [nomod(0)])[0].pp
    target = tmp_path / "315.osu"
    shutil.copyfile(VIVID, target)
    assert calc.calculate(target, [nomod(0)], md5=md5)[0].pp == from_bytes
    target.unlink()  # cached under (path, md5): the file is not read again
    assert calc.calculate(target, [nomod(0)], md5=md5)[0].pp == from_bytes
    # another file at the same path (another md5) is parsed afresh
    shutil.copyfile(BEATMAPS / "2785319.osu", target)
    other = calc.calculate(target, [nomod(0)])[0].pp
    assert other != from_bytes
    assert other == calc.calculate(BEATMAPS / "2785319.osu", [nomod(0)])[0].pp


def test_cache_is_bounded() -> None:
    calc = RosuCalculator(cache_size=2)
    for filename in REFERENCE:
        calc.calculate(BEATMAPS / filename, [nomod(0)])
    assert len(calc._cache) == 2


@pytest.mark.parametrize("name", BACKENDS)
async def test_calculations_in_threads_share_parsed_maps(name: str) -> None:
    calc = backend(name)
    osu = BEATMAPS / "2785319.osu"
    expected = calc.calculate(osu, [nomod(0, accuracy=97.5)])[0].pp
    with ThreadPoolExecutor(8) as pool:
        pps = set(pool.map(lambda _: pp_of(calc, nomod(0, accuracy=97.5), osu), range(64)))
    assert pps == {expected}
    (result,) = await calculate_in_thread(calc, osu, [nomod(0, accuracy=97.5)])
    assert result.pp == expected


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": 4},
        {"mode": -1},
        {"mods": -1},
        {"mods": 2**31},
        {"accuracy": 101.0},
        {"accuracy": float("nan")},
        {"misses": -1},
        {"combo": -1},
        {"accuracy": 99.0, "hits": HitCounts()},
        {"hits": HitCounts(n100=-1)},
    ],
)
def test_score_params_are_validated(changes: dict[str, object]) -> None:
    values: dict[str, object] = {"mode": 0, **changes}
    with pytest.raises(ValueError):
        ScoreParams(**values)  # type: ignore[arg-type]


def test_make_calculator_follows_pp_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    rosu = make_calculator(load_settings(env_file=None, PP_BACKEND="rosu"))
    assert isinstance(rosu, RosuCalculator)
    assert isinstance(make_calculator(load_settings(env_file=None)), RosuCalculator)
    akatsuki_settings = load_settings(env_file=None, PP_BACKEND="akatsuki")
    if HAS_AKATSUKI:
        assert isinstance(make_calculator(akatsuki_settings), AkatsukiCalculator)
    monkeypatch.setitem(sys.modules, "akatsuki_pp_py", None)  # as if not installed
    with pytest.raises(PpBackendUnavailable) as caught:
        make_calculator(akatsuki_settings)
    assert isinstance(caught.value, ConfigError)
    assert str(caught.value) == AKATSUKI_MISSING
    assert "\n" not in AKATSUKI_MISSING and "PP_BACKEND" in AKATSUKI_MISSING

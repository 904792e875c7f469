"""Reading local .osu files: metadata, settings, bpm, length, and rosu-pp's max combo and stars."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from hitcircle.services.osu_files import OsuFile, OsuFileError, beatmap_filename, parse_osu_file
from tests.beatmap_fakes import BEATMAPS

# md5, max combo and stars (rosu-pp-py 4.0.2, nomod) are the reference values of the test data README.
EXPECTED = {
    "315.osu": OsuFile(
        md5="eb786491aa73d30f9288a66f774621d7", title="Vivid", artist="FAIRY FORE",
        creator="Hitoshirenu Shourai", version="Insane", beatmap_id=0, beatmapset_id=0, mode=0,
        cs=6.0, od=7.0, ar=7.0, hp=2.0, bpm=168.0, total_length=14, max_combo=114, stars=5.1778,
    ),
    "2785319.osu": OsuFile(
        md5="3ca9a5e23c9a4e9332f4f6e2a48865f7", title="re[in]flaw", artist="MYUKKE.",
        creator="captin1", version="toybot's Expert", beatmap_id=2785319, beatmapset_id=1344871,
        mode=0, cs=4.5, od=8.8, ar=9.3, hp=5.0, bpm=170.0, total_length=113, max_combo=909, stars=5.7408,
    ),
    "1028484.osu": OsuFile(
        md5="064601765cbd0c22d2d7a0779fd895eb", title="Inferno", artist="9mm Parabellum Bullet",
        creator="Nofool", version="Muzukashii", beatmap_id=1028484, beatmapset_id=481954, mode=1,
        cs=2.0, od=5.0, ar=8.0, hp=6.0, bpm=195.0, total_length=88, max_combo=289, stars=2.9163,
    ),
    "2118524.osu": OsuFile(
        md5="2254b2065c6c0bec1b223bca34dc7b31", title="trappola bewitching",
        artist="gmtn. (witch's slave)", creator="Du5t", version="Platter", beatmap_id=2118524,
        beatmapset_id=994994, mode=2, cs=3.5, od=8.0, ar=8.0, hp=5.0, bpm=190.0, total_length=116,
        max_combo=730, stars=3.2503,
    ),
    "1638954.osu": OsuFile(
        md5="b750305d331c6801c494062e7843c487", title="Future Son", artist="ARCIEN", creator="AncuL",
        version="Hard", beatmap_id=1638954, beatmapset_id=777881, mode=3, cs=4.0, od=8.0, ar=5.0,
        hp=8.0, bpm=150.0, total_length=64, max_combo=956, stars=3.3583,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_files(name: str) -> None:
    data = (BEATMAPS / name).read_bytes()
    parsed = parse_osu_file(data)
    assert round(parsed.stars, 4) == EXPECTED[name].stars
    # everything else is exact
    assert replace(parsed, stars=EXPECTED[name].stars) == EXPECTED[name]
    assert parsed.md5 == hashlib.md5(data).hexdigest()


def test_filename_follows_the_reference_rule() -> None:
    parsed = parse_osu_file((BEATMAPS / "315.osu").read_bytes())
    assert parsed.filename == "FAIRY FORE - Vivid (Hitoshirenu Shourai) [Insane].osu"
    assert beatmap_filename("A:B\\C/D", 'T*<>?"|', "me", "v") == "ABCD - T (me) [v].osu"


def _map(timing: str, objects: str, difficulty: str = "SliderMultiplier:1\n", extra: str = "") -> bytes:
    return (
        "\ufeffosu file format v14\n\n[General]\nMode: 0\n\n[Metadata]\nTitle:T\nArtist:A\nCreator:C\n"
        f"Version:V\n{extra}\n[Difficulty]\nHPDrainRate:4\nCircleSize:4\nOverallDifficulty:6\n"
        f"{difficulty}\n[TimingPoints]\n{timing}\n\n[HitObjects]\n{objects}\n"
    ).encode()


def test_slider_repeats_and_velocity_decide_the_length() -> None:
    # beat 500 ms, multiplier 1, inherited point x2 velocity: 100 px per 250 ms; 2 slides of 400 px
    # → slider lasts 2 x 1000 ms; from 1000 ms to 3000 ms, plus a circle at 0 → 3 s.
    data = _map(
        "0,500,4,1,0,100,1,0\n1000,-50,4,1,0,100,0,0",
        "256,192,0,1,0,0:0:0:0:\n100,100,1000,2,0,L|500:100,2,400",
    )
    parsed = parse_osu_file(data)
    assert (parsed.total_length, parsed.bpm, parsed.ar, parsed.title) == (3, 120.0, 6.0, "T")


def test_spinner_and_hold_ends_count() -> None:
    spinner = _map("0,400,4,1,0,100,1,0", "256,192,0,1,0\n256,192,500,12,0,4600,0:0:0:0:")
    assert parse_osu_file(spinner).total_length == 5  # 4.6 s rounds up
    hold = _map("0,400,4,1,0,100,1,0", "64,192,0,128,0,2400:0:0:0:0:")
    assert parse_osu_file(hold).total_length == 2  # 2.4 s rounds down


def test_most_common_bpm_wins_over_the_first() -> None:
    # 120 bpm for the first 2 s, then 180 bpm until the last object at 20 s
    data = _map(
        "0,500,4,1,0,100,1,0\n2000,333.333333333333,4,1,0,100,1,0",
        "256,192,0,1,0\n256,192,20000,1,0",
    )
    assert parse_osu_file(data).bpm == 180.0


def test_ids_come_from_metadata() -> None:
    data = _map("0,500", "256,192,0,1,0", extra="BeatmapID:77\nBeatmapSetID:-1\n")
    parsed = parse_osu_file(data)
    assert (parsed.beatmap_id, parsed.beatmapset_id, parsed.md5) == (77, 0, hashlib.md5(data).hexdigest())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an osu! beatmap (no 'osu file format' header)"),
        (b"\x89PNG\r\n\x1a\n", "not an osu! beatmap (no 'osu file format' header)"),
        (b"osu file format v14\n\n[HitObjects]\n", "the beatmap has no hit objects"),
        (b"osu file format v14\n[General]\nMode: 9\n", "unknown game mode '9'"),
        (b"osu file format v14\n[Difficulty]\nCircleSize:x\n", "CircleSize is not a number: 'x'"),
    ],
)
def test_unusable_files_are_rejected(data: bytes, message: str) -> None:
    with pytest.raises(OsuFileError) as caught:
        parse_osu_file(data)
    assert str(caught.value) == message

"""Avatars: validation and storage, `set_avatar` over HTTP, serving on `a.<domain>` and `/avatars/<id>`."""

from __future__ import annotations

import asyncio
import fnmatch
import io
import os
import random
import struct
import subprocess
import sys
import threading
import tomllib
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine

from hitcircle.api import avatars as avatars_api
from hitcircle.app import HitcircleApp
from hitcircle.http.openapi import build_openapi
from hitcircle.paths import DataPaths
from hitcircle.services.avatars import (
    BUNDLED_DEFAULT,
    CORRUPT,
    INVALID_TYPE,
    MAX_BYTES,
    TOO_LARGE,
    TOO_MANY_PIXELS,
    AvatarError,
    AvatarService,
)
from hitcircle.surfaces import Surface
from tests.conftest import DOMAIN
from tests.factories import create_user
from tests.test_e2e_serve import running_server, server_env

AVATAR_HOST = f"http://a.{DOMAIN}"
PATH_MODE = "http://127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


# --- images ------------------------------------------------------------------------------------------------
def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def picture(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    """A gradient with some detail, so scaling and colour handling are visible in the pixels."""
    width, height = size
    image = Image.new("RGBA", size)
    image.putdata(
        [
            (
                (x * 255) // width,
                (y * 255) // height,
                ((x ^ y) * 7) % 256,
                255 if mode == "RGB" else (x + y) % 256,
            )
            for y in range(height)
            for x in range(width)
        ]
    )
    return image.convert(mode)


def expected_avatar(data: bytes) -> Image.Image:
    """What the stored avatar must look like: the first frame, RGB(A), thumbnailed to 256x256 by Pillow."""
    with Image.open(io.BytesIO(data)) as original:
        original.seek(0)
        original.load()
        alpha = original.mode in ("RGBA", "LA", "PA") or "transparency" in original.info
        image = original.convert("RGBA" if alpha else "RGB")
    image.thumbnail((256, 256), Image.Resampling.LANCZOS)
    return image


def decode(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.load()
        return image.copy()


def assert_same_image(actual: Image.Image, expected: Image.Image) -> None:
    assert (actual.mode, actual.size) == (expected.mode, expected.size)
    assert max(actual.size) <= 256
    assert actual.tobytes() == expected.tobytes()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A few hundred bytes declaring a width x height 1-bit image: zeros compress ~1000:1."""
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 256, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b"")
    )


def flip_byte(data: bytes, where: float) -> bytes:
    at = int(len(data) * where)
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def animation(fmt: str) -> bytes:
    frames = [Image.new("RGB", (64, 48), colour) for colour in ((220, 20, 60), (20, 60, 220), (20, 200, 60))]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def noise_jpeg() -> bytes:
    return encode(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG", quality=90)


ACCEPTED: dict[str, Callable[[], bytes]] = {
    "png": lambda: encode(picture(), "PNG"),
    "png-rgba": lambda: encode(picture(mode="RGBA"), "PNG"),
    "png-palette-transparency": lambda: encode(picture().convert("P"), "PNG", transparency=3),
    "png-grey": lambda: encode(picture(mode="L"), "PNG"),
    "jpeg": lambda: encode(picture(), "JPEG", quality=92),
    "jpeg-cmyk": lambda: encode(picture(mode="CMYK"), "JPEG"),
    "gif": lambda: encode(picture().convert("P"), "GIF"),
    "webp": lambda: encode(picture(), "WEBP", quality=90),
    "webp-rgba": lambda: encode(picture(mode="RGBA"), "WEBP", lossless=True),
    "small-not-upscaled": lambda: encode(picture((40, 30)), "PNG"),
    "tall": lambda: encode(picture((100, 900)), "PNG"),
    "largest-allowed": lambda: encode(Image.new("L", (4096, 4096), 90), "PNG"),
}

JUNK = random.Random(20240601).randbytes(2000)
#: a header followed by junk is "invalid file type." or "corrupt", depending on where Pillow gives up
BROKEN = (INVALID_TYPE, CORRUPT)

HOSTILE: dict[str, tuple[Callable[[], bytes], str | tuple[str, ...]]] = {
    "empty": (lambda: b"", INVALID_TYPE),
    "text": (lambda: b"just some text, not an image\n" * 10, INVALID_TYPE),
    "svg": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle r="30"/></svg>',
        INVALID_TYPE,
    ),
    "html-named-png": (lambda: b"<html><script>alert(1)</script></html>", INVALID_TYPE),
    "bmp": (lambda: encode(picture((32, 32)), "BMP"), INVALID_TYPE),
    "tiff": (lambda: encode(picture((32, 32)), "TIFF"), INVALID_TYPE),
    "png-header-garbage": (lambda: b"\x89PNG\r\n\x1a\n" + JUNK, BROKEN),
    "png-header-text": (lambda: b"\x89PNG\r\n\x1a\n" + b"garbage" * 300, BROKEN),
    "png-header-zeros": (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, BROKEN),
    "jpeg-header-garbage": (lambda: b"\xff\xd8\xff\xe0" + JUNK, BROKEN),
    "gif-header-garbage": (lambda: b"GIF89a" + JUNK, BROKEN),
    "webp-header-garbage": (lambda: b"RIFF\x00\x10\x00\x00WEBPVP8 " + JUNK, BROKEN),
    "truncated-jpeg": (lambda: noise_jpeg()[:4000], CORRUPT),
    "truncated-png": (lambda: encode(Image.effect_noise((300, 300), 60), "PNG")[:5000], CORRUPT),
    "png-bad-crc": (
        lambda: flip_byte(encode(picture((64, 64)), "PNG"), 0.5),  # inside IDAT: only the CRC tells
        CORRUPT,
    ),
    "too-wide": (lambda: encode(Image.new("RGB", (5000, 10)), "PNG"), TOO_MANY_PIXELS),
    "too-tall": (lambda: encode(Image.new("RGB", (10, 5000)), "PNG"), TOO_MANY_PIXELS),
    "bomb-20000": (lambda: png_bomb(20000, 20000), TOO_MANY_PIXELS),
    "bomb-4097": (lambda: png_bomb(4097, 4097), TOO_MANY_PIXELS),
    "over-4mib": (lambda: encode(picture((16, 16)), "PNG") + b"\x00" * MAX_BYTES, TOO_LARGE),
}


# --- service -----------------------------------------------------------------------------------------------
@pytest.fixture
def service(tmp_path: Path) -> AvatarService:
    return AvatarService(DataPaths(tmp_path / "data"))


def stored(service: AvatarService, user_id: int) -> Image.Image:
    return decode((service.folder / f"{user_id}.png").read_bytes())


@pytest.mark.parametrize("kind", ACCEPTED)
async def test_accepted_formats_round_trip(service: AvatarService, kind: str) -> None:
    data = ACCEPTED[kind]()
    await service.store(1000, data)
    assert await service.find(1000) == service.folder / "1000.png"
    assert_same_image(stored(service, 1000), expected_avatar(data))


async def test_alpha_is_kept_and_opaque_images_have_none(service: AvatarService) -> None:
    await service.store(1000, ACCEPTED["png-rgba"]())
    assert stored(service, 1000).mode == "RGBA"
    await service.store(1001, ACCEPTED["jpeg"]())
    assert stored(service, 1001).mode == "RGB"


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
async def test_animation_keeps_the_first_frame(service: AvatarService, fmt: str) -> None:
    data = animation(fmt)
    with Image.open(io.BytesIO(data)) as check:
        assert getattr(check, "n_frames", 1) == 3
    await service.store(1000, data)
    image = stored(service, 1000).convert("RGB")
    assert image.size == (64, 48)
    red, green, blue = image.getpixel((32, 24))  # type: ignore[misc]
    assert red > 200 and green < 40 and blue < 80
    assert not getattr(Image.open(service.folder / "1000.png"), "is_animated", False)


async def test_exif_orientation_is_applied(service: AvatarService) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    await service.store(1000, encode(picture((120, 60)), "JPEG", exif=exif.tobytes()))
    assert stored(service, 1000).size == (60, 120)


@pytest.mark.parametrize("kind", HOSTILE)
async def test_hostile_input_is_refused_and_changes_nothing(service: AvatarService, kind: str) -> None:
    make, message = HOSTILE[kind]
    original = ACCEPTED["png"]()
    await service.store(1000, original)
    before = (service.folder / "1000.png").read_bytes()
    with pytest.raises(AvatarError) as refused:
        await service.store(1000, make())
    assert str(refused.value) in ((message,) if isinstance(message, str) else message)
    assert (service.folder / "1000.png").read_bytes() == before
    assert sorted(p.name for p in service.folder.iterdir()) == ["1000.png"]


async def test_new_upload_replaces_every_older_file_of_the_user(service: AvatarService) -> None:
    folder = service.folder
    folder.mkdir(parents=True)
    for name in ("1000.jpeg", "1000.jpg", "1000.gif", "1000.jfif", "1000.webp", "1000.png", "10000.jpeg"):
        (folder / name).write_bytes(b"old")
    (folder / "default.jpg").write_bytes(b"operator default")
    await service.store(1000, ACCEPTED["jpeg"]())
    assert sorted(p.name for p in folder.iterdir()) == ["1000.png", "10000.jpeg", "default.jpg"]
    assert_same_image(stored(service, 1000), expected_avatar(ACCEPTED["jpeg"]()))
    assert (folder / "1000.png").stat().st_mode & 0o777 == 0o644


async def test_concurrent_uploads_always_leave_a_complete_png(service: AvatarService) -> None:
    colours = [(i * 30, 255 - i * 30, 100) for i in range(8)]
    uploads = [encode(Image.new("RGB", (900, 900), colour), "PNG") for colour in colours]
    await service.store(1000, uploads[0])
    path = service.folder / "1000.png"
    failures: list[str] = []
    reads = 0
    done = threading.Event()

    def reader() -> None:
        nonlocal reads
        while not done.is_set():
            try:
                decode(path.read_bytes())
                reads += 1
            except Exception as exc:  # a half-written file would end up here
                failures.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(3):
            await asyncio.gather(*(service.store(1000, data) for data in uploads))
    finally:
        done.set()
        thread.join()
    assert failures == []
    assert reads > 0
    final = decode(path.read_bytes()).getpixel((128, 128))
    assert final in colours
    assert sorted(p.name for p in service.folder.iterdir()) == ["1000.png"]  # no temporary files left


async def test_failed_write_keeps_the_old_avatar(
    service: AvatarService, monkeypatch: pytest.MonkeyPatch
) -> None:
    await service.store(1000, ACCEPTED["png"]())
    before = (service.folder / "1000.png").read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        await service.store(1000, ACCEPTED["jpeg"]())
    monkeypatch.undo()
    assert (service.folder / "1000.png").read_bytes() == before
    assert sorted(p.name for p in service.folder.iterdir()) == ["1000.png"]


async def test_find_follows_banchopy_order(service: AvatarService) -> None:
    folder = service.folder
    assert await service.find(1000) is None  # no folder at all yet
    folder.mkdir(parents=True)
    (folder / "1000.jfif").write_bytes(b"x")
    assert await service.find(1000) == folder / "1000.jfif"
    (folder / "1000.jpeg").write_bytes(b"x")  # what bancho.py's set_avatar wrote
    assert await service.find(1000) == folder / "1000.jpeg"
    (folder / "1000.jpg").write_bytes(b"x")
    assert await service.find(1000) == folder / "1000.jpg"
    (folder / "1000.png").write_bytes(b"x")
    assert await service.find(1000) == folder / "1000.png"
    (folder / "1001.webp").write_bytes(b"x")  # nginx never served .webp; neither do we
    assert await service.find(1001) is None
    (folder / "1002.png").mkdir()
    assert await service.find(1002) is None


def test_default_avatar_prefers_the_operators_file(service: AvatarService) -> None:
    assert service.default_avatar() == BUNDLED_DEFAULT
    service.folder.mkdir(parents=True)
    (service.folder / "default.jpg").write_bytes(b"jpg")
    assert service.default_avatar() == service.folder / "default.jpg"
    (service.folder / "default.png").write_bytes(b"png")
    assert service.default_avatar() == service.folder / "default.png"


def test_bundled_default_is_a_packaged_png() -> None:
    with Image.open(BUNDLED_DEFAULT) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))
        image.load()
    assert BUNDLED_DEFAULT.stat().st_size < 64 * 1024
    package = BUNDLED_DEFAULT.parent.parent  # src/hitcircle
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    relative = BUNDLED_DEFAULT.relative_to(package).as_posix()
    assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns["hitcircle"])


# --- HTTP: set_avatar --------------------------------------------------------------------------------------
@pytest.fixture
def avatar_app(app: HitcircleApp) -> HitcircleApp:
    """The app, with `set_avatar` registered at every path alias."""
    router = app.routers[Surface.API]
    for path in ("/v1/set_avatar", "/set_avatar", "/api/set_avatar"):
        assert router.match(path) is not None, path
    return app


async def user_with_key(engine: AsyncEngine, priv: int = 3) -> tuple[int, str]:
    key = str(uuid.uuid4())
    user = await create_user(engine, priv=priv, api_key=key)
    return int(user["id"]), key


def files(data: bytes, filename: str = "avatar.png") -> dict[str, tuple[str, bytes, str]]:
    return {"avatar": (filename, data, "application/octet-stream")}


async def download(client: httpx.AsyncClient, url: str) -> httpx.Response:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize(
    ("method", "path", "scheme"),
    [
        ("POST", "/v1/set_avatar", "Bearer "),
        ("PUT", "/v1/set_avatar", "Bearer "),
        ("POST", "/set_avatar", ""),
        ("PUT", "/api/set_avatar", ""),
        ("POST", "/api/set_avatar", "bearer "),
    ],
)
async def test_upload_then_download(
    avatar_app: HitcircleApp,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    method: str,
    path: str,
    scheme: str,
) -> None:
    user_id, key = await user_with_key(engine)
    data = ACCEPTED["png-rgba"]()
    response = await client.request(method, path, headers={"Authorization": scheme + key}, files=files(data))
    assert (response.status_code, response.json()) == (200, {"status": "success"})
    assert response.headers["content-type"] == "application/json"

    expected = expected_avatar(data)
    for url in (f"{AVATAR_HOST}/{user_id}", f"{AVATAR_HOST}/{user_id}.png", f"{PATH_MODE}/avatars/{user_id}"):
        served = await download(client, url)
        assert served.headers["content-type"] == "image/png"
        assert_same_image(decode(served.content), expected)


async def test_upload_in_path_mode(
    avatar_app: HitcircleApp, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user_id, key = await user_with_key(engine)
    data = ACCEPTED["webp"]()
    response = await client.post(
        f"{PATH_MODE}/api/set_avatar",
        headers={"Authorization": f"Bearer {key}"},
        files=files(data, "me.webp"),
    )
    assert (response.status_code, response.json()) == (200, {"status": "success"})
    served = await download(client, f"{PATH_MODE}/avatars/{user_id}.jpg")
    assert_same_image(decode(served.content), expected_avatar(data))


@pytest.mark.parametrize(
    ("authorization", "priv", "status", "message"),
    [
        (None, 3, 401, "Invalid API key."),
        ("", 3, 401, "Invalid API key."),
        ("Bearer ", 3, 401, "Invalid API key."),
        ("Bearer 00000000-0000-0000-0000-000000000000", 3, 401, "Invalid API key."),
        ("owner", 2, 403, "Forbidden."),  # verified but not unrestricted
        ("owner", 0, 403, "Forbidden."),
    ],
)
async def test_auth_matrix(
    avatar_app: HitcircleApp,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    authorization: str | None,
    priv: int,
    status: int,
    message: str,
) -> None:
    user_id, key = await user_with_key(engine, priv=priv)
    headers = (
        {} if authorization is None else {"Authorization": key if authorization == "owner" else authorization}
    )
    for body in ({"files": files(ACCEPTED["png"]())}, {"content": b"not even multipart"}):
        response = await client.post("/v1/set_avatar", headers=headers, **body)
        assert (response.status_code, response.json()) == (status, {"status": message})
    assert not (avatar_app.settings.data_dir / "avatars" / f"{user_id}.png").exists()


def multipart_body(boundary: str, *parts: tuple[str, str | None, bytes]) -> bytes:
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


async def test_request_errors(
    avatar_app: HitcircleApp, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user_id, key = await user_with_key(engine)
    auth = {"Authorization": f"Bearer {key}"}

    async def post(status: int, message: str, **kwargs: Any) -> None:
        response = await client.post(
            "/v1/set_avatar", headers={**auth, **kwargs.pop("headers", {})}, **kwargs
        )
        assert (response.status_code, response.json()) == (status, {"status": message}), kwargs.keys()

    missing = "must provide avatar file."
    await post(400, missing)
    await post(400, missing, content=ACCEPTED["png"](), headers={"Content-Type": "image/png"})
    await post(400, missing, json={"avatar": "aGVsbG8="})
    await post(400, missing, data={"avatar": ""}, files={"other": ("a.png", ACCEPTED["png"](), "image/png")})
    await post(400, missing, files={"avatar": ("a.png", b"", "image/png")})
    await post(
        400, missing, content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    await post(400, missing, content=b"whatever", headers={"Content-Type": "multipart/form-data"})
    unterminated = multipart_body("b", ("avatar", "a.png", ACCEPTED["png"]())).removesuffix(b"\r\n--b--\r\n")
    await post(
        400, missing, content=unterminated, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )

    await post(400, TOO_LARGE, files=files(b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES))
    too_big = b"\x00" * (MAX_BYTES + 200 * 1024)
    response = await client.post("/v1/set_avatar", headers=auth, files=files(too_big))
    assert response.status_code == 413
    assert response.json()["status"].startswith("Request body too large")

    for kind in ("text", "svg", "bmp"):
        await post(400, INVALID_TYPE, files=files(HOSTILE[kind][0]()))
    for kind in ("too-wide", "bomb-20000"):
        await post(400, TOO_MANY_PIXELS, files=files(HOSTILE[kind][0]()))
    await post(400, CORRUPT, files=files(HOSTILE["truncated-jpeg"][0]()))
    assert not (avatar_app.settings.data_dir / "avatars" / f"{user_id}.png").exists()

    # a field without a filename counts too, and only the first `avatar` part is used
    data = ACCEPTED["gif"]()
    body = multipart_body("sep", ("name", None, b"x"), ("avatar", None, data), ("avatar", "b.png", b"junk"))
    await post(200, "success", content=body, headers={"Content-Type": "multipart/form-data; boundary=sep"})
    served = await download(client, f"{AVATAR_HOST}/{user_id}")
    assert_same_image(decode(served.content), expected_avatar(data))


def test_openapi_documents_the_upload(avatar_app: HitcircleApp) -> None:
    assert avatar_app.services is not None
    [route] = avatars_api.routes(avatar_app.services)
    assert (route.path, route.methods, route.auth) == ("/v1/set_avatar", frozenset({"POST", "PUT"}), True)
    spec = build_openapi("t", "0", "", [(route.path, route)])
    for method in ("post", "put"):
        operation = spec["paths"]["/v1/set_avatar"][method]
        assert "multipart/form-data" in operation["requestBody"]["content"]
        assert operation["security"]


# --- HTTP: serving -----------------------------------------------------------------------------------------
async def test_default_avatar_for_users_without_one(
    avatar_app: HitcircleApp, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user_id, _ = await user_with_key(engine)
    bundled = BUNDLED_DEFAULT.read_bytes()
    for url in (
        f"{AVATAR_HOST}/{user_id}",
        f"{AVATAR_HOST}/999999",  # no such user
        f"{AVATAR_HOST}/0.jpeg",
        f"{AVATAR_HOST}/favicon.ico",
        f"{PATH_MODE}/avatars/{user_id}",
        f"http://a.ppy.sh/{user_id}",
    ):
        response = await download(client, url)
        assert response.content == bundled, url
        assert response.headers["content-type"] == "image/png"
        assert response.headers["cache-control"] == "public, max-age=60"
        assert response.headers["etag"].startswith('"')

    # an operator's default.jpg (bancho.py downloads one) wins over the bundled image
    folder = avatar_app.settings.data_dir / "avatars"
    operator_default = encode(picture((64, 64)), "JPEG")
    (folder / "default.jpg").write_bytes(operator_default)
    response = await download(client, f"{AVATAR_HOST}/{user_id}")
    assert (response.content, response.headers["content-type"]) == (operator_default, "image/jpeg")


async def test_existing_banchopy_files_are_served_with_their_real_type(
    avatar_app: HitcircleApp, client: httpx.AsyncClient
) -> None:
    folder = avatar_app.settings.data_dir / "avatars"
    jpeg, gif, webp_named_jpg = encode(picture((50, 50)), "JPEG"), animation("GIF"), ACCEPTED["webp"]()
    (folder / "1000.jpeg").write_bytes(jpeg)
    (folder / "1001.gif").write_bytes(gif)
    (folder / "1002.jpg").write_bytes(webp_named_jpg)
    for user_id, body, content_type in (
        (1000, jpeg, "image/jpeg"),
        (1001, gif, "image/gif"),
        (1002, webp_named_jpg, "image/webp"),
    ):
        response = await download(client, f"{AVATAR_HOST}/{user_id}")
        assert (response.content, response.headers["content-type"]) == (body, content_type)


@pytest.mark.parametrize(
    "url",
    [
        f"{PATH_MODE}/avatars/abc",
        f"{PATH_MODE}/avatars/",
        f"{PATH_MODE}/avatars/12345678901",
        f"{PATH_MODE}/avatars/1/2",
        f"{PATH_MODE}/avatars/-1",
        f"{PATH_MODE}/avatars/1.txt",
        f"{PATH_MODE}/avatars/..%2f..%2fetc%2fpasswd",
        f"{PATH_MODE}/avatars/%D9%A3",  # an Arabic-Indic digit: str.isdigit() but not an id
        f"{AVATAR_HOST}/abc",
        f"{AVATAR_HOST}/",
        f"{AVATAR_HOST}/default",
        f"{AVATAR_HOST}/1.png.png",
    ],
)
async def test_bad_paths_are_json_404(avatar_app: HitcircleApp, client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert (response.status_code, response.json()) == (404, {"status": "Not found."})
    assert response.headers["content-type"] == "application/json"


async def test_etag_and_head(
    avatar_app: HitcircleApp, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    user_id, key = await user_with_key(engine)
    auth = {"Authorization": f"Bearer {key}"}
    url = f"{AVATAR_HOST}/{user_id}"
    default_tag = (await download(client, url)).headers["etag"]

    assert (
        await client.post("/v1/set_avatar", headers=auth, files=files(ACCEPTED["png"]()))
    ).status_code == 200
    first = await download(client, url)
    etag = first.headers["etag"]
    assert etag != default_tag
    assert "last-modified" in first.headers

    for header in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        cached = await client.get(url, headers={"If-None-Match": header})
        assert (cached.status_code, cached.content) == (304, b""), header
        assert cached.headers["etag"] == etag
        assert cached.headers["cache-control"] == "public, max-age=60"
    assert (await client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200
    since = await client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    old = await client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200
    assert (await client.get(url, headers={"If-Modified-Since": "garbage"})).status_code == 200

    head = await client.head(url)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(first.content))
    assert head.headers["content-type"] == "image/png"

    # a new upload changes the tag, so a cached copy is replaced
    assert (
        await client.put("/v1/set_avatar", headers=auth, files=files(ACCEPTED["jpeg"]()))
    ).status_code == 200
    fresh = await client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != etag
    assert_same_image(decode(fresh.content), expected_avatar(ACCEPTED["jpeg"]()))


async def test_avatar_host_refuses_other_methods(avatar_app: HitcircleApp, client: httpx.AsyncClient) -> None:
    response = await client.post(f"{AVATAR_HOST}/1000", content=b"x")
    assert response.status_code == 405


# --- a real `hitcircle serve` process ----------------------------------------------------------------------
def cli(workdir: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "hitcircle", *args],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_upload_and_download_through_a_real_server(tmp_path: Path) -> None:
    env = server_env(tmp_path, f"sqlite:///{tmp_path / 'hitcircle.db'}")
    created = cli(
        tmp_path,
        env,
        "user",
        "add",
        "avatar tester",
        "--email",
        "a@example.com",
        "--password",
        "correct horse battery",
    )
    user_id = int(created.rsplit("(id ", 1)[1].rstrip(")\n"))
    key = cli(tmp_path, env, "apikey", "create", str(user_id)).strip()
    data = ACCEPTED["png-rgba"]()

    with running_server(tmp_path) as server, httpx.Client(base_url=server.base_url, timeout=20.0) as http:
        api_host = {"Host": f"api.{DOMAIN}"}
        before = http.get(f"/{user_id}", headers={"Host": f"a.{DOMAIN}"})
        assert (before.status_code, before.content) == (200, BUNDLED_DEFAULT.read_bytes())

        response = http.post(
            "/v1/set_avatar", headers={**api_host, "Authorization": f"Bearer {key}"}, files=files(data)
        )
        assert response.status_code != 404, (
            "/v1/set_avatar is not routed: add `avatars` (hitcircle.api.avatars) to ENDPOINT_MODULES "
            "in src/hitcircle/api/__init__.py"
        )
        assert (response.status_code, response.json()) == (200, {"status": "success"})
        assert http.post("/v1/set_avatar", headers=api_host, files=files(data)).status_code == 401

        for path, host in ((f"/{user_id}", f"a.{DOMAIN}"), (f"/avatars/{user_id}", "127.0.0.1")):
            served = http.get(path, headers={"Host": host})
            assert served.status_code == 200
            assert served.headers["content-type"] == "image/png"
            assert_same_image(decode(served.content), expected_avatar(data))
            cached = http.get(path, headers={"Host": host, "If-None-Match": served.headers["etag"]})
            assert cached.status_code == 304
    assert (tmp_path / "data" / "avatars" / f"{user_id}.png").is_file()
    assert "Traceback" not in server.output()

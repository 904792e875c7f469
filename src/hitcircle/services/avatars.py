"""Avatar storage: validate an upload, re-encode it as a small PNG and replace the old one atomically.

Files live in `<DATA_DIR>/avatars/<user id>.<ext>`, the folder bancho.py's nginx serves, so an existing
bancho.py data folder keeps working (its `.png` and `.jpeg` files are found) and files written here can be
served by that nginx rule too. Uploads are always stored as `<id>.png`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from hitcircle.paths import DataPaths

#: largest accepted upload, in bytes (bancho.py's legacy limit)
MAX_BYTES = 4 * 1024 * 1024
#: largest accepted width and height of an upload
MAX_SIDE = 4096
MAX_PIXELS = MAX_SIDE * MAX_SIDE
#: stored avatars fit in a square of this side
STORED_SIDE = 256
#: Pillow format names accepted for uploads; Pillow tries no other decoder
ACCEPTED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
#: extensions looked up when serving, in the order of bancho.py's nginx rule
SERVED_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".jfif")
#: other files of a user removed once the new `<id>.png` is in place
STALE_EXTENSIONS = (".jpg", ".jpeg", ".gif", ".jfif", ".webp")
#: the image shipped with hitcircle, served when neither the user nor the operator has one
BUNDLED_DEFAULT = Path(__file__).resolve().parent.parent / "avatars" / "default.png"

TOO_LARGE = "avatar file too large (max 4MB)."
INVALID_TYPE = "invalid file type."
TOO_MANY_PIXELS = f"avatar dimensions too large (max {MAX_SIDE}x{MAX_SIDE})."
CORRUPT = "avatar file is corrupt or truncated."


class AvatarError(Exception):
    """An upload was refused; `str(error)` is the one-line reason shown to the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AvatarTooLarge(AvatarError):
    def __init__(self) -> None:
        super().__init__(TOO_LARGE)


class AvatarInvalidType(AvatarError):
    def __init__(self) -> None:
        super().__init__(INVALID_TYPE)


class AvatarTooManyPixels(AvatarError):
    def __init__(self) -> None:
        super().__init__(TOO_MANY_PIXELS)


class AvatarCorrupt(AvatarError):
    def __init__(self) -> None:
        super().__init__(CORRUPT)


class AvatarService:
    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths

    @property
    def folder(self) -> Path:
        return self.paths.avatars

    # --- uploads -----------------------------------------------------------------------------------------
    async def store(self, user_id: int, data: bytes) -> None:
        """Validate `data`, store it as the user's avatar; `AvatarError` when it is refused."""
        if len(data) > MAX_BYTES:
            raise AvatarTooLarge()
        png = await asyncio.to_thread(render_avatar, data)
        await asyncio.to_thread(self._write, user_id, png)

    def _write(self, user_id: int, png: bytes) -> None:
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{user_id}.png"
        fd, temp_name = tempfile.mkstemp(prefix=f".{user_id}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(png)
                temp.flush()
                os.fchmod(temp.fileno(), 0o644)  # mkstemp makes 0600; a web server may serve the folder
                os.fsync(temp.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        for ext in STALE_EXTENSIONS:
            with contextlib.suppress(FileNotFoundError):
                (folder / f"{user_id}{ext}").unlink()

    # --- lookups -----------------------------------------------------------------------------------------
    async def find(self, user_id: int) -> Path | None:
        """The user's avatar file, or None."""
        return await asyncio.to_thread(self.locate, user_id)

    def locate(self, user_id: int) -> Path | None:
        """`find` without the thread, for code already running in one."""
        for ext in SERVED_EXTENSIONS:
            path = self.folder / f"{user_id}{ext}"
            if path.is_file():
                return path
        return None

    def default_avatar(self) -> Path:
        """The operator's `default.png` or bancho.py's `default.jpg` if present, else the bundled one."""
        for name in ("default.png", "default.jpg"):
            path = self.folder / name
            if path.is_file():
                return path
        return BUNDLED_DEFAULT


def render_avatar(data: bytes) -> bytes:
    """Decode an uploaded image and re-encode it as a PNG fitting STORED_SIDExSTORED_SIDE (CPU bound).

    The image must really decode as one of ACCEPTED_FORMATS: its declared size is checked before any pixel
    is decoded (so a small file declaring a huge canvas is refused), the structure is verified, then the
    first frame is fully decoded on a fresh open, which catches truncated files.
    """
    if len(data) > MAX_BYTES:
        raise AvatarTooLarge()
    if not data:
        raise AvatarInvalidType()
    # 1. identify and check the declared size, then verify the structure (checksums where the format has them)
    with _open(data) as image:
        if image.format not in ACCEPTED_FORMATS:
            raise AvatarInvalidType()
        _check_size(image.size)
        try:
            image.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise AvatarTooManyPixels() from None
        except Exception:
            raise AvatarCorrupt() from None
    # 2. a fresh open (verify leaves the image unusable) to decode the first frame completely
    with _open(data) as image:
        _check_size(image.size)
        try:
            image.seek(0)
            image.load()
            _check_size(image.size)  # a frame may not grow the canvas beyond the limit
            frame = _to_rgb_or_rgba(image)
        except AvatarError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise AvatarTooManyPixels() from None
        except Exception:
            raise AvatarCorrupt() from None
    # 3. scale down and re-encode; nothing from the upload but its pixels is kept
    frame.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    frame.save(out, "PNG")
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise AvatarTooManyPixels() from None
    except UnidentifiedImageError:
        raise AvatarInvalidType() from None
    except Exception:
        # a format recognised but its header unreadable
        raise AvatarCorrupt() from None


def _check_size(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise AvatarCorrupt()
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise AvatarTooManyPixels()


def _to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    """The loaded frame, upright (EXIF orientation applied), in RGBA when it has any transparency."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        upright = image  # unreadable EXIF: keep the pixels as stored
    has_alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in upright.info
    return upright.convert("RGBA" if has_alpha else "RGB")

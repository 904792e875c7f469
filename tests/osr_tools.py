"""Split a complete .osr into its header fields and the LZMA frame stream the client uploads."""

from __future__ import annotations

import struct
from typing import Any


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        if self.take("<B") == 0:
            return ""
        length = shift = 0
        while True:
            byte = self.take("<B")
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        text = self.data[self.pos : self.pos + length].decode()
        self.pos += length
        return text


def frames_of(osr: bytes) -> bytes:
    """The LZMA-compressed replay data of a complete .osr file."""
    r = _Reader(osr)
    r.take("<B")
    r.take("<i")
    for _ in range(3):
        r.string()
    for _ in range(6):
        r.take("<H")
    r.take("<i")
    r.take("<H")
    r.take("<B")
    r.take("<i")
    r.string()
    r.take("<q")
    length = r.take("<i")
    return osr[r.pos : r.pos + length]

"""osu! binary primitives shared by `.osr` files and the bancho packet codec.

All integers are little-endian. An "osu string" is 0x00 when empty, else 0x0B, the ULEB128 byte length
and the UTF-8 bytes.
"""

from __future__ import annotations


def uleb128(value: int) -> bytes:
    if value < 0:
        raise ValueError("ULEB128 encodes non-negative integers only")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def osu_string(text: str) -> bytes:
    if not text:
        return b"\x00"
    data = text.encode("utf-8")
    return b"\x0b" + uleb128(len(data)) + data


def clamp(value: int, low: int, high: int) -> int:
    return low if value < low else high if value > high else value

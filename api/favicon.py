"""The site icon (/favicon.ico): three linked nodes on a blue square, drawn here so no binary file is shipped.

An ICO holding one 32x32 PNG (every current browser reads PNG inside ICO)."""
from __future__ import annotations

import struct
import zlib
from functools import lru_cache

SIZE = 32
_BACKGROUND, _INK = (31, 95, 139, 255), (255, 255, 255, 255)
_NODES = [(9, 22), (23, 9), (24, 23)]


def _line(pixels, a, b) -> None:
    steps = max(abs(b[0] - a[0]), abs(b[1] - a[1]))
    for i in range(steps + 1):
        x, y = round(a[0] + (b[0] - a[0]) * i / steps), round(a[1] + (b[1] - a[1]) * i / steps)
        for dx, dy in ((0, 0), (1, 0), (0, 1)):  # two pixels wide
            pixels[y + dy][x + dx] = _INK


def _image() -> list[list[tuple[int, ...]]]:
    pixels = [[_BACKGROUND] * SIZE for _ in range(SIZE)]
    for i, a in enumerate(_NODES):
        _line(pixels, a, _NODES[(i + 1) % len(_NODES)])
    for cx, cy in _NODES:
        for y in range(cy - 4, cy + 5):
            for x in range(cx - 4, cx + 5):
                if (x - cx) ** 2 + (y - cy) ** 2 <= 16:
                    pixels[y][x] = _INK
    return pixels


def _png(pixels) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


@lru_cache(maxsize=1)
def favicon_ico() -> bytes:
    png = _png(_image())
    directory = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return directory + png

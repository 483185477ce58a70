"""Draw the SalesOS app icons (PNG, standard library only) into src/salesos/web/static/icons/.

Run: python scripts/make_icons.py. The mark is three rising white bars on the brand indigo:
a rounded tile for the regular icons, a full-bleed square with the mark inside the 80 % safe
zone for the maskable one (the launcher crops it to its own shape).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "salesos" / "web" / "static" / "icons"
BRAND = (67, 56, 202)  # #4338ca, the theme colour in the manifest and CSS
MARK = (255, 255, 255)
SUPERSAMPLE = 4  # 4x4 samples per pixel give smooth edges without an imaging library

# Bars as (left, top, right, bottom) in unit coordinates, baseline at 0.72.
BARS = [(0.23, 0.54, 0.37, 0.72), (0.43, 0.42, 0.57, 0.72), (0.63, 0.28, 0.77, 0.72)]


def _in_rounded_rect(x: float, y: float, radius: float) -> bool:
    """Inside the unit square with corners rounded by *radius*."""
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def _in_mark(x: float, y: float, scale: float) -> bool:
    """Inside one of the bars, the mark scaled by *scale* around the centre."""
    ux, uy = 0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale
    return any(left <= ux <= right and top <= uy <= bottom for left, top, right, bottom in BARS)


def draw(size: int, *, maskable: bool) -> bytes:
    """RGBA rows (with PNG filter bytes) of one icon."""
    radius = 0.0 if maskable else 0.22
    scale = 0.8 if maskable else 1.0
    step = 1.0 / (size * SUPERSAMPLE)
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter type "none"
        for px in range(size):
            tile = mark = 0
            for sy in range(SUPERSAMPLE):
                y = (py * SUPERSAMPLE + sy + 0.5) * step
                for sx in range(SUPERSAMPLE):
                    x = (px * SUPERSAMPLE + sx + 0.5) * step
                    if maskable or _in_rounded_rect(x, y, radius):
                        tile += 1
                        if _in_mark(x, y, scale):
                            mark += 1
            samples = SUPERSAMPLE * SUPERSAMPLE
            if tile == 0:
                rows += b"\x00\x00\x00\x00"
                continue
            share = mark / tile
            rgb = (round(BRAND[i] * (1 - share) + MARK[i] * share) for i in range(3))
            rows += bytes((*rgb, round(255 * tile / samples)))
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(size: int, raw: bytes) -> bytes:
    """A PNG file of a *size* x *size* RGBA image."""
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def main() -> None:
    """Write icon-192.png, icon-512.png and icon-maskable-512.png."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        (OUT_DIR / name).write_bytes(png(size, draw(size, maskable=maskable)))
        print(f"wrote {OUT_DIR / name}")


if __name__ == "__main__":
    main()

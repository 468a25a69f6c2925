"""Pass a PNG's compressed pixel data into a PDF unchanged: PNG's IDAT stream is zlib with PNG
row predictors, which PDF's FlateDecode reads as it is with /Predictor 15. Lossless and with no
re-compression, for 8-bit greyscale or RGB, non-interlaced PNGs."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOURS = {0: 1, 2: 3}  # PNG colour type -> components (greyscale, RGB)


@dataclass(frozen=True)
class PngData:
    width: int
    height: int
    colours: int
    data: bytes


def png_idat(path: Path) -> PngData | None:
    """The PNG's pixel data when it can go into a PDF as it is, else None."""
    raw = path.read_bytes()
    if not raw.startswith(_SIGNATURE):
        return None
    pos, idat, header = len(_SIGNATURE), bytearray(), None
    while pos + 8 <= len(raw):
        length, kind = struct.unpack(">I4s", raw[pos: pos + 8])
        body = raw[pos + 8: pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        return None
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in _COLOURS or interlace != 0:
        return None
    return PngData(width, height, _COLOURS[colour], bytes(idat))

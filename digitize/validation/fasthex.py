"""A faster reader for PDF hex strings, installed into pyHanko's parser.

pyHanko reads a hex string one character at a time, in Python. A signature's /Contents is a
hex string of 16-64 KB, so reading a signed PDF spent more time there than in checking the
signature (about 40 ms of 120 for a B-LT file). This reads the same grammar with bytes.find and
binascii; a test checks it against pyHanko's own function.
"""

from __future__ import annotations

import binascii
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

_WHITESPACE = b" \t\r\n\x0c\x00"
_ORIGINAL = generic.read_hex_string_from_stream


def read_hex_string(stream: Any) -> Any:
    """Read `<...>` from `stream` (positioned at `<`) into a PDF string object."""
    stream.read(1)
    start = stream.tell()
    chunks: list[bytes] = []
    while True:
        block = stream.read(65536)
        if not block:
            raise PdfStreamError("Unterminated hex string")
        end = block.find(b">")
        if end >= 0:
            chunks.append(block[:end])
            break
        chunks.append(block)
    data = b"".join(chunks)
    stream.seek(start + len(data) + 1)
    digits = data.translate(None, _WHITESPACE)
    if digits.translate(None, generic.HEX_DIGITS):
        bad = next(bytes([c]) for c in digits if bytes([c]) not in generic.HEX_DIGITS)
        raise PdfStreamError("Unexpected token in hex string: " + repr(bad))
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    generic.read_hex_string_from_stream = read_hex_string

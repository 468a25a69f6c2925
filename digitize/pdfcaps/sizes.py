"""Whether a PDF stream decodes to more than a limit, measured without ever holding the decoded
data: each filter of the chain is applied piece by piece (zlib's `max_length`, a megabyte at a
time), the pieces counted and dropped, and counting stops one piece past the limit. A stream
is only decoded when it could exceed the limit at all: raw size times the most each filter can
expand (deflate at most 1032:1) stays under it for nearly every real stream. An image codec at
the end of the chain (JPEG, JPEG 2000, JBIG2, CCITT) is judged by the picture it declares."""

from __future__ import annotations

import binascii
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence

PIECE = 2**20  # decoded bytes produced per step
_ALIASES = {"/Fl": "/FlateDecode", "/LZW": "/LZWDecode", "/RL": "/RunLengthDecode",
            "/AHx": "/ASCIIHexDecode", "/A85": "/ASCII85Decode", "/DCT": "/DCTDecode",
            "/CCF": "/CCITTFaxDecode"}
# The most one input byte can become: deflate 1032 (RFC 1951's longest match per bit pair),
# LZW's longest 12-bit code 3,839 bytes (2,560 a byte), a run of 128 from 2 bytes, 'z' as 4.
_MAX_RATIO = {"/FlateDecode": 1032, "/LZWDecode": 2560, "/RunLengthDecode": 64,
              "/ASCII85Decode": 4, "/ASCIIHexDecode": 1}
IMAGE_CODECS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode"}
_SPACE = re.compile(rb"\s+")


def canonical(name: str) -> str:
    return _ALIASES.get(name, name)


def _inflate(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Flate, piece by piece; a damaged stream ends where zlib stops (as qpdf's reading does)."""
    d = zlib.decompressobj()
    try:
        for piece in pieces:
            while piece and not d.eof:
                out = d.decompress(piece, PIECE)
                piece = d.unconsumed_tail
                if out:
                    yield out
            if d.eof:
                return
    except zlib.error:
        return


def _run_length(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """RunLengthDecode (PDF 32000-1, 7.4.5)."""
    rest, out = b"", bytearray()
    for piece in pieces:
        data, i = rest + piece, 0
        while i < len(data):
            n = data[i]
            if n == 128:
                yield bytes(out)
                return
            if n < 128:
                if i + n + 2 > len(data):
                    break
                out += data[i + 1:i + n + 2]
                i += n + 2
            else:
                if i + 2 > len(data):
                    break
                out += data[i + 1:i + 2] * (257 - n)
                i += 2
            if len(out) >= PIECE:
                yield bytes(out)
                out.clear()
        rest = data[i:]
    yield bytes(out)


def _hex(pieces: Iterable[bytes]) -> Iterator[bytes]:
    rest = b""
    for piece in pieces:
        data = rest + _SPACE.sub(b"", piece)
        end = data.find(b">")
        if end >= 0:
            data = data[:end] + (b"0" if end % 2 else b"")
        even = len(data) - len(data) % 2
        try:
            yield binascii.unhexlify(data[:even])
        except binascii.Error:
            return
        if end >= 0:
            return
        rest = data[even:]


def _a85_group(group: bytes) -> bytes:
    """One group of up to five ASCII85 characters (a short last group pads with 'u')."""
    value = 0
    for c in group.ljust(5, b"u"):
        value = value * 85 + (c - 33)
    return (value & 0xFFFFFFFF).to_bytes(4, "big")[:max(len(group) - 1, 0)]


def _ascii85(pieces: Iterable[bytes]) -> Iterator[bytes]:
    rest = b""
    for piece in pieces:
        data = rest + _SPACE.sub(b"", piece)
        end = data.find(b"~")
        if end >= 0:
            data = data[:end]
        out, group = bytearray(), bytearray()
        for c in data:
            if c == ord("z") and not group:
                out += bytes(4)
            elif 33 <= c <= 117:
                group.append(c)
                if len(group) == 5:
                    out += _a85_group(bytes(group))
                    group.clear()
        if end >= 0:
            yield bytes(out) + _a85_group(bytes(group))
            return
        yield bytes(out)
        rest = bytes(group)


def _lzw(pieces: Iterable[bytes], early: int = 1) -> Iterator[bytes]:
    """LZWDecode (PDF 32000-1, 7.4.4) with /EarlyChange `early`."""
    table: list[bytes] = [bytes([i]) for i in range(256)] + [b"", b""]
    bits, buffer, held, prev = 9, 0, 0, b""
    for piece in pieces:
        out = bytearray()
        for byte in piece:
            buffer, held = ((buffer << 8) | byte) & 0xFFFFFF, held + 8
            while held >= bits:
                held -= bits
                code = (buffer >> held) & ((1 << bits) - 1)
                if code == 256:
                    del table[258:]
                    bits, prev = 9, b""
                    continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table):
                    entry = table[code]
                elif code == len(table) and prev:
                    entry = prev + prev[:1]
                else:
                    yield bytes(out)
                    return
                out += entry
                if len(out) >= PIECE:
                    yield bytes(out)
                    out.clear()
                if prev and len(table) < 4096:
                    table.append(prev + entry[:1])
                prev = entry
                if len(table) + early >= 1 << bits and bits < 12:
                    bits += 1
        yield bytes(out)


_DECODERS = {"/FlateDecode": _inflate, "/RunLengthDecode": _run_length,
             "/ASCIIHexDecode": _hex, "/ASCII85Decode": _ascii85}


def _counted(pieces: Iterable[bytes], seen: list[int], stage: int, limit: int
             ) -> Iterator[bytes]:
    """The pieces, their bytes added to seen[stage]; stops once past `limit`."""
    for piece in pieces:
        seen[stage] += len(piece)
        yield piece
        if seen[stage] > limit:
            return


def over_limit(raw: bytes, filters: Sequence[str], limit: int, *, early_change: int = 1,
               picture: int = 0) -> bool:
    """Whether decoding `raw` through `filters` (encryption already undone) makes more than
    `limit` bytes at any stage; `picture` is the size of the image a final image codec draws
    (width × height × components × bits / 8). A filter we cannot follow is not judged: nothing
    decodes it, so it is nobody's bomb."""
    chain = [canonical(f) for f in filters if canonical(f) != "/Crypt"]
    if chain and chain[-1] in IMAGE_CODECS:
        chain.pop()
        if picture > limit:
            return True
    bound = len(raw)
    for f in chain:
        if f not in _MAX_RATIO:
            return False
        bound *= _MAX_RATIO[f]
    if bound <= limit:
        return False
    seen = [0] * len(chain)
    pieces: Iterable[bytes] = (raw[i:i + PIECE] for i in range(0, len(raw), PIECE))
    for stage, f in enumerate(chain):
        decoded = _lzw(pieces, early_change) if f == "/LZWDecode" else _DECODERS[f](pieces)
        pieces = _counted(decoded, seen, stage, limit)
    for _piece in pieces:
        pass
    return max(seen, default=0) > limit

"""Faster reads from PDF object streams for pyHanko's reader. pyHanko 0.3x parses an object
stream's header from its first entry for every object it takes out of it, so a file whose
objects sit in a few large streams (the Government's signed decrees: ~10,000 lookups while the
diff policy walks the structure tree of each revision) costs seconds per signature. Here the
decoded stream and its header are read once per reader and stream; anything unusual (a header
that does not parse, an object not listed, a stream where one is not allowed) goes to
pyHanko's own code, so its answers and errors stay the same."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.misc import PdfReadError, PdfStreamError
from pyhanko.pdf_utils.reader import PdfFileReader

_original = PdfFileReader._get_object_from_stream
_CACHE = "_digitize_object_streams"


def _index(reader: PdfFileReader, stmnum: int) -> tuple[bytes, dict[int, tuple[int, int]]] | None:
    """The decoded stream and, per object number, its index and absolute offset in it."""
    cache: dict[int, Any] = reader.__dict__.setdefault(_CACHE, {})
    if stmnum in cache:
        return cache[stmnum]
    found = None
    try:
        stream = generic.Reference(stmnum, 0, reader).get_object()
        if isinstance(stream, generic.StreamObject) and stream.get("/Type") == "/ObjStm":
            data = stream.read_data(DecodePurpose.OBJECT_STREAM)
            first, count = int(stream["/First"]), int(stream["/N"])
            numbers = [int(v) for v in data[:first].split()[: 2 * count]]
            if len(numbers) == 2 * count:
                found = (data, {numbers[2 * i]: (i, first + numbers[2 * i + 1])
                                for i in range(count)})
    except (PdfReadError, PdfStreamError, KeyError, ValueError, TypeError):
        found = None
    cache[stmnum] = found
    return found


def _get_object_from_stream(self: PdfFileReader, idnum: int, stmnum: int, idx: int) -> Any:
    entry = _index(self, stmnum)
    if entry is None or idnum not in entry[1] or (self.strict and entry[1][idnum][0] != idx):
        return _original(self, idnum, stmnum, idx)
    data, where = entry
    buf = BytesIO(data)
    buf.seek(where[idnum][1])
    try:
        obj = generic.read_object(buf, generic.Reference(idnum, 0, self))
    except (PdfStreamError, PdfReadError):
        return _original(self, idnum, stmnum, idx)
    if isinstance(obj, (generic.StreamObject, generic.IndirectObject)):
        return _original(self, idnum, stmnum, idx)
    return obj


def install() -> None:
    """Use the indexed reads (idempotent)."""
    PdfFileReader._get_object_from_stream = _get_object_from_stream  # type: ignore[method-assign]

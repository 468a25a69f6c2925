"""What a PDF's bytes declare before any parser builds something from them: how many objects
its cross-reference sections (tables and streams) and object headers add up to, and which of
its objects are streams. A parser reads the cross-reference sections whole when it opens the
file (qpdf keeps about 85 bytes of memory per entry, and decodes cross-reference streams whole),
so their size is judged here, on the file's bytes, before it does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from mmap import mmap

from digitize.pdfcaps import sizes

_WS = rb"[ \t\r\n\f\x00]"
_HEADER = re.compile(rb"(?<![0-9])(\d{1,10})" + _WS + rb"+(\d{1,5})" + _WS + rb"+obj\Z")
_XREF = re.compile(rb"xref[ \t]*(?:\r\n|\n|\r)")
_SUBSECTION = re.compile(_WS + rb"*(\d{1,10})[ \t]+(\d{1,10})[ \t]*(?:\r\n|\n|\r)")
_XREF_TYPE = re.compile(rb"/Type" + _WS + rb"*/XRef(?![A-Za-z])")
_OBJSTM_TYPE = re.compile(rb"/Type" + _WS + rb"*/ObjStm(?![A-Za-z])")
_INDEX = re.compile(rb"/Index" + _WS + rb"*\[([^\]]*)\]")
_SIZE = re.compile(rb"/Size" + _WS + rb"+(\d{1,10})(?![\d.])")
_LENGTH = re.compile(rb"/Length" + _WS + rb"+(\d{1,12})(?!\d|" + _WS + rb"+\d+" + _WS + rb"+R)")
_FILTER = re.compile(rb"/Filter" + _WS + rb"*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/[^\s/\[\]<>()]+")
Data = bytes | mmap  # the file's bytes, or a memory map of them
_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_LETTERS_AND_DIGITS = {bytes([c]) for c in [*_LETTERS, *b"0123456789"]}
ROW = 20  # a cross-reference table's entry, end of line included
_DICT_WINDOW = 2**20  # how far before `stream` its object's header may be


@dataclass(frozen=True)
class StreamAt:
    """A stream object: its number and generation, and whether it is an object stream (which
    holds other objects and is decoded whole as soon as one of them is read)."""

    num: int
    gen: int
    objstm: bool


@dataclass
class Layout:
    objects: int = 0  # the most objects the file can give a parser
    streams: list[StreamAt] = field(default_factory=list)
    bomb: int | None = None  # a cross-reference stream that unpacks past the limit: its number


@dataclass
class _Sections:
    entries: int = 0  # every section's entries added up
    top: int = 0  # the highest object number any section declares, plus one

    def add(self, start: int, count: int) -> None:
        self.entries += count
        self.top = max(self.top, start + count)


def _found(data: Data, word: bytes) -> Iterator[int]:
    """Where `word` occurs, standing alone on its left (`xref`, not `startxref`)."""
    pos = data.find(word)
    while pos >= 0:
        if pos == 0 or data[pos - 1] not in _LETTERS:
            yield pos
        pos = data.find(word, pos + 1)


def _tables(data: Data, found: _Sections) -> None:
    """Cross-reference tables: subsection headers, each followed by its 20-byte rows."""
    for at in _found(data, b"xref"):
        m = _XREF.match(data, at)
        pos = m.end() if m else len(data)
        while (sub := _SUBSECTION.match(data, pos)) is not None:
            start, count = int(sub.group(1)), int(sub.group(2))
            found.add(start, count)
            pos = sub.end() + count * ROW
            if pos >= len(data):
                break


def _headers(data: Data, most: int) -> int:
    """How many `N G obj` headers the file holds (a damaged file is rebuilt from them),
    counted up to one past `most`; not counted in a file too small to hold more (a header and
    the space before the next take at least 8 bytes)."""
    if len(data) <= 8 * most:
        return 0
    count = 0
    for at in _found(data, b"obj"):
        if data[at + 3:at + 4] not in _LETTERS_AND_DIGITS and \
                _HEADER.search(data, max(0, at - 40), at + 3):
            count += 1
            if count > most:
                break
    return count


def _header(data: Data, at: int) -> re.Match[bytes] | None:
    """The `N G obj` header of the object whose `stream` keyword is at `at`."""
    floor = max(0, at - _DICT_WINDOW)
    end = at
    while (pos := data.rfind(b"obj", floor, end)) >= 0:
        if data[max(0, pos - 3):pos] == b"end":
            return None  # the keyword is not inside an object
        head = _HEADER.search(data, max(0, pos - 40), pos + 3)
        if head is not None:
            return head
        end = pos
    return None


def _xref_stream(data: Data, start: int, text: bytes, found: _Sections, limit: int) -> bool:
    """Count a cross-reference stream's entries; True when it unpacks past `limit`."""
    index = _INDEX.search(text)
    size = _SIZE.search(text)
    numbers = [int(n) for n in re.findall(rb"\d{1,10}", index.group(1))] if index else []
    if numbers:
        for first, count in zip(numbers[::2], numbers[1::2], strict=False):
            found.add(first, count)
    elif size is not None:
        found.add(0, int(size.group(1)))
    length = _LENGTH.search(text)
    end = start + int(length.group(1)) if length else len(data)
    if end > len(data) or b"endstream" not in data[end:end + 16]:
        end = data.find(b"endstream", start)  # a wrong /Length: where a reader looks too
    filters = _FILTER.search(text)
    names = [n.decode("latin-1") for n in _NAME.findall(filters.group(1))] if filters else []
    return end > start and sizes.over_limit(data[start:end], names, limit)


def scan(data: Data, stream_limit: int, most_objects: int) -> Layout:
    """The layout of the PDF whose bytes are `data` (a memory map is fine); objects are counted
    up to one past `most_objects`."""
    found = _Sections()
    _tables(data, found)
    layout = Layout()
    seen: set[tuple[int, int]] = set()
    for at in _found(data, b"stream"):
        eol = data[at + 6:at + 8]
        head = _header(data, at) if eol[:1] in (b"\r", b"\n") else None
        if head is None:
            continue
        num, gen = int(head.group(1)), int(head.group(2))
        text = data[head.end():at]
        start = at + 6 + (2 if eol == b"\r\n" else 1)
        if _XREF_TYPE.search(text) and _xref_stream(data, start, text, found, stream_limit):
            layout.bomb = num
        if (num, gen) not in seen:
            seen.add((num, gen))
            layout.streams.append(StreamAt(num, gen, _OBJSTM_TYPE.search(text) is not None))
    # Entries of several sections for one object count once: no more distinct objects than
    # the highest number declared; a damaged file is rebuilt from its object headers.
    layout.objects = max(min(found.entries, found.top), _headers(data, most_objects))
    return layout

"""The one check every input PDF passes before it is read (`check_pdf`): the object count its
cross-reference sections declare and the size of those sections, on the file's bytes before
any parser opens it; then, with qpdf (which reads an object only when asked), every stream's
decoded size (object streams first: reading any object inside one decodes it whole) and the
page tree, walked until it passes the page limit. A file over a limit is refused with one
sentence that names it and the setting to raise; a file that cannot be parsed at all is left
to the reader that comes next, which says so in its own words."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pikepdf

from digitize.errors import InputFileError
from digitize.i18n import _
from digitize.pdfcaps import rawscan, sizes
from digitize.pdfcaps.limits import MB, PdfLimits, current_limits

_DEPTH = 64  # page tree levels followed (real trees have a handful)
_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/Indexed": 1, "/Separation": 1,
               "/DeviceRGB": 3, "/CalRGB": 3, "/Lab": 3, "/DeviceCMYK": 4}


class UnsafePdf(InputFileError):
    """A PDF refused before it was read: too many pages or objects, or a decompression bomb."""


def _too_many_pages(name: str, limits: PdfLimits) -> UnsafePdf:
    return UnsafePdf(_("{path} has more than {value} pages; split it into smaller files, or "
                       "raise [pdf] max_pages in the configuration if you trust it.").format(
                         path=name, value=limits.max_pages))


def _bomb(name: str, num: int, limits: PdfLimits) -> UnsafePdf:
    return UnsafePdf(_("{path} holds a stream (object {obj}) that unpacks to more than {value} "
                       "MB, a decompression bomb; if you trust the file, raise [pdf] "
                       "max_stream_mb in the configuration.").format(
                         path=name, obj=num, value=limits.max_stream // MB))


def _components(space: object) -> int:
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        kind = str(space[0])
        if kind == "/ICCBased" and isinstance(space[1], pikepdf.Stream):
            return int(space[1].get("/N", 4))
        if kind == "/DeviceN" and isinstance(space[1], pikepdf.Array):
            return len(space[1])
        return _COMPONENTS.get(kind, 4)
    return _COMPONENTS.get(str(space), 4)  # absent (JPEG 2000 says it itself): at most 4


def _picture(stream: pikepdf.Stream, last: str) -> int:
    """The decoded size of the image a stream declares (0 when it declares none)."""
    try:
        width, height = int(stream.get("/Width", 0)), int(stream.get("/Height", 0))
        one_bit = last in ("/JBIG2Decode", "/CCITTFaxDecode") or bool(stream.get("/ImageMask"))
        bits = 1 if one_bit else int(stream.get("/BitsPerComponent", 8))
        comps = 1 if one_bit else _components(stream.get("/ColorSpace"))
    except (TypeError, ValueError, IndexError, pikepdf.PdfError):
        return 0
    return max(width, 0) * max(height, 0) * max(comps, 1) * max(bits, 1) // 8


def _over(stream: pikepdf.Stream, limit: int) -> bool:
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else \
        [str(filters)] if isinstance(filters, pikepdf.Name) else []
    parms = stream.get("/DecodeParms")
    last = parms[-1] if isinstance(parms, pikepdf.Array) and len(parms) else parms
    early = int(last.get("/EarlyChange", 1)) if isinstance(last, pikepdf.Dictionary) else 1
    picture = _picture(stream, sizes.canonical(names[-1])) if names else 0
    if all(sizes.canonical(n) in sizes.IMAGE_CODECS for n in names):
        return picture > limit  # nothing to inflate: the data is what the file holds
    return sizes.over_limit(stream.read_raw_bytes(), names, limit, early_change=early,
                            picture=picture)


def _streams(pdf: pikepdf.Pdf, found: list[rawscan.StreamAt], name: str,
             limits: PdfLimits) -> None:
    for at in sorted(found, key=lambda s: not s.objstm):
        try:
            obj = pdf.get_object((at.num, at.gen))
            over = isinstance(obj, pikepdf.Stream) and _over(obj, limits.max_stream)
        except (pikepdf.PdfError, TypeError, ValueError, KeyError, IndexError, AttributeError):
            continue  # a damaged object: its reader says so
        if over:
            raise _bomb(name, at.num, limits)


def _pages(pdf: pikepdf.Pdf, name: str, limits: PdfLimits) -> None:
    """Walk the page tree as a reader does (a node listed twice is walked twice), refusing it
    once it passes the page limit or twice as many nodes (a tree of empty branches)."""
    leaves = nodes = 0

    def walk(node: object, path: frozenset[tuple[int, int]], depth: int) -> None:
        nonlocal leaves, nodes
        kids = node.get("/Kids") if isinstance(node, pikepdf.Dictionary) else None
        if not isinstance(kids, pikepdf.Array):
            leaves += 1
            return
        key = node.objgen if node.is_indirect else (0, id(node))
        if key in path or depth > _DEPTH:
            return  # a loop: the reader refuses the file itself
        for kid in kids:
            nodes += 1
            if leaves > limits.max_pages or nodes > 2 * limits.max_pages + _DEPTH:
                raise _too_many_pages(name, limits)
            walk(kid, path | {key}, depth + 1)

    walk(pdf.Root.get("/Pages"), frozenset(), 0)
    if leaves > limits.max_pages:
        raise _too_many_pages(name, limits)


def check_pdf(path: Path, limits: PdfLimits | None = None) -> None:
    """UnsafePdf, naming `path`, when it is over a limit (the process's by default, see
    limits.set_limits)."""
    limits = limits or current_limits()
    name = str(path)
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size == 0:
                return  # empty: the reader's own sentence says so
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                layout = rawscan.scan(data, limits.max_stream, limits.max_objects)
    except OSError:
        return  # unreadable: the reader's own sentence says why
    if layout.objects > limits.max_objects:
        raise UnsafePdf(_("{path} holds more than {value} PDF objects; if you trust the file, "
                          "raise [pdf] max_objects in the configuration.").format(
                            path=name, value=limits.max_objects))
    if layout.bomb is not None:
        raise _bomb(name, layout.bomb, limits)
    try:
        # Not pushing inherited attributes down to the pages: that walks the page tree first.
        with pikepdf.open(path, inherit_page_attributes=False) as pdf:
            _streams(pdf, layout.streams, name, limits)
            _pages(pdf, name, limits)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, RecursionError, TypeError,
            ValueError, KeyError, AttributeError):
        return  # not a PDF qpdf can open or walk: the reader says so

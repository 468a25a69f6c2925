"""The stamp's font as pyHanko draws it, without fontTools or HarfBuzz at signing time.

A visible signature shows a few dozen characters (the agency's name, digits, the time), so the
font is cut down to them once (fontTools, then kept on disk, named by the font and the
characters) together with its metrics (character to glyph, advance widths, descriptor values)
in a JSON file beside it. Every later signature, in any process, reads those two small files
and embeds the cut as it is: importing fontTools and HarfBuzz cost ~0.17 s per process, and
pyHanko's glyph accumulator subset the font again for every signature (~20 ms).

Text is set glyph by glyph from the cut's character map, without kerning or ligatures: the
stamp's text is NFC Vietnamese, for which Liberation Serif has a precomposed glyph for every
letter, so nothing needs shaping. A ToUnicode map makes the text extractable (PDF/A).
"""

from __future__ import annotations

import json
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory, ShapeResult
from pyhanko.pdf_utils.generic import pdf_name, pdf_string

from digitize.fsutil import atomic_path
from digitize.signing.fontcut import font_cut

METRICS_VERSION = 1


@dataclass(frozen=True)
class CutFont:
    """A font cut down to some characters, with what embedding and measuring it needs."""

    program: bytes  # the cut TrueType font
    packed: bytes  # the same, Flate-compressed once for every signature that embeds it
    ps_name: str
    cmap: dict[str, int]  # character -> glyph id in the cut
    widths: dict[int, int]  # glyph id -> advance width, in font units
    units_per_em: int
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]
    cap_height: int
    stem_v: int
    italic_angle: float

    def advance(self, text: str) -> float:
        """Width of `text` in em."""
        return sum(self.widths.get(self.cmap.get(c, 0), 0) for c in text) / self.units_per_em


def load_cut(font: Path, chars: str) -> CutFont:
    """`font` cut down to `chars` without layout tables, with its metrics (both made once)."""
    program = font_cut(font, unicodedata.normalize("NFC", chars), layout=False)
    metrics = program.with_suffix(".json")
    try:
        data = json.loads(metrics.read_text(encoding="utf-8"))
        if data.get("version") == METRICS_VERSION:
            return _cut_from(program.read_bytes(), data)
    except (OSError, ValueError):
        pass
    data = _metrics(program)
    with atomic_path(metrics) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return _cut_from(program.read_bytes(), data)


def _cut_from(program: bytes, data: dict[str, Any]) -> CutFont:
    return CutFont(program=program, packed=zlib.compress(program, 6), ps_name=data["ps_name"],
                   cmap=data["cmap"],
                   widths={int(k): v for k, v in data["widths"].items()},
                   units_per_em=data["units_per_em"], ascent=data["ascent"],
                   descent=data["descent"], bbox=tuple(data["bbox"]),
                   cap_height=data["cap_height"], stem_v=data["stem_v"],
                   italic_angle=data["italic_angle"])


def _metrics(program: Path) -> dict[str, Any]:
    """What embedding and measuring the cut needs, read with fontTools (once per cut)."""
    from fontTools.ttLib import TTFont

    tt = TTFont(str(program))
    order = tt.getGlyphOrder()
    gid = {name: i for i, name in enumerate(order)}
    hmtx = tt["hmtx"]
    head, hhea, os2 = tt["head"], tt["hhea"], tt["OS/2"]
    name = tt["name"].getDebugName(6) or program.stem
    return {"version": METRICS_VERSION, "ps_name": name.replace(" ", ""),
            "cmap": {chr(code): gid[glyph] for code, glyph in tt.getBestCmap().items()},
            "widths": {str(i): hmtx[glyph][0] for i, glyph in enumerate(order)},
            "units_per_em": head.unitsPerEm, "ascent": hhea.ascent, "descent": hhea.descent,
            "bbox": [head.xMin, head.yMin, head.xMax, head.yMax],
            "cap_height": getattr(os2, "sCapHeight", 0) or 700,
            "stem_v": int(10 + 220 * (os2.usWeightClass - 50) / 900),
            "italic_angle": float(getattr(tt["post"], "italicAngle", 0))}


class CutFontEngine(FontEngine):
    """pyHanko's font engine interface over a CutFont: a Type 0 font (Identity-H, glyph ids
    as character codes) with the cut embedded as its FontFile2."""

    def __init__(self, writer: Any, font: CutFont, font_size: int, obj_stream: Any = None
                 ) -> None:
        super().__init__(writer, font.ps_name, embedded_subset=True, obj_stream=obj_stream,
                         font_size=font_size)
        self.font = font
        self._ref = writer.allocate_placeholder()
        self._text: dict[int, str] = {}  # glyph id -> the character it shows
        self._written = False

    def shape(self, txt: str) -> ShapeResult:
        txt = unicodedata.normalize("NFC", txt)
        glyphs = [self.font.cmap.get(c, 0) for c in txt]
        for g, c in zip(glyphs, txt, strict=True):
            if g:
                self._text.setdefault(g, c)
        em = self.font.advance(txt)
        codes = "".join(f"{g:04x}" for g in glyphs)
        # The Td leaves the line matrix at the end of the text, as pyHanko's layout expects.
        return ShapeResult(graphics_ops=b"<%s> Tj %g 0 Td" % (codes.encode(), em * self.font_size),
                           x_advance=em, y_advance=0)

    def as_resource(self) -> generic.IndirectObject:
        return self._ref

    def prepare_write(self) -> None:
        if self._written:
            return
        self._written = True
        f, w = self.font, self.writer
        name = f"{self.subset_prefix}+{f.ps_name}"
        program = generic.StreamObject({pdf_name("/Length1"): generic.NumberObject(
            len(f.program)), pdf_name("/Filter"): pdf_name("/FlateDecode")},
            encoded_data=f.packed)
        scale = 1000 / f.units_per_em
        descriptor = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/FontDescriptor"),
            pdf_name("/FontName"): pdf_name("/" + name),
            pdf_name("/Flags"): generic.NumberObject(0b110),  # serif, symbolic (as pyHanko)
            pdf_name("/FontBBox"): generic.ArrayObject(
                generic.NumberObject(round(v * scale)) for v in f.bbox),
            pdf_name("/ItalicAngle"): generic.FloatObject(f.italic_angle),
            pdf_name("/Ascent"): generic.NumberObject(round(f.ascent * scale)),
            pdf_name("/Descent"): generic.NumberObject(round(f.descent * scale)),
            pdf_name("/CapHeight"): generic.NumberObject(round(f.cap_height * scale)),
            pdf_name("/StemV"): generic.NumberObject(f.stem_v),
            pdf_name("/FontFile2"): w.add_object(program, obj_stream=None)})
        widths = generic.ArrayObject([generic.NumberObject(0), generic.ArrayObject(
            generic.NumberObject(round(f.widths.get(g, 0) * scale))
            for g in range(max(f.widths) + 1))])  # the cut's glyphs are numbered from 0
        cidfont = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
            pdf_name("/BaseFont"): pdf_name("/" + name),
            pdf_name("/CIDSystemInfo"): generic.DictionaryObject({
                pdf_name("/Registry"): pdf_string("Adobe"),
                pdf_name("/Ordering"): pdf_string("Identity"),
                pdf_name("/Supplement"): generic.NumberObject(0)}),
            pdf_name("/FontDescriptor"): w.add_object(descriptor, obj_stream=self.obj_stream),
            pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
            pdf_name("/W"): widths})
        type0 = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type0"),
            pdf_name("/BaseFont"): pdf_name(f"/{name}-Identity-H"),
            pdf_name("/Encoding"): pdf_name("/Identity-H"),
            pdf_name("/DescendantFonts"): generic.ArrayObject(
                [w.add_object(cidfont, obj_stream=self.obj_stream)]),
            pdf_name("/ToUnicode"): w.add_object(self._to_unicode())})
        w.add_object(type0, self.obj_stream, idnum=self._ref.idnum)

    def _to_unicode(self) -> generic.StreamObject:
        pairs = sorted(self._text.items())
        lines = []
        for start in range(0, len(pairs), 100):  # at most 100 entries per bfchar block
            block = pairs[start:start + 100]
            lines.append(f"{len(block)} beginbfchar")
            lines += [f"<{g:04x}> <{c.encode('utf-16-be').hex()}>" for g, c in block]
            lines.append("endbfchar")
        cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" +
                "\n".join(lines) +
                "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
        return generic.StreamObject({pdf_name("/Filter"): pdf_name("/FlateDecode")},
                                    encoded_data=zlib.compress(cmap.encode("ascii")))


@dataclass(frozen=True)
class CutFontFactory(FontEngineFactory):
    font: CutFont
    font_size: int = 10

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> CutFontEngine:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return CutFontEngine(writer, self.font, self.font_size, obj_stream)

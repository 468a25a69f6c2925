"""The indexed object-stream reads given to pyHanko's reader return what pyHanko's own code
returns, object for object, on a file that keeps its objects in object streams."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from pyhanko.pdf_utils.reader import PdfFileReader

from digitize.validation import objstm

from .conftest import ROOT

DECREE = ROOT.parent / "shared" / "real" / "signed" / "50-2026-ND-CP.pdf"


def _packed(tmp_path: Path) -> bytes:
    with pikepdf.new() as pdf:
        for n in range(40):
            page = pdf.add_blank_page()
            page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(
                pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                   BaseFont=pikepdf.Name(f"/Font{n}")))))
        target = tmp_path / "packed.pdf"
        pdf.save(target, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return target.read_bytes()


def test_indexed_reads_match_pyhankos_own(tmp_path: Path) -> None:
    files = [_packed(tmp_path)] + ([DECREE.read_bytes()] if DECREE.is_file() else [])
    compared = 0
    for data in files:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        in_streams = [(idnum, stm, idx) for idnum, (stm, idx) in
                      sorted(_compressed(reader).items())]
        in_streams = in_streams[:: max(1, len(in_streams) // 300)]  # pyHanko's own is O(n²)
        assert in_streams, "the file has no object streams to compare"
        for idnum, stm, idx in in_streams:
            theirs = objstm._original(reader, idnum, stm, idx)
            ours = objstm._get_object_from_stream(reader, idnum, stm, idx)
            assert ours == theirs and type(ours) is type(theirs), idnum
            compared += 1
    assert compared >= 40


def _compressed(reader: PdfFileReader) -> dict[int, tuple[int, int]]:
    """Object number -> (object stream, index) for every object kept in an object stream (in
    the xref streams of every revision, hybrid ones too: the decree is a hybrid file)."""
    found: dict[int, tuple[int, int]] = {}
    for section in reader.xrefs._xref_sections:
        data = [section.xref_data] + ([section.xref_data.hybrid.xref_data]
                                      if section.xref_data.hybrid else [])
        for d in data:
            found.update({idnum: (ref.obj_stream_id, ref.ix_in_stream)
                          for idnum, ref in d.xrefs_in_objstm.items()})
    return found

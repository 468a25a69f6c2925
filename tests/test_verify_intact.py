"""Intact files from other producers verify (issue 37): a signature field that existed, empty,
before a signature and is signed later is a later signature, not a page change; a signed
widget redrawn afterwards is still a change; a later revision that keeps poppler busy does
not keep the verification waiting; without poppler, the visual check says so and the verdict
stands."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from digitize.identity import load_certs
from digitize.validation.verify import verify_pdf

from .conftest import path_without, python_within
from .test_scanner_pdfs import REAL, _damaged
from .test_verification import _reasons, _replace, _update

INTACT = Path(__file__).resolve().parents[2] / "shared" / "real" / "signed-intact"


@pytest.mark.skipif(not INTACT.is_dir(), reason="shared/real/signed-intact is not here")
def test_fields_that_existed_before_the_first_signature_and_were_signed_later(
        cli_env: Any) -> None:
    """pyHanko's test file: Adobe Reader signed two fields the file had before either
    signature. The second signature's appearance is drawn in its own pre-existing field: a
    later signature, not a page change. Its signer is a self-signed test certificate and its
    time stamps come from GlobalSign's AATL TSA, neither under the testing CA in trust/: the
    verdict may be indeterminate for the chain, never invalid."""
    res = cli_env.run("verify", "--trust", str(INTACT / "trust"), "--offline", "--json",
                      str(INTACT / "minimal-two-fields-signed-twice.pdf"))
    assert res.returncode == 1, res.stderr  # indeterminate: exit 1, never a crash (2+)
    [report] = json.loads(res.stdout)
    assert report["status"] != "invalid", report
    sigs = {s["field"]: s for s in report["signatures"]}
    assert set(sigs) == {"Sig1", "Sig2"}
    chain = {"NO_CERTIFICATE_CHAIN_FOUND", "CHAIN_CONSTRAINTS_FAILURE", "OUT_OF_BOUNDS_NO_POE"}
    for sig in sigs.values():
        assert sig["intact"] and sig["crypto_valid"], sig
        assert sig["status"] == "valid" or (
            sig["status"] == "indeterminate" and sig["sub_indication"] in chain), sig
    first = sigs["Sig2"]  # signed first, covering the empty Sig1 field
    assert "Sig1 (page 1)" in first["changes_after"]
    assert first["visual"].startswith("visual check: the signed pages look the same"), first


@pytest.mark.skipif(not INTACT.is_dir(), reason="shared/real/signed-intact is not here")
def test_a_signed_field_redrawn_afterwards_is_still_a_change(tmp_path: Path) -> None:
    """The other side of the rule above: once a field is signed, its widget is part of what its
    own signature covers. Redrawing the signed Sig1's appearance in a later revision (a shadow
    of its appearance stream) is invalid for Sig1."""
    def redraw(w: IncrementalPdfFileWriter) -> None:
        for ref in w.root["/AcroForm"]["/Fields"]:
            fld = ref.get_object()
            if fld.get("/T") == "Sig1":
                widget = fld if "/AP" in fld else fld["/Kids"][0].get_object()
                ap_ref = widget["/AP"].raw_get("/N")
                box = [float(v) for v in widget["/Rect"]]
                stream = generic.StreamObject(
                    {pdf_name("/BBox"): widget["/AP"]["/N"]["/BBox"]},
                    stream_data=f"0 g 0 0 {box[2] - box[0]:.0f} {box[3] - box[1]:.0f} re f"
                    .encode())
                _replace(w, ap_ref, stream)

    final = _update(INTACT / "minimal-two-fields-signed-twice.pdf", tmp_path / "redrawn.pdf",
                    redraw)
    report = verify_pdf(final, load_certs(INTACT / "trust" / "root.cert.pem"), offline=True)
    sigs = {s.field: s for s in report.signatures}
    assert report.status.value == "invalid" and sigs["Sig1"].status.value == "invalid", \
        _reasons(report)


_VERIFY = """
import sys
from pathlib import Path
from digitize.identity import load_certs
from digitize.validation import visual
from digitize.validation.verify import verify_pdf
visual.RENDER_TIMEOUT_S = 3
report = verify_pdf(Path(sys.argv[1]), load_certs(Path(sys.argv[2])), offline=True)
print(report.status.value)
for sig in report.signatures:
    print(sig.visual)
"""


@pytest.mark.skipif(not INTACT.is_dir() or not REAL.is_dir(), reason="shared/real is not here")
def test_a_later_revision_that_keeps_poppler_drawing_is_not_waited_for(tmp_path: Path) -> None:
    """A revision appended after the signatures draws a damaged JBIG2 image (the one fuzzing
    found) on page 1: poppler loops on it, taking memory. The visual check drew the final file
    with ten minutes allowed and no memory cap, once for each signature. Now it is drawn under
    the render limits (shortened here), once: the check says it was not made, and the changed
    page content still makes both signatures invalid."""
    flipped = pikepdf.open(io.BytesIO(_damaged((REAL / "jbig2.pdf").read_bytes(), "flipped")))
    raw = flipped.pages[0].Resources.XObject["/Im0"].read_raw_bytes()

    def draw(w: IncrementalPdfFileWriter) -> None:
        page = w.root["/Pages"]["/Kids"][0]
        image = w.add_object(generic.StreamObject({
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(1000),
            pdf_name("/Height"): generic.NumberObject(1520),
            pdf_name("/ColorSpace"): pdf_name("/DeviceGray"),
            pdf_name("/BitsPerComponent"): generic.NumberObject(1),
            pdf_name("/Filter"): pdf_name("/JBIG2Decode")}, encoded_data=raw))
        resources = page["/Resources"]
        objects = resources.get("/XObject", generic.DictionaryObject())
        objects[pdf_name("/ImX")] = image
        resources[pdf_name("/XObject")] = objects
        shown = w.add_object(generic.StreamObject(stream_data=b"q 100 0 0 152 50 50 cm /ImX Do Q"))
        page[pdf_name("/Contents")] = generic.ArrayObject([page.raw_get("/Contents"), shown])
        w.update_container(page)

    final = _update(INTACT / "minimal-two-fields-signed-twice.pdf", tmp_path / "loops.pdf", draw)
    started = time.monotonic()
    status, out, err = python_within(_VERIFY, str(final), str(INTACT / "trust" / "root.cert.pem"))
    lines = out.splitlines()
    assert status == 0 and lines[:1] == ["invalid"], err
    assert lines[1:] == [f"visual check not made: poppler did not finish drawing {final.name} "
                         "within 3 s"] * 2, out
    assert time.monotonic() - started < 30  # drawn once, not once a signature


@pytest.mark.skipif(not INTACT.is_dir(), reason="shared/real/signed-intact is not here")
def test_without_poppler_the_visual_check_says_so_and_the_verdict_stands(
        cli_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pdftoppm missing (poppler-utils not installed): every stage that draws pages says so in
    one sentence (`digitize doctor` names it too); verify judges the signatures without the
    visual check and says the check was not made, rather than calling them invalid."""
    from digitize.errors import EnvironmentProblem
    from digitize.poppler import draw

    bare = path_without("pdftoppm", tmp_path / "bin")
    monkeypatch.setenv("PATH", bare)
    with pytest.raises(EnvironmentProblem, match=r"pdftoppm is not installed.*poppler-utils"):
        draw(INTACT / "minimal-two-fields-signed-twice.pdf", tmp_path, 50)
    res = cli_env.run("verify", "--trust", str(INTACT / "trust"), "--offline", "--json",
                      str(INTACT / "minimal-two-fields-signed-twice.pdf"),
                      extra={"PATH": bare})
    assert res.returncode == 1, res.stderr  # indeterminate for the chain, as with poppler
    [report] = json.loads(res.stdout)
    assert report["status"] != "invalid", report
    for sig in report["signatures"]:
        assert sig["intact"] and sig["crypto_valid"], sig
    first = next(s for s in report["signatures"] if s["field"] == "Sig2")
    assert first["visual"] == ("visual check not made: pdftoppm is not installed; install it "
                               "with: sudo apt-get install poppler-utils"), first

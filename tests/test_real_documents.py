"""How real offices' documents are read: a Word template's "Số: 95     /TTr-UBND" (room left
before the slash for the number the signing software fills in) gives its number and symbol
from the signed file's own text, by `extract` and by `run` alike, and from the hOCR of that
text layer the run keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digitize.extract import extract
from digitize.extract.hocr import segments_from_hocr
from digitize.ocr.textlayer import pdf_words, write_hocr

from .borndigital import DECISION, born_digital_pdf
from .conftest import Env

# The số line as Word templates leave it: room for the number, typed in at signing, then the
# slash and the symbol further right.
SPACED = tuple(b for x, y, size, text in DECISION for b in (
    ((x, y, size, "Số: 95"), (x + 140, y, size, "/TTr-UBND")) if text.startswith("Số:")
    else ((x, y, size, text.replace("QUYẾT ĐỊNH\n", "TỜ TRÌNH\n")),)))


def _signed(cli_env: Env, tmp_path: Path) -> Path:
    plain = born_digital_pdf(tmp_path / "plain" / "to_trinh.pdf", SPACED)
    res = cli_env.run("sign", str(plain), "--out", str(tmp_path / "signed"), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    return tmp_path / "signed" / plain.name


def test_number_set_apart_from_its_slash_is_read_from_a_text_layer(tmp_path: Path) -> None:
    pdf = born_digital_pdf(tmp_path / "to_trinh.pdf", SPACED)
    page = pdf_words(pdf)[0]
    words = [w for w in page[3] if w.text.endswith("95") or w.text == "/TTr-UBND"]
    assert len(words) == 2 and words[1].left - (words[0].left + words[0].width) > \
        2.5 * words[0].height  # the room is really there: two runs of the line
    hocr = tmp_path / "p.hocr"
    write_hocr(page, hocr)
    segs, pages = segments_from_hocr(hocr)  # the text layer's hOCR, read back
    ex = extract(segs, pages)
    assert ex.metadata["number"] == "95"
    assert ex.metadata["symbol"] == "TTr-UBND"
    assert ex.metadata["doc_type_name"] == "TỜ TRÌNH"
    assert "number" not in ex.review and "symbol" not in ex.review


@pytest.mark.slow
def test_signed_born_digital_pdf_gives_its_number_to_extract_and_run(cli_env: Env,
                                                                      tmp_path: Path) -> None:
    signed = _signed(cli_env, tmp_path)
    res = cli_env.run("extract", str(signed), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads(res.stdout)[0]
    assert (doc["metadata"]["number"], doc["metadata"]["symbol"]) == ("95", "TTr-UBND")
    inbox = tmp_path / "in" / "HS-1"
    inbox.mkdir(parents=True)
    (inbox / "to_trinh.pdf").write_bytes(signed.read_bytes())
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode in (0, 1), res.stdout + res.stderr
    got = json.loads(res.stdout)["dossiers"][0]["documents"][0]
    assert got["input_signatures"], got  # it came signed: kept, read from its own text
    assert (got["metadata"]["number"], got["metadata"]["symbol"]) == ("95", "TTr-UBND")
    assert "number" not in " ".join(got["review"])

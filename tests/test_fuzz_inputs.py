"""A thousand malformed inputs through `run`: no traceback, each reported with a one-sentence
reason, exit 1, and the good documents in the same batch all done."""

from __future__ import annotations

import io
import json
import os
import random
import struct
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from .conftest import Env, copy_sample

pytestmark = pytest.mark.slow
AS_ORDINARY_USER = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--") \
    if os.geteuid() == 0 else ()


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + \
        struct.pack(">I", zlib.crc32(chunk))


def _small_png() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (300, 200), 255).save(buf, "PNG")
    return buf.getvalue()


def _small_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buf, "JPEG")
    return buf.getvalue()


def _pdf(**kwargs: object) -> bytes:
    buf = io.BytesIO()
    with pikepdf.new() as pdf:
        if kwargs.get("pages", 1):
            pdf.add_blank_page(page_size=(72, 72))
        pdf.save(buf, **{k: v for k, v in kwargs.items() if k != "pages"})
    return buf.getvalue()


def _malformed(rnd: random.Random, i: int) -> tuple[str, bytes]:
    png, jpeg = _small_png(), _small_jpeg()
    kind = i % 10
    if kind == 0:
        return ".png", png[: rnd.randint(8, len(png) - 20)]
    if kind == 1:
        return ".jpg", jpeg[: rnd.randint(4, len(jpeg) - 50)]
    if kind == 2:
        return rnd.choice([".png", ".jpg", ".tif", ".pdf"]), rnd.randbytes(rnd.randint(1, 4000))
    if kind == 3:
        return ".png", _png_header(rnd.randint(40_000, 2_000_000), rnd.randint(40_000, 90_000))
    if kind == 4:
        return ".pdf", _pdf(pages=0)
    if kind == 5:
        return ".pdf", _pdf(encryption=pikepdf.Encryption(user="mật-khẩu", owner="o"))
    if kind == 6 and i < 100:  # a few PDFs whose cross-reference table is broken
        raw = bytearray(_pdf())
        at = raw.rfind(b"startxref")
        raw[at + 10: at + 14] = b"9999"
        return ".pdf", bytes(raw)
    if kind == 7:
        return rnd.choice([".png", ".pdf", ".tif"]), b""
    if kind == 8:
        return ".tif", b"II*\x00" + struct.pack("<I", 8) + rnd.randbytes(rnd.randint(0, 300))
    return ".png", png[: rnd.randint(30, len(png) - 10)] + rnd.randbytes(50)


def test_a_thousand_malformed_inputs(cli_env: Env, scratch: Path) -> None:
    rnd = random.Random(1000)
    inbox = scratch / "inbox"
    names: set[str] = set()
    for i in range(1000):
        suffix, data = _malformed(rnd, i)
        folder = inbox / f"HS-{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"bad_{i:04d}{suffix}"
        if i % 10 == 9:  # a name that is not UTF-8, as old scanners on Windows code pages write
            name = os.fsdecode(f"bad_{i:04d}_".encode() + b"\xe0\xff" + suffix.encode())
        (folder / name).write_bytes(data)
        names.add(name)
    for i in range(3):
        (inbox / f"EMPTY-{i}").mkdir()
    locked = inbox / "LOCKED"
    copy_sample("thong_bao.png", locked / "a.png")
    good = [copy_sample("01_to_khai.png", inbox / "GOOD-1" / "to_khai.png"),
            copy_sample("02_quyet_dinh.jpg", inbox / "GOOD-2" / "quyet_dinh.jpg"),
            copy_sample("thong_bao.png", inbox / "HS-00" / "good_in_a_bad_dossier.png")]
    locked.chmod(0)
    res = cli_env.run("run", str(inbox), "--out", str(scratch / "out"), "--json", "--no-sign",
                      prefix=AS_ORDINARY_USER)
    locked.chmod(0o755)
    assert res.returncode == 1, res.stderr[-3000:]
    assert "Traceback" not in res.stderr + res.stdout
    summary = json.loads(res.stdout)
    docs = [d for ds in summary["dossiers"] for d in ds["documents"]]
    by_name = {Path(d["source"]).name: d for d in docs}
    for g in good:
        assert by_name[g.name]["status"] in ("ok", "needs_review"), by_name[g.name]
    bad = [d for d in docs if Path(d["source"]).name.startswith("bad_")]
    assert len(bad) == 1000
    for d in bad:
        if d["status"] == "failed":
            assert d["error"] and "\n" not in d["error"] and "Traceback" not in d["error"]
        else:  # qpdf may repair a broken cross-reference table: then the page is read
            assert Path(d["source"]).suffix == ".pdf", d
    assert sum(d["status"] == "failed" for d in bad) >= 990
    assert any(d["error"] and "cannot be read" in d["error"] for d in docs
               if "LOCKED" in d["source"])
    assert {ds["id"] for ds in summary["dossiers"]} >= {"GOOD-1", "GOOD-2", "LOCKED"}
    assert not any(ds["id"].startswith("EMPTY") for ds in summary["dossiers"])

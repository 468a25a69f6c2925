"""Bad input fails its own document with one plain sentence, the batch goes on, exit 1, no
traceback, inputs untouched, nothing half-written in the output. Also: any scanner-made folder
works, not only samples/."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import Env, copy_sample, tree_hashes

pytestmark = pytest.mark.slow

# Root ignores permission bits; without these capabilities it obeys them like any user.
AS_ORDINARY_USER = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--") \
    if os.geteuid() == 0 else ()


def _bad_batch(root: Path) -> dict[str, Path]:
    good = copy_sample("01_to_khai.png", root / "HS-01" / "01_to_khai.png")
    png = (root / "HS-01" / "02_truncated.png")
    png.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    empty = root / "HS-01" / "03_empty.pdf"
    empty.write_bytes(b"")
    fake = root / "HS-01" / "04_note.jpg"
    fake.write_text("Ghi chú: bản scan sẽ gửi sau.\n", encoding="utf-8")
    locked = root / "HS-02-locked"
    copy_sample("thong_bao.png", locked / "thong_bao.png")
    locked.chmod(0o000)
    return {"good": good, "truncated": png, "empty": empty, "fake": fake, "locked": locked}


def test_bad_inputs_fail_alone_with_plain_messages(cli_env: Env, scratch: Path) -> None:
    inbox = scratch / "inbox"
    files = _bad_batch(inbox)
    files["locked"].chmod(0o755)
    before = tree_hashes(inbox)
    files["locked"].chmod(0o000)
    out = scratch / "out"
    res = cli_env.run("run", str(inbox), "--out", str(out), "--json", "--no-sign",
                      prefix=AS_ORDINARY_USER)
    files["locked"].chmod(0o755)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    summary = json.loads(res.stdout)
    docs = {Path(d["source"]).name: d for ds in summary["dossiers"] for d in ds["documents"]}
    assert docs["01_to_khai.png"]["status"] in ("ok", "needs_review")
    assert docs["01_to_khai.png"]["metadata"]["id_number"] == "*********345"  # masked
    kept = json.loads((out / "summary.json").read_text(encoding="utf-8"))  # the values
    assert "008190012345" in json.dumps(kept)
    expectations = {
        "02_truncated.png": "damaged or truncated",
        "03_empty.pdf": "is empty (0 bytes)",
        "04_note.jpg": "is not a PNG, JPEG or TIFF image",
        "HS-02-locked": "cannot be read",
    }
    for name, phrase in expectations.items():
        doc = docs[name]
        assert doc["status"] == "failed", name
        assert phrase in doc["error"] and name in doc["error"], doc["error"]
        assert "\n" not in doc["error"] and doc["error"].endswith(".")
        assert doc["pdf"] is None
    assert tree_hashes(inbox) == before
    leftovers = [p for p in out.rglob("*") if ".part" in p.name or
                 p.name.startswith((".staging", ".old-"))]
    assert leftovers == []
    # A dossier with a failed document gets no package, so nothing incomplete goes to the
    # archive; its good document is kept, with its PDF, for the next run.
    hs01 = next(d for d in summary["dossiers"] if d["id"] == "HS-01")
    assert hs01["status"] == "incomplete" and hs01["bundle"] is None
    assert not list((out / "HS-01").glob("uuid-*"))
    assert Path(docs["01_to_khai.png"]["pdf"]).is_file()


def test_a_scanner_folder_with_its_own_names_and_nesting(cli_env: Env, scratch: Path) -> None:
    """Names and nesting as a desk scanner makes them: dates as folders, spaces, upper-case
    extensions; two dossiers one level down and one loose file."""
    scans = scratch / "Scans"
    copy_sample("02_quyet_dinh.jpg", scans / "2026-11-20" / "Ho so Nhung" / "Scan 0001.JPG")
    copy_sample("cong_van.tif", scans / "2026-11-20" / "Ho so Binh" / "IMG_0002.TIFF")
    copy_sample("scan_0001.jpg", scans / "2026-11-21" / "SCAN0003.jpeg")
    (scans / "2026-11-20" / "Thumbs.db").write_bytes(b"\0\1\2")
    (scans / "2026-11-20" / "Ho so Nhung" / ".~lock").write_text("x")
    out = scratch / "out"
    res = cli_env.run("run", str(scans), "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    ids = sorted(d["id"] for d in summary["dossiers"])
    assert ids == ["2026-11-20_Ho_so_Binh", "2026-11-20_Ho_so_Nhung", "2026-11-21"]
    for dossier in summary["dossiers"]:
        assert dossier["bundle"] and Path(dossier["bundle"]).is_dir()
        for doc in dossier["documents"]:
            assert doc["status"] in ("ok", "needs_review")
            assert doc["signature"] is not None
    kinds = {Path(d["source"]).name: d["metadata"].get("doc_type_code")
             for ds in summary["dossiers"] for d in ds["documents"]}
    assert kinds == {"Scan 0001.JPG": "QĐ", "IMG_0002.TIFF": "CV", "SCAN0003.jpeg": None}


def test_relative_paths_as_make_demo_uses_them(cli_env: Env, scratch: Path) -> None:
    """`make demo` runs `digitize run samples/ --out out/demo` from the repository: relative
    input and output paths, then verify and bundle on the relative output."""
    copy_sample("thong_bao.png", scratch / "in" / "HS-09" / "thong_bao.png")
    first = cli_env.run("run", "in", "--out", "out/demo", "--json", cwd=scratch)
    assert first.returncode == 0, first.stderr
    packages = list((scratch / "out/demo/HS-09").glob("uuid-*"))
    assert len(packages) == 1
    assert str(packages[0]) == json.loads(first.stdout)["dossiers"][0]["bundle"]
    verify = cli_env.run("verify", "out/demo", "--trust", str(cli_env.ca_cert), cwd=scratch)
    assert verify.returncode == 0, verify.stdout
    bundled = cli_env.run("bundle", "out/demo/HS-09", "--out", "transfer", "--zip", "--aip",
                          cwd=scratch)
    assert bundled.returncode == 0, bundled.stdout + bundled.stderr


def test_absurdly_large_image_is_refused_plainly(cli_env: Env, scratch: Path) -> None:
    from PIL import Image

    bomb = scratch / "in" / "huge.png"
    bomb.parent.mkdir()
    Image.new("1", (20000, 20000), 1).save(bomb)  # 400 megapixels in a few kilobytes
    assert bomb.stat().st_size < 1_000_000
    res = cli_env.run("run", str(bomb.parent), "--out", str(scratch / "out"), "--json",
                      "--no-sign")
    assert res.returncode == 1
    doc = json.loads(res.stdout)["dossiers"][0]["documents"][0]
    assert doc["status"] == "failed"
    assert "20000x20000 pixels, over the limit of 150 megapixels" in doc["error"]

"""Verification throughput of B-LT files offline (validation data embedded), 200 files by default:
`digitize verify DIR --offline` (the full report: integrity, chain from the DSS, timestamp, level,
later changes; parallel over the cores) next to pyHanko's own validator on the same files
(`validate_pdf_signature` with the DSS as validation context, one process, pyHanko as shipped).

Then, on the real 30-page decree in ../shared/real/signed (six signatures, later revisions),
the cost of the visual check (digitize/validation/visual.py) apart: per signature and per page
rendered. Single-revision files, as above, are never rendered.

Target (issue 7, 19): >= 30 documents/s on 2 cores.
Run: .venv/bin/python benchmarks/verification.py [--docs 200]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import BIN, ROOT, scanned_pdfs

from digitize.devtools.testpki import PASSWORD, start_test_pki

PYHANKO_LOOP = """
import sys, time
from pathlib import Path
from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
root = x509.Certificate.load(pem.unarmor(Path(sys.argv[1]).read_bytes())[2])
files = sorted(Path(sys.argv[2]).glob("*.pdf"))
start = time.perf_counter()
ok = 0
for f in files:
    with open(f, "rb") as fh:
        r = PdfFileReader(fh)
        vc = DocumentSecurityStore.read_dss(r).as_validation_context(
            {"trust_roots": [root], "allow_fetching": False, "revocation_mode": "hard-fail"})
        st = validate_pdf_signature(r.embedded_signatures[0], signer_validation_context=vc)
        ok += st.bottom_line
print(time.perf_counter() - start, ok)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digitize-verify-bench-"))
    files = scanned_pdfs(work, args.docs)
    src = files[0]
    cores = os.cpu_count() or 1
    with start_test_pki(work / "pki") as pki:
        env = {**os.environ, "DIGITIZE_SECRET": PASSWORD}
        res = subprocess.run([str(BIN / "digitize"), "sign", *map(str, files), "--out",
                              str(work / "signed"), "--p12", str(pki.signer("signer").p12),
                              "--level", "B-LT", "--tsa", pki.tsa_url, "--appearance", "none"],
                             capture_output=True, text=True, env=env)
        if res.returncode != 0:
            raise SystemExit(f"signing failed: {res.stderr[-1500:]}")
    print(f"{args.docs} B-LT PDFs of {src.stat().st_size / 1024:.0f} KB, {cores} cores, "
          f"{time.strftime('%Y-%m-%d')}")
    start = time.perf_counter()
    res = subprocess.run([str(BIN / "digitize"), "verify", str(work / "signed"), "--offline",
                          "--trust", str(pki.root_pem), "--json"], capture_output=True, text=True)
    ours = time.perf_counter() - start
    reports = json.loads(res.stdout)
    valid = sum(r["status"] == "valid" for r in reports)
    res = subprocess.run([sys.executable, "-c", PYHANKO_LOOP, str(pki.root_pem),
                          str(work / "signed")], capture_output=True, text=True, check=True)
    theirs, their_ok = res.stdout.split()
    print(f"\n{'':46}{'docs/s':>8}{'valid':>7}")
    print(f"{'digitize verify --offline (whole command)':46}{args.docs / ours:>8.1f}{valid:>7}")
    print(f"{'pyHanko validate_pdf_signature loop':46}{args.docs / float(theirs):>8.1f}"
          f"{their_ok:>7}")
    print("\ntarget: >= 30 docs/s on 2 cores")
    shutil.rmtree(work, ignore_errors=True)
    visual_cost()


def visual_cost() -> None:
    """Seconds of the visual check per signature and per rendered page, on the real decree."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from digitize.validation.visual import VisualCheck

    decree = ROOT.parent / "shared" / "real" / "signed" / "50-2026-ND-CP.pdf"
    if not decree.is_file():
        print(f"\n(visual check: {decree} is not here)")
        return
    data = decree.read_bytes()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    check = VisualCheck(decree, data, reader)
    later = [s for s in reader.embedded_regular_signatures
             if int(s.sig_object["/ByteRange"][2]) + int(s.sig_object["/ByteRange"][3])
             < len(data)]
    start = time.perf_counter()
    for sig in later:
        check.of(list(sig.sig_object["/ByteRange"]), sig.signed_revision)
    spent = time.perf_counter() - start
    pages = len(reader.root["/Pages"]["/Kids"])
    rendered = pages * (len(later) + 1)  # each signed revision, and the final file once
    print(f"\nvisual check on {decree.name}: {len(later)} signatures with later revisions, "
          f"{spent:.1f} s ({spent / len(later):.2f} s per signature, "
          f"{1000 * spent / rendered:.0f} ms per page rendered and compared)")


if __name__ == "__main__":
    main()

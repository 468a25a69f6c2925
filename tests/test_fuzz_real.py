"""A thousand mutants of the real inputs (../shared/real/ and samples/: scans, scanner PDFs,
signed PDFs; bit flips, truncation, chunks duplicated or deleted, xref and stream damage,
ByteRange and /Contents edits) read by `ocr`'s input stage, `extract` and `verify`: a typed,
one-sentence error or a result on each, never a traceback, a hang or an "unexpected error".
`make fuzz` runs ten thousand, with page 1 drawn too (benchmarks/fuzz.py)."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow
sys.path.insert(0, str(ROOT / "benchmarks"))
import fuzz  # noqa: E402


def test_mutants_of_real_inputs_get_a_plain_answer() -> None:
    outcomes = fuzz.fuzz(1000, fuzz.SEED, jobs=2, draw=False, most=400_000)
    assert len(outcomes) == 1000
    failed = [f"mutant {o.index} of {o.seed_file} ({o.kind}): {'; '.join(o.failures)}"
              for o in outcomes if o.failures]
    assert not failed, "\n".join(failed[:20])


def test_a_damaged_stream_is_a_finding_not_a_crash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The mutant that found it: a signed decree with a flipped bit in a compressed stream
    made `verify` raise zlib's error instead of reporting the file."""
    from digitize.validation.verify import Indication, verify_pdf

    signed = ROOT.parent / "shared" / "real" / "signed" / "50-2026-ND-CP.pdf"
    if not signed.is_file():
        pytest.skip(f"{signed} is not here")
    import random

    data = fuzz.mutate(signed.read_bytes(), "flip", random.Random("1:13"))
    bad = tmp_path / "decree.pdf"
    bad.write_bytes(data)
    report = verify_pdf(bad, [], offline=True)
    assert report.status in (Indication.invalid, Indication.indeterminate)


def test_a_damaged_number_is_a_finding_not_a_crash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Mutant 4525 of `make fuzz`: a qng scan whose xref damage left a malformed number made
    pyHanko raise decimal's InvalidOperation out of `verify`."""
    from digitize.validation.verify import Indication, verify_pdf

    source, data = fuzz.mutant(4525)
    if source.name != "qng_031.pdf":
        pytest.skip("../shared/real is not the one the mutant was found in")
    bad = tmp_path / source.name
    bad.write_bytes(data)
    assert verify_pdf(bad, [], offline=True).status in (Indication.invalid,
                                                       Indication.indeterminate)


def test_a_library_traceback_never_reaches_the_clerk(cli_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Mutant 7834 of `make fuzz` (2026-12-05): a flipped bit in a signed scan's certificate
    made pyHanko log the name it could not parse with its traceback, which Python printed on
    stderr under `digitize verify`'s plain verdict."""
    source, data = fuzz.mutant(7834)
    if source.name != "qng_023.pdf":
        pytest.skip("the seed files are not those of the run that found it")
    bad = tmp_path / source.name
    bad.write_bytes(data)
    res = cli_env.run("verify", str(bad), "--offline", "--no-eark")
    assert res.returncode == 1, res.stderr[-2000:]
    assert "Traceback" not in res.stderr + res.stdout, res.stderr[-2000:]
    assert source.name in res.stdout

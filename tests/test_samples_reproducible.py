"""The committed samples are exactly what samples/make_samples.py makes, so the ground truth
in samples/truth.json describes them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import SAMPLES, tree_hashes


def test_make_samples_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(tmp_path)],
                   check=True, timeout=300)
    committed = {k: v for k, v in tree_hashes(SAMPLES).items()
                 if not k.endswith((".py", ".md")) and "__pycache__" not in k}
    assert tree_hashes(tmp_path) == committed
    assert sum((SAMPLES / k).stat().st_size for k in committed) < 5 * 1024 * 1024

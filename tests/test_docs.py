"""The documentation: README stays a five-minute read whose links all lead somewhere, the site
builds offline with every warning an error (broken links and anchors included), and every
command of the app has an example recorded by scripts/capture-examples.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from digitize.devtools import docsgen

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 300, f"README has {len(lines)} lines; move detail into docs/"


def test_every_relative_link_of_the_readme_leads_to_a_file() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    local = [link.split("#")[0] for link in links if not re.match(r"[a-z]+:", link)]
    assert local, "README links into docs/"
    missing = [link for link in local if link and not (ROOT / link).exists()]
    assert missing == []


def test_every_command_has_an_example() -> None:
    commands = docsgen.app_commands()
    assert len(commands) > 25  # the walk reached the subcommands of the groups
    missing = [c.name for c in commands if not docsgen.example_path(c).is_file()]
    assert missing == [], "run `make examples` (scripts/capture-examples.py) for: " + \
        ", ".join(missing)
    stray = {p.stem for p in docsgen.EXAMPLES.glob("*.txt")} - {c.slug for c in commands}
    assert stray == set(), "examples of commands the app no longer has"


def test_every_config_key_is_described_in_the_model() -> None:
    assert docsgen.missing_descriptions() == []


def test_the_generated_pages_follow_the_code() -> None:
    pages = docsgen.generated_pages()
    run = pages["reference/cli/run.md"]
    assert "digitize run [OPTIONS] INPUTS..." in run and "`--out, -o`" in run
    assert "$ digitize run" in run  # its example, as recorded
    assert "| 130 | `EXIT_INTERRUPTED` |" in pages["reference/exit-codes.md"]
    assert "| `min_field_confidence` |" in pages["reference/config.md"]
    assert "## `tt05-document.schema.json`" in pages["reference/schemas.md"]


def test_the_site_builds_offline_without_a_warning(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                          str(tmp_path / "site")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    assert "WARNING" not in res.stderr
    built = tmp_path / "site"
    assert (built / "reference" / "cli" / "index-rebuild.html").is_file()
    assert (built / "reference" / "config.html").is_file()
    pages = list(built.rglob("*.html"))
    fetched = [p.name for p in pages if re.search(
        r"<(?:link|script)[^>]+(?:href|src)=\"https?://", p.read_text(encoding="utf-8"))]
    assert fetched == [], "a page fetches from the network"

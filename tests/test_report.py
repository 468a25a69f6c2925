"""The KPI report agrees with what the run did, and writes CSV and a chart."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from PIL import Image

from digitize.pipeline.report import failure_reason

from .conftest import Env, SampleRun


def test_failure_reasons_group_messages_without_file_names() -> None:
    a = failure_reason("/srv/scans/HS-1/a.png page 3 is damaged or truncated (image file is "
                       "truncated); scan that page again.")
    b = failure_reason("/srv/scans/HS 9/b b.png page 1 is damaged or truncated (broken data); "
                       "scan that page again.", source="/srv/scans/HS 9/b b.png")
    assert a == b == "page is damaged or truncated"
    assert failure_reason("/x/y.pdf is empty (0 bytes); scan the document again.") == "is empty"


def test_report_matches_the_run(cli_env: Env, sample_run: SampleRun, tmp_path: Path) -> None:
    res = cli_env.run("report", str(sample_run.out), "--json", "--csv", str(tmp_path / "k.csv"),
                      "--chart", str(tmp_path / "k.png"))
    assert res.returncode == 0, res.stderr
    kpi = json.loads(res.stdout)
    totals = sample_run.summary["totals"]
    total = kpi["total"]
    assert (total["dossiers"], total["documents"], total["pages"]) == (
        totals["dossiers"], totals["documents"], totals["pages"])
    assert total["share_signed"] == total["share_searchable"] == 1.0
    assert total["median_seconds_per_dossier"] > 0
    assert kpi["failures"] == {}
    assert [d["day"] for d in kpi["days"]] == [sample_run.summary["dossiers"][0]["finished"][:10]]
    with open(tmp_path / "k.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[-1]["group_by"] == "all" and int(rows[-1]["documents"]) == totals["documents"]
    assert [r["group"] for r in rows if r["group_by"] == "day"] == [d["day"] for d in kpi["days"]]
    with Image.open(tmp_path / "k.png") as chart:
        assert chart.format == "PNG" and chart.getextrema()[2][0] < 200  # bars were drawn
    since = cli_env.run("report", str(sample_run.out), "--since", "2999-01-01", "--json")
    assert json.loads(since.stdout)["total"]["dossiers"] == 0
    bad = cli_env.run("report", str(sample_run.out), "--since", "hôm qua")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr

"""The province's indicators: who and where each dossier was digitized, the received list as the
denominator (CSV and XLSX with the one-stop system's Vietnamese headers), breakdowns that sum to
the totals, charts checked as images, the self-contained HTML and the PDF/A monthly report, and
every table readable in an 80-column terminal without an identifier split across lines."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from .conftest import SAMPLES, Env, SampleRun

OPERATOR, DESK = "Nguyễn Thị Lan", "Bộ phận Một cửa xã Minh Xuân"
NOT_DIGITIZED = ("000.00.31.H49-261125-0004", "000.00.31.H49-261126-0005")


@pytest.fixture(scope="module")
def second_desk(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One more dossier, digitized at a named desk by a named clerk."""
    root = tmp_path_factory.mktemp("desk2")
    inbox = root / "in" / "000.00.31.H49-261121-0006"
    shutil.copytree(SAMPLES / "000.00.31.H49-261120-0001", inbox)
    config = root / "config.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8") +
                      f'\n[desk]\nname = "{DESK}"\n', encoding="utf-8")
    res = cli_env.run("run", str(root / "in"), "--out", str(root / "out"), "--json",
                      "--config", str(config), "--operator", OPERATOR)
    assert res.returncode == 0, res.stderr
    return root / "out"


def _received_rows(run: SampleRun) -> list[tuple[str, str, str]]:
    rows = [(d["dossier_code"], "19/11/2026", "Đăng ký khai sinh" if i == 0 else
             "Cấp giấy phép xây dựng") for i, d in enumerate(run.summary["dossiers"])]
    rows.append(("000.00.31.H49-261121-0006", "21/11/2026 08:15", "Đăng ký khai sinh"))
    return rows + [(code, "2" + code[-6:-5] + "/11/2026", "Chứng thực") for code in NOT_DIGITIZED]


def _write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["STT;Mã hồ sơ;Ngày tiếp nhận;Thủ tục"]
    lines += [f"{n};{c};{d};{p}" for n, (c, d, p) in enumerate(rows, 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")  # as Excel saves CSV
    return path


def _write_xlsx(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã hồ sơ", "Thủ tục", "Ngày tiếp nhận"])
    for code, day, proc in rows:
        sheet.append([code, proc, datetime.strptime(day[:10], "%d/%m/%Y")])  # real dates
    book.save(path)
    return path


def _report(env: Env, outs: list[Path], *args: str) -> dict:
    res = env.run("report", *map(str, outs), "--json", *args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_run_records_desk_operator_and_receipt(second_desk: Path) -> None:
    record = json.loads(next(second_desk.glob("*/dossier.json")).read_text(encoding="utf-8"))
    assert (record["desk"], record["operator"]) == (DESK, OPERATOR)
    assert record["agency_code"] == "000.00.31.H49" and record["received"] == "2026-11-21"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_shares_against_the_received_list_and_breakdowns_that_sum(
        cli_env: Env, sample_run: SampleRun, second_desk: Path, tmp_path: Path,
        kind: str) -> None:
    rows = _received_rows(sample_run)
    listed = (_write_csv if kind == "csv" else _write_xlsx)(tmp_path / f"tiep_nhan.{kind}", rows)
    # The upload journal this report reads (its own: other tests upload in the session's):
    # one of the packages was delivered, as a zip, and one delivery failed.
    sent = Path(sample_run.summary["dossiers"][0]["bundle"]).name
    journal = tmp_path / "uploads.jsonl"
    journal.write_text(json.dumps({"bundle": f"/srv/transfer/{sent}.zip", "status": "uploaded"})
                       + "\n" + json.dumps({"bundle": "/srv/transfer/uuid-" + "0" * 36 + ".zip",
                                            "status": "failed"}) + "\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8") +
                      f'\n[upload]\njournal = "{journal}"\n', encoding="utf-8")
    kpi = _report(cli_env, [sample_run.out, second_desk], "--received", str(listed),
                  "--by", "desk", "--by", "operator", "--by", "procedure", "--by", "month",
                  "--config", str(config))
    got = kpi["received"]["total"]
    assert (got["received"], got["digitized"], got["signed"]) == (6, 4, 4)
    assert got["share_digitized"] == round(4 / 6, 4)
    assert (got["uploaded"], got["share_uploaded"]) == (1, round(1 / 6, 4))
    assert got["median_days_to_digitized"] is not None and got["p90_days_to_digitized"] >= \
        got["median_days_to_digitized"]
    assert [r["dossier_code"] for r in kpi["received"]["not_digitized"]] == list(NOT_DIGITIZED)
    total = kpi["total"]
    for dim in ("desk", "operator", "procedure", "month"):
        groups = kpi["by"][dim]
        assert sum(g["dossiers"] for g in groups) == total["dossiers"] == 4, dim
        assert sum(g["documents"] for g in groups) == total["documents"], dim
    desks = {g["desk"]: g["dossiers"] for g in kpi["by"]["desk"]}
    assert desks == {DESK: 1, "unknown": 3}
    assert {g["operator"]: g["dossiers"] for g in kpi["by"]["operator"]}[OPERATOR] == 1
    by_proc = {g["procedure"]: g for g in kpi["received"]["by"]["procedure"]}
    assert by_proc["Chứng thực"]["received"] == 2 and by_proc["Chứng thực"]["digitized"] == 0
    assert by_proc["Đăng ký khai sinh"]["share_digitized"] == 1.0
    assert sum(g["received"] for g in by_proc.values()) == 6
    since = _report(cli_env, [sample_run.out, second_desk], "--received", str(listed),
                    "--since", "2026-11-25", "--until", "2026-11-30")
    assert since["received"]["total"]["received"] == 2  # received in the period, none digitized
    assert since["received"]["total"]["digitized"] == 0


def _plot_ink(png: bytes) -> tuple[tuple[int, int], float]:
    with Image.open(io.BytesIO(png)) as im:
        grey = im.convert("L")
        w, h = grey.size
        inner = grey.crop((w // 8, h // 8, w * 7 // 8, h * 7 // 8))
        dark = inner.point(lambda v: 255 if v < 200 else 0).histogram()[255]
        return (w, h), dark / (inner.width * inner.height)


def test_monthly_report_html_and_pdf_with_charts(cli_env: Env, sample_run: SampleRun,
                                                 second_desk: Path, tmp_path: Path) -> None:
    listed = _write_csv(tmp_path / "list.csv", _received_rows(sample_run))
    page, pdf = tmp_path / "bao_cao.html", tmp_path / "bao_cao.pdf"
    res = cli_env.run("report", str(sample_run.out), str(second_desk), "--received", str(listed),
                      "--html", str(page), "--pdf", str(pdf), "--chart", str(tmp_path / "c.png"))
    assert res.returncode == 0, res.stderr
    tree = lxml_html.fromstring(page.read_bytes())
    assert tree.get("lang") == "vi"  # the monthly report is filed in Vietnamese by default
    sources = [img.get("src") for img in tree.iter("img")]
    assert len(sources) == 3 and all(s.startswith("data:image/png;base64,") for s in sources)
    links = [v for el in tree.iter() for k, v in el.attrib.items() if k in ("src", "href")]
    assert not [v for v in links if re.match(r"(https?:)?//", v)]  # nothing from outside
    assert "<link" not in page.read_text(encoding="utf-8") and "<script" not in \
        page.read_text(encoding="utf-8")
    for src in sources:  # each chart: a real picture with a drawn plot area
        size, ink = _plot_ink(base64.b64decode(src.split(",", 1)[1]))
        assert size[0] >= 600 and size[1] >= 250 and ink > 0.01, (size, ink)
    text = " ".join(tree.text_content().split())
    assert "66.7%" in text and NOT_DIGITIZED[0] in text
    subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
    pdf_text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                       text=True, check=True).stdout.split())
    assert "66.7%" in pdf_text and NOT_DIGITIZED[1] in pdf_text
    assert "pdfaid:part" in pdf.read_bytes().decode("latin-1")
    size, ink = _plot_ink((tmp_path / "c.png").read_bytes())
    assert size[0] >= 600 and ink > 0.01


def _whole_on_a_line(output: str, identifiers: list[str]) -> list[str]:
    lines = output.splitlines()
    return [i for i in identifiers if i and not any(i in line for line in lines)]


def test_tables_at_80_columns_never_split_an_identifier(cli_env: Env, sample_run: SampleRun,
                                                        second_desk: Path,
                                                        tmp_path: Path) -> None:
    narrow = {"COLUMNS": "80"}
    dossiers = sample_run.summary["dossiers"]
    names = [Path(doc["source"]).name for d in dossiers for doc in d["documents"]]
    codes = [d["dossier_code"] for d in dossiers]
    # run (a fresh one, printed as a person sees it)
    inbox = tmp_path / "in" / "000.00.31.H49-261120-0003"
    shutil.copytree(SAMPLES / "000.00.31.H49-261120-0003", inbox)
    run = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                      extra=narrow, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    package = next((tmp_path / "out").glob("*/uuid-*")).name
    missing = _whole_on_a_line(run.stdout, [inbox.name, package, *[p.name for p in
                                                                  inbox.iterdir()]])
    assert not missing, (missing, run.stdout)
    assert max(len(line) for line in run.stdout.splitlines() if "uuid-" not in line) <= 80
    # verify
    pkg = next(sample_run.out.glob(f"{codes[1]}/uuid-*"))
    check = cli_env.run("verify", str(pkg), "--offline", "--no-eark", "--trust",
                        str(cli_env.ca_cert), extra=narrow)
    pdfs = [p.name for p in (pkg / "representations" / "rep1" / "data").glob("*.pdf")]
    times = re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", check.stdout)
    assert times and not _whole_on_a_line(check.stdout, [pkg.name, *pdfs]), check.stdout
    # find
    found = cli_env.run("find", "UBND", extra=narrow)
    assert found.returncode == 0, found.stderr
    assert not _whole_on_a_line(found.stdout, [c for c in codes if c in found.stdout.replace(
        "\n", "")]), found.stdout
    # report
    shown = cli_env.run("report", str(sample_run.out), str(second_desk), "--by", "desk",
                        "--by", "day", extra=narrow)
    assert not _whole_on_a_line(shown.stdout, [DESK, dossiers[0]["finished"][:10]]), shown.stdout
    assert all(len(line) <= 80 for line in shown.stdout.splitlines() if DESK not in line)
    assert names  # the sample run's documents, for the record

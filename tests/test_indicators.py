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


# ------------------------------------------------ QĐ 766's digitization indicators (--indicators)
LAND, EXTRACT = "2.000004", "1.000003"
A1, A2, A3, B1, B2, N1, N2 = (f"000.00.31.H49-2612{d:02d}-000{n}" for n, d in
                              enumerate((1, 2, 3, 5, 6, 10, 15), 1))
NOVEMBER = "000.00.31.H49-261130-0009"
DESK_A, CLERK_A = "Bộ phận Một cửa xã Tịnh Khê", "Nguyễn Thị Lan"
DESK_B, CLERK_B = "Bộ phận Một cửa phường Nghĩa Lộ", "Trần Văn Hùng"


def _month(root: Path, env: Env) -> tuple[Path, Path, Path, Path]:
    """A month at two desks, through the real commands: the received list (with one dossier of
    the month before), runs, results added, a component reused from an earlier result, one
    taken from the national data store; two dossiers received and never digitized."""
    from samples.make_procedures import write

    from .borndigital import born_digital_pdf
    from .test_procedures import HEAD, PAGES
    from .test_results import CERTIFICATE

    pages = {**PAGES, "don_trich_luc.pdf": (HEAD, (90, 700, 14, "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO "
                                                              "TRÍCH LỤC HỘ TỊCH"),
                                            (60, 600, 12, "Người yêu cầu: Lê Thị Mai"))}
    files = {A1: ("don.pdf", "gcn.pdf", "cccd.pdf"), A2: ("don.pdf", "cccd.pdf"),
             A3: ("don_trich_luc.pdf",), B1: ("hon_nhan.pdf",),
             B2: ("don_trich_luc.pdf", "cccd.pdf")}
    for code, names in files.items():
        for name in names:
            born_digital_pdf(root / ("in-a" if code in (A1, A2, A3) else "in-b") / code / name,
                             pages[name])
    # The clerk took A1's ID card from the citizen's data store on the national portal.
    (root / "in-a" / A1 / "digitize-overrides.toml").write_text(
        f'operator = "{CLERK_A}"\n[documents."cccd.pdf"]\nfrom_national_store = "có"\n',
        encoding="utf-8")
    listed = root / "tiep_nhan.csv"
    listed.write_text("Mã hồ sơ;Ngày tiếp nhận;Mã TTHC\n" + "".join(
        f"{code};{code[18:20]}/12/2026;{proc}\n" for code, proc in (
            (A1, LAND), (A2, LAND), (A3, EXTRACT), (B1, LAND), (B2, EXTRACT), (N1, LAND),
            (N2, "Cấp bản sao trích lục hộ tịch"))) + f"{NOVEMBER};30/11/2026;{LAND}\n",
        encoding="utf-8-sig")
    base = Path(env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
    configs = {}
    for desk, name in (("a", DESK_A), ("b", DESK_B)):
        configs[desk] = root / f"config-{desk}.toml"
        configs[desk].write_text(base + f'\n[desk]\nname = "{name}"\n[procedures]\nfile = '
                                 f'"{root / "catalogue.json"}"\n[index]\npath = '
                                 f'"{root / "index.sqlite"}"\n', encoding="utf-8")
    assert env.run("procedures", "import", str(write(root / "tthc.csv")), "--config",
                   str(configs["a"])).returncode == 0
    for desk, clerk in (("a", CLERK_A), ("b", CLERK_B)):
        res = env.run("run", str(root / f"in-{desk}"), "--out", str(root / f"out-{desk}"),
                      "--config", str(configs[desk]), "--received", str(listed),
                      "--operator", clerk)
        assert res.returncode == 0, res.stderr
    certificate = born_digital_pdf(root / "ket_qua" / "gcn.pdf", CERTIFICATE)
    extract = born_digital_pdf(root / "ket_qua" / "trich_luc.pdf", (
        HEAD, (150, 700, 16, "TRÍCH LỤC KHAI SINH\n(BẢN SAO)")))
    for dossier, desk, source, code in ((A1, "a", certificate, ""), (A3, "a", extract,
                                        "KQ.HT.000002"), (B1, "b", certificate, "")):
        res = env.run("result", "add", str(source), "--dossier", dossier, "--out",
                      str(root / f"out-{desk}"), "--config", str(configs[desk]),
                      *(["--code", code] if code else []))
        assert res.returncode == 0, res.stderr
    # A2 lacks its land-use certificate: the one A1's result is, reused from the index.
    issued = json.loads((root / "out-a" / A1 / "dossier.json").read_text(encoding="utf-8"))
    res = env.run("reuse", issued["results"][0]["pdf"], "--into", str(root / "out-a" / A2),
                  "--config", str(configs["a"]), "--json")
    assert res.returncode == 0, res.stderr
    return root / "out-a", root / "out-b", listed, configs["a"]


@pytest.mark.slow
def test_indicators_of_a_generated_month_match_the_hand_count(cli_env: Env,
                                                              tmp_path: Path) -> None:
    out_a, out_b, listed, config = _month(tmp_path, cli_env)
    reused = json.loads((out_a / A2 / "dossier.json").read_text(encoding="utf-8"))
    taken = [d for d in reused["documents"] if d.get("reused_from")]
    assert len(taken) == 1 and taken[0]["reused_dossier"] == A1
    assert taken[0]["metadata"]["component_code"] == "DD02"
    assert reused["missing_components"] == []  # the reused result filled the gap
    described = [p.read_text(encoding="utf-8") for p in (Path(reused["bundle"]) /
                 "representations" / "rep1" / "metadata" / "descriptive").glob("*.xml")]
    assert any(f"Tái sử dụng từ hồ sơ {A1}" in text for text in described)

    csv_file, page = tmp_path / "chi_so.csv", tmp_path / "chi_so.html"
    res = cli_env.run("report", str(out_a), str(out_b), "--received", str(listed), "--json",
                      "--indicators", "--since", "2026-12-01", "--until", "2026-12-31",
                      "--by", "day", "--by", "month", "--by", "desk", "--by", "operator",
                      "--by", "procedure", "--csv", str(csv_file), "--html", str(page),
                      "--config", str(config))  # its catalogue names the procedures
    assert res.returncode == 0, res.stderr
    found = json.loads(res.stdout)["indicators"]

    def counts(row: dict) -> tuple[int, ...]:
        return (row["received"], row["components_digitized"], row["results_digitized"],
                row["both_digitized"], row["reused"], row["national"])

    # By hand: received A1 A2 A3 B1 B2 N1 N2 (the November dossier is outside the period).
    # Components: A1 A2 A3 B2 (B1's one document is no component of its procedure).
    # Results: A1 A3 B1. Both: A1 A3. Reused: A2. National store: A1.
    assert counts(found["total"]) == (7, 4, 3, 2, 1, 1)
    assert found["total"]["share_both"] == round(2 / 7, 4) and found["target"] == 0.8
    assert found["total"]["full_marks"] is False
    by = {dim: {g[dim]: counts(g) for g in groups} for dim, groups in found["by"].items()}
    assert by["desk"] == {DESK_A: (3, 3, 2, 2, 1, 1), DESK_B: (2, 1, 1, 0, 0, 0),
                          "unknown": (2, 0, 0, 0, 0, 0)}
    assert by["operator"] == {CLERK_A: (3, 3, 2, 2, 1, 1), CLERK_B: (2, 1, 1, 0, 0, 0),
                              "unknown": (2, 0, 0, 0, 0, 0)}
    assert by["procedure"] == {LAND: (4, 2, 2, 1, 1, 1), EXTRACT: (3, 2, 1, 1, 0, 0)}
    assert by["month"] == {"2026-12": (7, 4, 3, 2, 1, 1)}
    days = {g["day"]: g for g in found["by"]["day"]}
    assert days["2026-12-01"]["full_marks"] is True and days["2026-12-02"]["share_both"] == 0
    for dim, groups in by.items():  # every breakdown sums to the total
        assert tuple(map(sum, zip(*groups.values(), strict=True))) == counts(found["total"]), dim

    rows = [r for r in csv_file.read_text(encoding="utf-8").splitlines()
            if r.startswith("indicators")]
    assert len(rows) == 1 + sum(len(g) for g in by.values())
    tree = lxml_html.fromstring(page.read_bytes())
    text = " ".join(tree.text_content().split())
    assert "QĐ 766/QĐ-TTg" in text and "28.6%" in text  # 2 of 7, both digitized
    shown = cli_env.run("report", str(out_a), str(out_b), "--received", str(listed),
                        "--indicators", "--since", "2026-12-01", "--config", str(config))
    assert shown.returncode == 0 and "QĐ 766" in shown.stdout and "57%" in shown.stdout

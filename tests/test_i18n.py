"""The interface in Vietnamese and English: both catalogues hold every message the code shows,
and the language follows --ui-lang, the config and the locale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import html

from digitize.i18n import LANGS, catalogue_path
from digitize.i18n.extract import extract
from tests.conftest import Env, SampleRun

PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _catalogue(lang: str) -> dict[str, str]:
    with open(catalogue_path(lang), "rb") as fh:
        cat = read_po(fh)
    return {str(m.id): str(m.string) for m in cat if m.id and not m.fuzzy}


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_key_is_in_both_catalogues(lang: str) -> None:
    found = extract()
    assert len(found) > 300  # the extraction sees the whole CLI, not a corner of it
    catalogue = _catalogue(lang)
    missing = sorted(set(found) - set(catalogue))
    stale = sorted(set(catalogue) - set(found))
    assert not missing, f"{lang}: not in the catalogue (run scripts/update-catalogues.py): " \
                        f"{missing[:5]}"
    assert not stale, f"{lang}: in the catalogue but no longer used: {stale[:5]}"
    untranslated = [k for k, v in catalogue.items() if not v.strip()]
    assert not untranslated, f"{lang}: empty translations: {untranslated[:5]}"
    for msgid, text in catalogue.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(text)), msgid
        assert msgid.count("[/]") == text.count("[/]"), msgid


def test_the_vietnamese_catalogue_is_vietnamese() -> None:
    vi, en = _catalogue("vi"), _catalogue("en")
    assert en == {k: k for k in en}
    same = [k for k, v in vi.items() if v == k and re.search(r"[a-z]{4,}", k)]
    assert len(same) < 10, same  # a few are names (PDF, pdfsig …); prose must be translated
    assert vi["Options"] == "Tùy chọn" and vi["Usage:"] == "Cách dùng:"


def test_language_from_option_locale_and_config(cli_env: Env, tmp_path: Path) -> None:
    vi = cli_env.run("--ui-lang", "vi", "find", "--help")
    assert "Tìm tài liệu đã số hóa" in vi.stdout and "Tùy chọn" in vi.stdout
    en = cli_env.run("find", "--help", extra={"LANG": "en_US.UTF-8", "LC_ALL": ""})
    assert "Find documents already digitized" in en.stdout and "Options" in en.stdout
    by_locale = cli_env.run("find", "--from", "yesterday",
                            extra={"LANG": "vi_VN.UTF-8", "LC_ALL": ""})
    assert by_locale.returncode == 2 and "không phải ngày" in by_locale.stderr
    config = tmp_path / "vi.toml"
    config.write_text('[ui]\nlang = "vi"\n', encoding="utf-8")
    by_config = cli_env.run("find", "--from", "yesterday", "--config", str(config),
                            extra={"LANG": "en_US.UTF-8", "LC_ALL": ""})
    assert "không phải ngày" in by_config.stderr
    wrong = cli_env.run("--ui-lang", "fr", "doctor")
    assert wrong.returncode == 2 and "vi or en" in wrong.stderr


def test_report_and_tables_in_vietnamese(sample_run: SampleRun, cli_env: Env,
                                         tmp_path: Path) -> None:
    pdf = next(Path(d["pdf"]) for dossier in sample_run.summary["dossiers"]
               for d in dossier["documents"])
    target = tmp_path / "bao-cao.html"
    res = cli_env.run("--ui-lang", "vi", "verify", str(pdf), "--trust", str(cli_env.ca_cert),
                      "--offline", "--report", str(target))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Người ký" in res.stdout and "hợp lệ" in res.stdout and "Chính sách" in res.stdout
    doc = html.fromstring(target.read_bytes())
    text = doc.text_content()
    assert doc.get("lang") == "vi"
    assert "Báo cáo kiểm tra chữ ký số" in text and "HỢP LỆ" in text and "Toàn vẹn" in text
    english = cli_env.run("verify", str(pdf), "--trust", str(cli_env.ca_cert), "--offline",
                          "--report", str(tmp_path / "report.html"),
                          extra={"LANG": "C.UTF-8", "LC_ALL": ""})
    assert "Signature verification report" in (tmp_path / "report.html").read_text()
    assert "Signer" in english.stdout

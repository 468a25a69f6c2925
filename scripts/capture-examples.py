"""Run every command of `digitize` for real on samples/ and store what it printed, for the
documentation: docs/examples/<command>.txt, which the command's reference page shows.

    .venv/bin/python scripts/capture-examples.py [--only run,verify]     (make examples)

Everything happens in a temporary folder, with a data folder and a config of its own (the demo
signing identity, as `make demo` signs; the local test PKI where a time-stamping server is
needed): the developer's own folders are never touched. Temporary paths are written as the
relative paths a clerk would type, and time stamps the regular expression finds as one fixed
time, so that capturing again changes only what the commands now print differently. It OCRs
the samples several times: minutes on two cores. tests/test_docs.py fails when a command has
no example.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digitize.devtools.docsgen import EXAMPLES, app_commands  # noqa: E402
from tests.conftest import DIGITIZE, SAMPLES, Env, make_cli_env  # noqa: E402

DOSSIER = "000.00.31.H49-261120-0003"  # a sample dossier; its documents are signed in `run`
SCANNED = "000.00.31.H49-261123-0007"  # the dossier `scan` makes with SANE's test device
TIME = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
FIXED_TIME = "2026-12-05T09:30:00+07:00"
COLUMNS = "100"


class Capture:
    """Runs commands in `work` and keeps, per command, the lines a reader sees."""

    def __init__(self, env: Env, work: Path) -> None:
        self.env, self.work = env, work
        self.env.vars["COLUMNS"] = COLUMNS
        self.env.vars["DIGITIZE_UI_LANG"] = "en"
        self.texts: dict[str, list[str]] = {}

    def normalise(self, text: str) -> str:
        for folder, shown in ((self.work, "."), (self.env.home, "~")):
            text = text.replace(f"{folder}/", "" if shown == "." else "~/")
            text = text.replace(str(folder), shown)
        return TIME.sub(FIXED_TIME, text)

    def record(self, slug: str, args: Sequence[str], output: str, code: int) -> None:
        shown = " ".join(_quote(a) for a in args)
        lines = self.texts.setdefault(slug, [])
        lines.append(f"$ digitize {self.normalise(shown)}")
        lines += [line.rstrip() for line in self.normalise(output).rstrip("\n").splitlines()]
        if code:
            lines.append(f"(exit code {code})")

    def run(self, slug: str | None, *args: str, input_text: str | None = None,
            extra: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> str:
        """Run `digitize ARGS`; record it under `slug` (None: a step not shown)."""
        res = self.env.run(*args, input_text=input_text, extra=extra, cwd=self.work)
        if res.returncode not in ok:
            raise SystemExit(f"digitize {' '.join(args)} exited {res.returncode}:\n"
                             f"{res.stdout}\n{res.stderr}")
        if slug:
            self.record(slug, args, res.stderr + res.stdout, res.returncode)
        return res.stdout

    def background(self, slug: str, args: Sequence[str], until: Path) -> None:
        """Start a command that runs until stopped, wait until `until` exists, stop it as
        Ctrl-C does and record what it printed."""
        proc = subprocess.Popen([DIGITIZE, *args], cwd=self.work, env=self.env.vars, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and proc.poll() is None and not until.exists():
            time.sleep(0.5)
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=120)
        self.record(slug, args, output + "(Ctrl-C)\n", proc.returncode)

    def write(self, only: set[str] | None) -> None:
        EXAMPLES.mkdir(parents=True, exist_ok=True)
        for slug, lines in self.texts.items():
            if only is None or slug in only:
                (EXAMPLES / f"{slug}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _quote(arg: str) -> str:
    return f"'{arg}'" if not arg or re.search(r"[\s'\"$]", arg) else arg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stack(target: Path) -> Path:
    """A scanned stack: a sample page, a separator sheet, two sample pages (a TIFF)."""
    from PIL import Image

    from digitize.scan.separator import separator_sheet

    page = Image.open(SAMPLES / "000.00.31.H49-261120-0001" / "01_to_khai.png").convert("RGB")
    other = Image.open(SAMPLES / "000.00.31.H49-261120-0002" / "thong_bao.png").convert("RGB")
    sheet = separator_sheet().convert("RGB").resize(page.size)
    frames = [page, sheet, other]
    frames[0].save(target, save_all=True, append_images=frames[1:], dpi=(200, 200))
    return target


def capture(c: Capture) -> None:
    """Every command, in the order a desk meets them."""
    w = c.work
    shutil.copytree(SAMPLES / DOSSIER, w / "scans" / DOSSIER)
    shutil.copy(SAMPLES / "procedures.csv", w / "procedures.csv")
    (w / "desk.toml").write_text(
        'agency_name = "ỦY BAN NHÂN DÂN XÃ MINH XUÂN"\nagency_code = "000.00.31.H49"\n'
        'archive_code = "H49.64.33"\nsigner = "demo"\nout = "out"\n', encoding="utf-8")
    c.run("init", "init", "--from", "desk.toml", "--config", "new-config.toml")
    c.run("doctor", "doctor", ok=(0, 4))
    c.run("procedures-import", "procedures", "import", "procedures.csv")
    c.run("procedures-list", "procedures", "list")
    code = next(line.split(",")[1] for line in
                (w / "procedures.csv").read_text(encoding="utf-8-sig").splitlines()[1:])
    c.run("procedures-show", "procedures", "show", code)

    c.run("scan", "scan", "--device", "test:0", "--source", "flatbed", "--pages", "2",
          "--dossier", SCANNED, "--inbox", "scans")
    c.run("separator", "separator", "--out", "separator.pdf")
    _stack(w / "stack.tif")
    c.run("split", "split", "stack.tif", "--out", "split/000.00.31.H49-261123-0008")

    c.run("run", "run", "scans", "--out", "out", ok=(0, 1))
    c.run("ocr", "ocr", f"scans/{DOSSIER}/scan_0001.jpg", "--out", "ocr")
    c.run("extract", "extract", "ocr/scan_0001.pdf")
    answers = "Giấy mời\n12\nGM-UBND\n23/11/2026\nỦY BAN NHÂN DÂN XÃ MINH XUÂN\n" \
              "Họp giao ban công tác số hóa hồ sơ\n" + "\n" * 20
    c.run("review", "review", f"out/{SCANNED}", "--operator", "Nguyễn Văn An",
          input_text=answers, ok=(0, 1))
    c.run("result-add", "result", "add", f"scans/{DOSSIER}/scan_0002.pdf", "--dossier",
          DOSSIER, "--out", "out", ok=(0, 1))

    c.run("sign", "sign", "ocr/scan_0001.pdf", "--out", "signed")
    ca = str(c.env.ca_cert)
    c.run("verify", "verify", "out", "--trust", ca, ok=(0, 1))
    c.run("trust-list", "trust", "list")
    c.run("trust-add", "trust", "add", ca)

    from digitize.devtools.testpki import PASSWORD, start_test_pki

    with start_test_pki(w / "pki") as pki:
        secret = {"DIGITIZE_SECRET": PASSWORD}
        c.run("sign", "sign", "ocr/scan_0001.pdf", "--out", "signed-lt", "--level", "B-LT",
              "--p12", str(pki.signer("signer").p12), "--tsa", pki.tsa_url, extra=secret)
        (w / "root.pem").write_bytes(Path(pki.root_pem).read_bytes())
        c.run("renew", "renew", "signed-lt/scan_0001.pdf", "--tsa", pki.tsa_url, "--trust",
              "root.pem", "--out", "renewed")

    package = next(p for p in (w / "out" / DOSSIER).glob("uuid-*") if p.is_dir())
    c.run("bundle", "bundle", str(package.relative_to(w)), "--out", "transfer", "--zip")
    bundle = next((w / "transfer").glob("*.zip"))
    (w / "archive").mkdir()
    c.run("upload", "upload", str(bundle.relative_to(w)), "--to", "archive")
    c.run("report", "report", "out")
    c.run("schema-export", "schema", "export", "--out", "schemas")
    c.run("schema-legacy", "schema", "legacy", str(package.relative_to(w)))

    c.run("find", "find", "giao ban so hoa", ok=(0, 1))
    found = json.loads(c.run(None, "find", "--dossier", DOSSIER, "--json"))
    c.run("reuse", "reuse", str(found[0]["id"]), "--into", f"out/{SCANNED}", ok=(0, 1))
    c.run("forget", "forget", "--id-number", "008190012345")
    c.run("index-rebuild", "index", "rebuild", "out")
    c.run("index-sync", "index", "sync", ok=(0, 4))

    shutil.copytree(SAMPLES / DOSSIER, w / "inbox" / DOSSIER)
    c.background("watch", ["watch", "inbox", "--out", "watched", "--settle", "2",
                           "--interval", "1"], until=w / "watched" / DOSSIER / "dossier.json")

    c.run("serve", "serve", "--set-password", input_text="mật-khẩu-bàn-1\nmật-khẩu-bàn-1\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([DIGITIZE, "serve", "out", "--port", str(port)], cwd=w,
                            env=c.env.vars, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    status = "no answer"
    for _ in range(120):
        try:
            with urllib.request.urlopen(url + "login", timeout=2) as answer:
                status = f"{answer.status} {answer.reason}"
            break
        except OSError:
            time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, _err = proc.communicate(timeout=60)
    c.record("serve", ["serve", "out", "--port", str(port)],
             out + f"(a browser opened {url}login: {status}; then Ctrl-C)\n", proc.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated example names to write (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    # The command runs from this checkout, wherever the console script was installed from.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                             os.environ.get("PYTHONPATH")]))
    tmp = Path(tempfile.mkdtemp(prefix="digitize-examples-"))
    try:
        work = tmp / "desk"
        work.mkdir()
        c = Capture(make_cli_env(tmp / "home"), work)
        capture(c)
        c.write(only)
        missing = [d.slug for d in app_commands() if not (EXAMPLES / f"{d.slug}.txt").is_file()]
        print(f"{len(c.texts)} examples written to {EXAMPLES}"
              + (f"; still without one: {', '.join(missing)}" if missing else ""))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

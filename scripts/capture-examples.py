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
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digitize.devtools.docsgen import EXAMPLES, app_commands  # noqa: E402
from tests.conftest import DIGITIZE, SAMPLES, Env, make_cli_env  # noqa: E402
from tests.servers import free_port  # noqa: E402

DOSSIER = "000.00.31.H49-261120-0003"  # a sample dossier; its documents are signed in `run`
SCANNED = "000.00.31.H49-261123-0007"  # the dossier `scan` makes with SANE's test device
OCR_PDF = f"ocr/{DOSSIER}/scan_0001.pdf"  # what `ocr` makes of the first scan
TIME = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
FIXED_TIME = "2026-12-05T09:30:00+07:00"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PROGRESS = re.compile(r"^\S+ ━.*$\n?", re.MULTILINE)  # a progress bar: transient on a terminal
COLUMNS = 100
MAX_LINES = 60  # a longer output shows its first lines and how many more there were


class Capture:
    """Runs commands in `work` and keeps, per command, the lines a reader sees."""

    def __init__(self, env: Env, work: Path) -> None:
        self.env, self.work = env, work
        self.env.vars["COLUMNS"] = str(COLUMNS)
        self.env.vars["DIGITIZE_UI_LANG"] = "en"
        if os.environ.get("DIGITIZE_EARK_PYTHON"):  # E-ARK's validator, where it is not found
            self.env.vars["DIGITIZE_EARK_PYTHON"] = os.environ["DIGITIZE_EARK_PYTHON"]
        self.texts: dict[str, list[str]] = {}
        self.failed: list[str] = []

    def normalise(self, text: str) -> str:
        # The desk's folder as `.`, the data folder's home as `~`, the virtualenv as `.venv`
        # and the checkout as the folder the commands run from.
        for folder, shown in ((self.work, "."), (self.env.home, "~"), (Path(sys.prefix), ".venv"),
                              (ROOT, ".")):
            text = text.replace(f"{folder}/", "" if shown == "." else f"{shown}/")
            text = text.replace(str(folder), shown)
        text = PROGRESS.sub("", ANSI.sub("", text.replace("\r\n", "\n")))
        return TIME.sub(FIXED_TIME, text)

    def record(self, slug: str, args: Sequence[str], output: str, code: int) -> None:
        shown = " ".join(_quote(a) for a in args)
        lines = self.texts.setdefault(slug, [])
        lines.append(f"$ digitize {self.normalise(shown)}")
        printed = [line.rstrip() for line in self.normalise(output).rstrip("\n").splitlines()]
        if len(printed) > MAX_LINES:
            printed = [*printed[:MAX_LINES], f"… ({len(printed) - MAX_LINES} more lines)"]
        lines += printed
        if code:
            lines.append(f"(exit code {code})")

    def run(self, slug: str | None, *args: str, extra: dict[str, str] | None = None,
            ok: tuple[int, ...] = (0,), answer: Callable[[str], str] | None = None) -> str:
        """Run `digitize ARGS` and record it under `slug` as a clerk's terminal shows it;
        `slug` None: a step not shown, whose stdout (JSON) is returned."""
        if slug is None:
            res = self.env.run(*args, extra=extra, cwd=self.work)
            if res.returncode not in ok:
                self.failed.append(f"digitize {' '.join(args)} exited {res.returncode}")
            return res.stdout
        code, output = self.run_tty(args, extra or {}, answer)
        if code not in ok:  # recorded all the same; the run goes on and says so at the end
            self.failed.append(f"digitize {' '.join(args)} exited {code}: {output[-500:]}")
        self.record(slug, args, output, code)
        return output

    def run_tty(self, args: Sequence[str], extra: dict[str, str],
                answer: Callable[[str], str] | None) -> tuple[int, str]:
        """Run `digitize ARGS` on a terminal of its own, as a clerk does; when it waits at a
        prompt, type what `answer` gives for the screen so far. Returns the exit code and the
        screen."""
        import fcntl
        import select
        import struct
        import termios

        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, COLUMNS, 0, 0))
        env = {**self.env.vars, **extra, "NO_COLOR": "1", "TERM": "dumb"}
        proc = subprocess.Popen([DIGITIZE, *args], cwd=self.work, env=env, stdin=slave,
                                stdout=slave, stderr=slave, close_fds=True, start_new_session=True)
        os.close(slave)
        chunks: list[bytes] = []
        while True:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the command closed its terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
            elif answer and chunks and not chunks[-1].endswith(b"\n"):
                screen = b"".join(chunks).decode("utf-8", "replace")
                os.write(master, (answer(screen) + "\n").encode())
        code = proc.wait(timeout=600)
        os.close(master)
        screen = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
        return code, "\n".join(line.split("\r")[-1] for line in screen.split("\n"))

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


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


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
    c.run("extract", "extract", OCR_PDF)
    answers = {"doc_type_name": "Giấy mời", "number": "12", "symbol": "GM-UBND",
               "issued_date": "23/11/2026", "place": "Minh Xuân",
               "issuer": "ỦY BAN NHÂN DÂN XÃ MINH XUÂN",
               "subject": "Họp giao ban công tác số hóa hồ sơ"}

    def correct(screen: str) -> str:
        """The clerk's answer to the field the screen asks about last (Enter: keep it)."""
        field = screen.rsplit(" · ", 1)[-1].split("\n", 1)[0].strip()
        return answers.get(field, "")

    c.run("review", "review", f"out/{SCANNED}", "--operator", "Nguyễn Văn An", answer=correct,
          ok=(0, 1))
    c.run("result-add", "result", "add", f"scans/{DOSSIER}/scan_0002.pdf", "--dossier",
          DOSSIER, "--out", "out", ok=(0, 1))

    c.run("sign", "sign", OCR_PDF, "--out", "signed")
    ca = str(c.env.ca_cert)
    c.run("verify", "verify", "out", "--trust", ca, ok=(0, 1))
    c.run("trust-list", "trust", "list")
    c.run("trust-add", "trust", "add", ca)

    from digitize.devtools.testpki import PASSWORD, start_test_pki

    with start_test_pki(w / "pki") as pki:
        secret = {"DIGITIZE_SECRET": PASSWORD}
        c.run("sign", "sign", OCR_PDF, "--out", "signed-lt", "--level", "B-LT",
              "--p12", str(pki.signer("signer").p12), "--tsa", pki.tsa_url, extra=secret)
        (w / "root.pem").write_bytes(Path(pki.root_pem).read_bytes())
        # The test PKI answers on 127.0.0.1, where verification fetches only when allowed.
        (w / "archive.toml").write_text(
            Path(c.env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
            + "\n[verify]\nallow_private_fetch = true\n", encoding="utf-8")
        c.run("renew", "renew", "signed-lt/scan_0001.pdf", "--tsa", pki.tsa_url, "--trust",
              "root.pem", "--out", "renewed", "--config", "archive.toml")

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
    from tests.servers import running_postgres

    with running_postgres() as pg:
        (w / "shared.toml").write_text(
            (Path(c.env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
             + f'\n[index]\nurl = "{pg.new_database("province")}"\n'), encoding="utf-8")
        shared = {"DIGITIZE_INDEX_PASSWORD": pg.password}
        c.run("index-rebuild", "index", "rebuild", "out", "--config", "shared.toml", extra=shared)
        c.run("index-sync", "index", "sync", "--config", "shared.toml", extra=shared)

    shutil.copytree(SAMPLES / DOSSIER, w / "inbox" / DOSSIER)
    c.background("watch", ["watch", "inbox", "--out", "watched", "--settle", "2",
                           "--interval", "1"], until=w / "watched" / DOSSIER / "dossier.json")

    c.run("serve", "serve", "--set-password", answer=lambda screen: "mật-khẩu-bàn-1")
    port = 8470 if _port_free(8470) else free_port()
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
        for failure in c.failed:
            print("unexpected exit code:", failure, file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

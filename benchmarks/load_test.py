"""Load test of the desk's web server: simulated clerks on the real `digitize serve`.

The server runs as `serve` runs it (uvicorn, 127.0.0.1, a free port) with a password set, over
an output folder holding the three sample dossiers, processed with a strict review threshold
(29 fields to review). Each clerk logs in from an address of its own (127.0.0.10, .11, ...:
its own session and CSRF token, taken from the page that holds the form, as a browser does),
then loops until the time is up, waiting --think seconds (0.5x to 1.5x, at random) between
actions: browse (the dossier list, a dossier, a document, its page images), review (the review
page, a field's page image, a correction saved: each a distinct value, recorded, then the job
page), find (a word search), verify (the verify page, a signed PDF of the desk dropped on it:
the verdict must be "valid") and, now and then, intake (a new dossier of one or two small
sample scans, then its job page), chosen at random in the proportions 50:25:10:10:3. Clerk
k's first action is the (k mod 5)-th of these, so that a short run does each at least once.

A correction goes to a field of the review queue; each field belongs to one clerk while there
are enough for all (else clerks share one, one save at a time). When the time is up the test
waits for every job the clerks started (intakes and the re-runs after review) and then reads
the desk's files: the last value saved for each field must be in the dossier's override file
and in its record (dossier.json) after the re-run, and each intake's dossier must exist.

Printed: per request kind the count, p50, p95 and max seconds and the failures (any status
outside 2xx/3xx, an exception, a wrong verdict); the jobs; lost corrections and intakes. Exit
1 when anything failed or was lost.

Run: .venv/bin/python benchmarks/load_test.py [--clerks 20] [--seconds 300] [--think 2]
     [--seed 1] [--drain 900] [--work DIR]

tests/test_load.py runs 20 clerks for 20 s in CI.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from digitize.extract.overrides import OVERRIDES_DIR, load_overrides, normalise  # noqa: E402
from digitize.model import read_dossier  # noqa: E402
from digitize.web.auth import set_password  # noqa: E402
from tests.conftest import DIGITIZE, SAMPLES, Env, make_cli_env  # noqa: E402
from tests.desk import Desk, prepare_desk  # noqa: E402
from tests.servers import serving_desk  # noqa: E402
from tests.webclient import Answer, Clerk, csrf_in  # noqa: E402

PASSWORD = "mật khẩu bàn một cửa"
DOSSIERS = ("000.00.31.H49-261120-0001", "000.00.31.H49-261120-0002",
            "000.00.31.H49-261120-0003")
SMALL_SCANS = tuple(SAMPLES / name for name in (
    "000.00.31.H49-261120-0002/cong_van.tif", "000.00.31.H49-261120-0002/thong_bao.png",
    "000.00.31.H49-261120-0001/01_to_khai.png"))
WORDS = ("quyết định", "xây dựng", "đề nghị", "thông báo", "Minh Xuân")
INTAKE_DAY = "261205"  # the intakes' dossier codes: 000.00.31.H49-261205-0001, ...
PAGES = ("dossiers", "dossier", "document", "review", "find", "intake page", "verify page",
         "job")  # the HTML pages, for the "pages" line


@dataclass
class Slot:
    """A field of the review queue, and the values saved into it, in order."""

    out: int
    dossier: str
    n: int
    field: str
    image: str  # its page image with the field's box, as the review page shows it
    source: str = ""  # its document's input file name (the override file's key)
    saved: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Load:
    """What the clerks did: the time of every request by kind, the failures, the jobs they
    started, the dossier codes taken in."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    jobs: set[str] = field(default_factory=set)  # "/jobs/N"
    intakes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, kind: str, do: Callable[[], Answer], expect: tuple[int, ...] = (),
             path: str = "") -> Answer | None:
        """One request (to `path`, for the failure's message), timed; a failure when it raises
        or its status is not 2xx/3xx (or not one of `expect`)."""
        try:
            got = do()
        except Exception as exc:  # every exception of a request is a failed request
            self.fail(kind, f"{path} {type(exc).__name__}: {exc}")
            return None
        with self.lock:
            self.times[kind].append(got.seconds)
        if not 200 <= got.status < 400 or (expect and got.status not in expect):
            main = re.search(r"<main>(.*?)</main>", got.text, re.S)
            said = re.sub(r"<[^>]+>|\s+", " ", main[1] if main else got.text).strip()
            self.fail(kind, f"{path} status {got.status}: {said[:300]}")
            return None
        return got

    def fail(self, kind: str, why: str) -> None:
        with self.lock:
            self.failures.append(f"{kind}: {why}")

    def job(self, clerk: Clerk, kind: str, answer: Answer | None) -> None:
        """After a form that starts a job: the browser follows the redirect to its page."""
        if answer is None:
            return
        location = answer.headers.get("location", "")
        if not re.fullmatch(r"/jobs/\d+", location):
            self.fail(kind, f"redirected to {location!r}, not a job's page")
            return
        with self.lock:
            self.jobs.add(location)
        self.call("job", lambda: clerk.get(location))


@dataclass
class Run:
    """One load run's figures and findings."""

    load: Load
    slots: list[Slot]
    seconds: float
    requests: int  # the clerks', before the jobs were waited for
    jobs: Counter[str] = field(default_factory=Counter)
    drain_s: float = 0.0
    lost: list[str] = field(default_factory=list)

    @property
    def saves(self) -> int:
        return sum(len(s.saved) for s in self.slots)

    @property
    def ok(self) -> bool:
        return not self.load.failures and not self.lost


def page_csrf(answer: Answer | None) -> str:
    """The token of the page's form; "" where the page did not come (a failure counted
    already) or has no form, and the form posted with it is then refused and counted."""
    return csrf_in(answer.text) if answer else ""


def value_for(slot: Slot, k: int, i: int) -> str:
    """Clerk k's i-th correction of the slot's field: a value no other save gives (for up to
    1,000 saves per clerk)."""
    if slot.field in ("issued_date", "birth_date"):
        return (date(1990, 1, 1) + timedelta(days=1000 * k + i)).strftime("%d/%m/%Y")
    if slot.field in ("number", "page_count"):
        return f"{k + 1}{i:05d}"
    if slot.field == "id_number":
        return f"0{k:02d}{i:09d}"
    if slot.field == "phone":
        return f"09{k:02d}{i:06d}"
    return f"Sửa khi tải {k}-{i}"


# ---------------------------------------------------------------- what a clerk does
class Desktop:
    """One clerk at a browser."""

    def __init__(self, load: Load, port: int, k: int, slots: list[Slot], signed: bytes,
                 codes: Callable[[], str], rng: Random) -> None:
        self.load, self.k, self.slots, self.signed, self.codes = load, k, slots, signed, codes
        self.browser = Clerk(port, f"127.0.0.{10 + k}")
        self.rng = rng
        self.saves = 0

    def get(self, kind: str, path: str) -> Answer | None:
        return self.load.call(kind, lambda: self.browser.get(path), path=path)

    def login(self) -> bool:
        token = page_csrf(self.get("login page", "/login"))
        done = self.load.call("login", lambda: self.browser.post(
            "/login", {"csrf": token, "password": PASSWORD}), expect=(303,))
        return done is not None

    def browse(self) -> None:
        listed = self.get("dossiers", "/dossiers")
        links = re.findall(r'href="(/dossiers/\d+/[^"/]+)"', listed.text) if listed else []
        if not links:
            return
        page = self.get("dossier", self.rng.choice(links))
        docs = re.findall(r'href="(/dossiers/\d+/[^"/]+/\d+)"', page.text) if page else []
        if not docs:
            return
        doc = self.get("document", self.rng.choice(docs))
        for src in re.findall(r'<img src="(/dossiers/[^"]+\.png)"', doc.text) if doc else []:
            self.get("page image", src)

    def review(self) -> None:
        token = page_csrf(self.get("review", "/review"))
        slot = self.rng.choice(self.slots)
        if slot.image:
            self.get("page image", slot.image)
        value = value_for(slot, self.k, self.saves)
        self.saves += 1
        with slot.lock:  # a field shared by clerks: one save at a time, in a known order
            saved = self.load.call("review save", lambda: self.browser.post("/review", {
                "csrf": token, "out": str(slot.out), "dossier": slot.dossier,
                "n": str(slot.n), "field": slot.field, "value": value}), expect=(303,))
            if saved is not None:
                slot.saved.append(value)
        self.load.job(self.browser, "review save", saved)

    def find(self) -> None:
        self.get("find", "/find?" + urlencode({"text": self.rng.choice(WORDS)}))

    def verify(self) -> None:
        token = page_csrf(self.get("verify page", "/verify"))
        got = self.load.call("verify", lambda: self.browser.upload(
            "/verify", {"csrf": token}, "file", "quyet_dinh_da_ky.pdf", self.signed))
        if got is not None and 'data-status="valid"' not in got.text:
            found = re.search(r'data-status="(\w+)"', got.text)
            self.load.fail("verify", f"verdict {found.group(1) if found else 'missing'}")

    def intake(self) -> None:
        token = page_csrf(self.get("intake page", "/intake"))
        scans = self.rng.sample(SMALL_SCANS, self.rng.choice((1, 2)))
        code = self.codes()
        got = self.load.call("intake", lambda: self.browser.upload_files(
            "/intake", {"csrf": token, "code": code},
            [("files", p.name, p.read_bytes()) for p in scans]), expect=(303,))
        if got is not None:
            with self.load.lock:
                self.load.intakes.append(code)
        self.load.job(self.browser, "intake", got)

    def work(self, until: float, think: float) -> None:
        if not self.login():
            return
        actions = (self.browse, self.review, self.find, self.verify, self.intake)
        weights = (50, 25, 10, 10, 3)
        action = actions[self.k % len(actions)]
        while time.monotonic() < until:
            action()
            time.sleep(think * self.rng.uniform(0.5, 1.5))
            action = self.rng.choices(actions, weights)[0]


# ---------------------------------------------------------------- the run
def review_slots(page: str, desk: Desk, fetch: Callable[[str], object]) -> list[Slot]:
    """The fields to review of every document of the review queue (each document's review
    screen, fetched with `fetch`), with their documents' input file names; each is saved on
    its own through the one-field form (POST /review), as many clerks on one field would."""
    slots = []
    for url in re.findall(r'href="(/review/\d+/[^"/]+/\d+)"', page):
        out, dossier, n = url.split("/")[2:5]
        screen = fetch(url)
        text = str(getattr(screen, "text", ""))
        image = re.search(r'<img id="page" src="([^"]+)"', text)
        for key in re.findall(r'class="field to-review[^"]*".*?name="f:(\w+)"', text, re.S):
            slot = Slot(int(out), dossier, int(n), key, image[1] if image else "")
            record = next(r for r in desk.records if r["id"] == slot.dossier)
            slot.source = Path(record["documents"][slot.n]["source"]).name
            slots.append(slot)
    return slots


def clerks_at_work(desk: Desk, port: int, clerks: int, seconds: float, think: float,
                   seed: int) -> Run:
    """`clerks` clerks on the server at `port` for `seconds`, each on a field or two of the
    review queue."""
    load = Load()
    first = Desktop(load, port, 0, [], b"", lambda: "", Random(seed))
    if not first.login():
        raise SystemExit(f"cannot log in: {load.failures}")
    review = first.get("review", "/review")
    slots = review_slots(review.text if review else "", desk,
                         lambda url: first.get("review", url))
    if not slots:
        raise SystemExit("the desk has nothing to review")
    signed = Path(next(d["pdf"] for r in desk.records for d in r["documents"]
                       if d.get("signature"))).read_bytes()
    numbers = iter(range(1, 10_000))
    number_lock = threading.Lock()

    def next_code() -> str:
        with number_lock:
            return f"000.00.31.H49-{INTAKE_DAY}-{next(numbers):04d}"

    def own(k: int) -> list[Slot]:
        mine = slots[k::clerks]
        return mine or [slots[k % len(slots)]]

    until = time.monotonic() + seconds
    desktops = [Desktop(load, port, k, own(k), signed, next_code, Random(f"{seed}:{k}"))
                for k in range(clerks)]
    threads = [threading.Thread(target=d.work, args=(until, think), daemon=True)
               for d in desktops]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Run(load, slots, time.monotonic() - t0, sum(map(len, load.times.values())))


def drain(run: Run, port: int, most: float) -> None:
    """Wait (up to `most` seconds) for every job the clerks started; count them by state."""
    watcher = Desktop(run.load, port, 99, [], b"", lambda: "", Random(0))
    if not watcher.login():
        return
    t0 = time.monotonic()
    waiting = sorted(run.load.jobs)
    while waiting and time.monotonic() - t0 < most:
        still = []
        for path in waiting:
            got = watcher.get("job (after)", path)
            state = re.search(r'data-state="(\w+)"', got.text) if got else None
            if state and state[1] in ("waiting", "running"):
                still.append(path)
            else:
                ended = state[1] if state else "unknown"
                run.jobs[ended] += 1
                if ended != "done":
                    why = re.search(r'<p class="problem"[^>]*>(.*?)</p>', got.text if got else "",
                                    re.S)
                    run.load.fail("job (after)", f"{path} {ended}: {why[1] if why else ''}")
        waiting = still
        if waiting:
            time.sleep(1)
    run.jobs["unfinished"] += len(waiting)
    if waiting:
        run.load.fail("job (after)", f"{len(waiting)} jobs unfinished after {most:.0f} s")
    run.drain_s = time.monotonic() - t0


def check_desk(run: Run, out: Path) -> None:
    """The last value saved into each field, in the override file and in the record; each
    intake's dossier in the output folder."""
    for slot in (s for s in run.slots if s.saved):
        expected = normalise(slot.field, slot.saved[-1])
        path = out / OVERRIDES_DIR / f"{slot.dossier}.toml"
        kept = load_overrides(path).documents.get(slot.source, {}).get(slot.field) \
            if path.is_file() else None
        if kept != expected:
            run.lost.append(f"{slot.dossier} {slot.source} {slot.field}: override file has "
                            f"{kept!r}, last saved {expected!r}")
        meta = read_dossier(out / slot.dossier).documents[slot.n].metadata.get(slot.field)
        if meta != expected:
            run.lost.append(f"{slot.dossier} {slot.source} {slot.field}: record has "
                            f"{meta!r} after the re-run, last saved {expected!r}")
    run.lost += [f"intake {code}: no dossier record" for code in run.load.intakes
                 if not (out / code / "dossier.json").is_file()]


def load_test(env: Env, top: Path, clerks: int, seconds: float, think: float = 2.0,
              seed: int = 1, most: float = 900) -> Run:
    """The whole test: a desk prepared under `top`, its server started, the clerks, the
    jobs waited for, the desk's files checked."""
    desk = prepare_desk(env, top, DOSSIERS)
    set_password(desk.password_file, PASSWORD)
    with serving_desk(DIGITIZE, desk.out, desk.config, env.vars, tries=600) as (port, _proc):
        run = clerks_at_work(desk, port, clerks, seconds, think, seed)
        drain(run, port, most)
    check_desk(run, desk.out)
    return run


# ---------------------------------------------------------------- the report
def quantile(values: list[float], q: float) -> float:
    """The nearest-rank quantile (q in 0..1) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def report(run: Run, clerks: int, think: float) -> str:
    load = run.load
    failed = Counter(f.split(":", 1)[0] for f in load.failures)
    rows = [f"{'request':<14}{'count':>7}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'failed':>8}"]
    pages = [t for kind in PAGES for t in load.times.get(kind, [])]
    for kind, times in [*sorted(load.times.items()), ("pages (HTML)", pages)]:
        if times:
            rows.append(f"{kind:<14}{len(times):>7}{quantile(times, .5):>9.3f}"
                        f"{quantile(times, .95):>9.3f}{max(times):>9.3f}{failed[kind]:>8}")
    lines = [f"{clerks} clerks for {run.seconds:.0f} s (think {think:g} s): {run.requests} "
             f"requests, {run.requests / run.seconds:.1f}/s; {len(load.failures)} failed",
             *rows,
             f"corrections saved: {run.saves} into {sum(bool(s.saved) for s in run.slots)} of "
             f"{len(run.slots)} fields; intakes: {len(load.intakes)}",
             f"jobs: {dict(run.jobs)}, all finished {run.drain_s:.0f} s after the clerks "
             f"stopped", f"lost corrections and intakes: {len(run.lost)}"]
    lines += [f"  failed: {f}" for f in load.failures[:30]]
    lines += [f"  lost: {lost}" for lost in run.lost[:30]]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clerks", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--think", type=float, default=2.0,
                    help="mean seconds a clerk waits between actions")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--drain", type=float, default=900,
                    help="most seconds to wait for the jobs once the clerks stop")
    ap.add_argument("--work", type=Path, help="folder for the desk (default: a temp folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="digitize-load-") as tmp:
        top = args.work or Path(tmp)
        (top / "home").mkdir(parents=True)
        env = make_cli_env(top / "home")
        run = load_test(env, top / "desk", args.clerks, args.seconds, args.think, args.seed,
                        args.drain)
    print(report(run, args.clerks, args.think))
    sys.exit(0 if run.ok else 1)


if __name__ == "__main__":
    main()

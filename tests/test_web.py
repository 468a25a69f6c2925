"""`digitize serve`: every security rule through Starlette's test client, and the clerk's work in
a real browser (Debian's chromium driven by selenium with Debian's chromedriver; nothing is
downloaded), against the real server process on 127.0.0.1. Screenshots of each page go to
$DIGITIZE_SCREENSHOTS (default build/screenshots)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from digitize.config import load_config
from digitize.errors import NoInputError, UsageProblem
from digitize.schemas.xmp import read_metadata
from digitize.web.auth import login_needed, set_password, stored_hash
from digitize.web.site import Site
from tests.browser import chromium, installed
from tests.conftest import DIGITIZE, ROOT, SAMPLES, Env
from tests.desk import Desk, archive_config, desk_client, desk_site, prepare_desk, site_client
from tests.servers import serving_desk
from tests.webclient import Clerk, csrf_of, finished_job

SCREENSHOTS = Path(os.environ.get("DIGITIZE_SCREENSHOTS", ROOT / "build" / "screenshots"))


@pytest.fixture(scope="module")
def desk(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """One sample dossier run with a strict review threshold (several fields to review), the
    config the server uses."""
    return prepare_desk(cli_env, tmp_path_factory.mktemp("web"))


# ---------------------------------------------------------------- security
def test_other_addresses_need_a_login(desk: Desk, cli_env: Env, tmp_path: Path) -> None:
    assert login_needed("127.0.0.1", None) is False
    with pytest.raises(UsageProblem, match="--set-password"):
        login_needed("0.0.0.0", None)
    res = cli_env.run("serve", str(desk.out), "--host", "0.0.0.0", "--config", str(desk.config))
    assert res.returncode == 2 and "--set-password" in res.stdout + res.stderr
    # The password is stored as an Argon2 hash, owner-only.
    secret = tmp_path / "pw"
    set_password(secret, "mật khẩu bàn một cửa")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    text = secret.read_text(encoding="utf-8")
    assert text.startswith("$argon2") and "mật khẩu" not in text
    hashed = stored_hash(secret)
    assert login_needed("0.0.0.0", hashed) is True
    with pytest.raises(UsageProblem, match="too short"):
        set_password(tmp_path / "short", "1234")


def test_a_request_without_a_login_is_refused(desk: Desk, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    set_password(secret, "mật khẩu bàn một cửa")
    client = desk_client(desk, stored_hash(secret))  # the test client's address is not loopback
    for page in ("/dossiers", "/review", "/find?id_number=001203004567", "/report",
                 f"/files/0/{desk.record['id']}/dossier.json"):
        res = client.get(page)
        assert res.status_code == 303 and res.headers["location"] == "/login", page
    assert client.post("/review", data={"out": "0"}).status_code == 401
    token = csrf_of(client.get, "/login")
    assert client.post("/login", data={"csrf": token, "password": "wrong"}).status_code == 401
    res = client.post("/login", data={"csrf": token, "password": "mật khẩu bàn một cửa"})
    assert res.status_code == 303
    assert client.get("/dossiers").status_code == 200
    # A signed cookie: a forged one is no login.
    other = desk_client(desk, stored_hash(secret))
    other.cookies.set("digitize_session", "eyJ1c2VyIjogImRlc2sifQ==.forged.sig")
    assert other.get("/dossiers").status_code == 303


def test_a_run_s_own_folders_are_no_dossiers_and_a_vanished_one_is_left_out(
        desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run stages a dossier in `.staging-*` and swaps outputs out through it (and `.old-*`
    where the system cannot swap two folders in one step); each holds a dossier.json, and
    pathlib's "*" matches hidden folders. The desk's list showed such a dossier beside the
    real one, and answered 500 when the run removed the folder between listing and reading
    it (the 20-clerk load test in CI: "/dossiers status 500"). Now they are no dossiers, for
    the desk, review, the report and the index alike, and a record gone by the time it is
    read is left out of the list."""
    import shutil

    import digitize.model
    from digitize.model import dossier_records

    out = tmp_path / "out"
    shutil.copytree(desk.out, out)
    dossier = out / desk.record["id"]
    for hidden in (f".staging-{dossier.name}-1", f".old-{dossier.name}-1"):
        shutil.copytree(dossier, out / hidden)
    shutil.copytree(dossier, out / "removed-by-a-run")
    assert dossier_records(out) == [dossier / "dossier.json",
                                    out / "removed-by-a-run" / "dossier.json"]
    reading = digitize.model.read_dossier

    def swapped_away(folder: Path) -> object:
        if folder.name == "removed-by-a-run":
            shutil.rmtree(folder)  # between the listing and the read
        return reading(folder)

    monkeypatch.setattr(digitize.model, "read_dossier", swapped_away)
    site = Site(load_config(desk.config), [out], 200)
    assert [d.folder for d in site.dossiers()] == [dossier]
    shutil.copytree(dossier, out / "removed-by-a-run")
    res = site_client(site).get("/dossiers")
    assert res.status_code == 200, res.text
    assert ".staging-" not in res.text and ".old-" not in res.text
    assert res.text.count(f"/dossiers/0/{dossier.name}") >= 1
    assert "removed-by-a-run" not in res.text


def test_every_form_needs_its_csrf_token(desk: Desk) -> None:
    client = desk_client(desk)
    app = client.app
    posts = [r.path.replace("{out:int}", "0").replace("{dossier}", desk.record["id"])
             .replace("{n:int}", "0")
             for r in app.routes if "POST" in (getattr(r, "methods", None) or ())]
    assert set(posts) >= {"/login", "/logout", "/personal", "/review", "/intake", "/verify",
                          f"/review/0/{desk.record['id']}/0",
                          f"/dossiers/0/{desk.record['id']}/send"}
    for path in posts:
        assert client.post(path, data={"csrf": "forged"}).status_code == 403, path
        assert client.post(path, data={}).status_code == 403, path


def test_no_file_outside_the_output_folders(desk: Desk, tmp_path: Path) -> None:
    client = desk_client(desk)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the browser")
    (desk.out / "link-out").symlink_to(tmp_path)
    try:
        for url in ("/files/0/../../../../etc/passwd", "/files/0/%2e%2e/%2e%2e/etc/passwd",
                    "/files/0/..%2f..%2f..%2fetc%2fpasswd", "/files/0//etc/passwd",
                    "/files/0/%2fetc%2fpasswd", f"/files/0/{secret}",
                    "/files/0/link-out/secret.txt",
                    "/files/1/dossier.json", "/dossiers/0/%2e%2e", "/dossiers/0/.%2e",
                    f"/dossiers/0/{desk.record['id']}/99", "/files/0/%00"):
            res = client.get(url)
            assert res.status_code in (404, 400), url
            assert "root:" not in res.text and "not for the browser" not in res.text, url
    finally:
        (desk.out / "link-out").unlink()
    # Hidden working files are never served; records only while personal data is shown.
    probe = desk.out / ".overrides" / "probe.pdf"
    probe.parent.mkdir(exist_ok=True)
    probe.write_bytes(b"%PDF-probe")
    assert client.get("/files/0/.overrides/probe.pdf").status_code == 404
    # Nor through a link in the output folder that points at one.
    (desk.out / "leak.pdf").symlink_to(probe)
    try:
        assert client.get("/files/0/leak.pdf").status_code == 404
    finally:
        (desk.out / "leak.pdf").unlink()
    probe.unlink()
    record = f"/files/0/{desk.record['id']}/dossier.json"
    assert client.get(record).status_code == 403
    pdf = Path(desk.record["documents"][0]["pdf"]).relative_to(desk.out)
    got = client.get(f"/files/0/{pdf}")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    client.post("/personal", data={"csrf": csrf_of(client.get, "/intake"), "show": "1",
                                   "next": "/dossiers"})
    inside = client.get(record)
    assert inside.status_code == 200 and desk.record["id"] in inside.text


def test_personal_data_is_masked_until_shown(desk: Desk, cli_env: Env) -> None:
    number = next((str(d["metadata"]["id_number"]) for d in desk.record["documents"]
                   if d["metadata"].get("id_number")), None)
    assert number, "the sample dossier carries an ID number"
    client = desk_client(desk)
    n = next(i for i, d in enumerate(desk.record["documents"]) if d["metadata"].get("id_number"))
    page = client.get(f"/dossiers/0/{desk.record['id']}/{n}")
    assert page.status_code == 200 and number not in page.text and number[-3:] in page.text
    client.post("/personal", data={"csrf": csrf_of(client.get, "/intake"), "show": "1",
                                   "next": "/dossiers"})
    page = client.get(page.url.path)
    assert number in page.text


def test_the_package_opens_with_personal_data_hidden(desk: Desk) -> None:
    client = desk_client(desk)
    rid = desk.record["id"]
    link = client.get(f"/dossiers/0/{rid}").text.split('id="package"', 1)[0].rsplit(
        'href="', 1)[1].split('"', 1)[0]
    listing = client.get(link)
    assert listing.status_code == 200, listing.text
    text = listing.text
    assert "METS.xml" in text and "EAD.xml" in text and ".pdf" in text
    personal = [str(d["metadata"][k]) for d in desk.record["documents"]
                for k in ("id_number", "phone", "birth_date") if d["metadata"].get(k)]
    assert personal and not [v for v in personal if v in text]
    # The descriptions are not linked while hidden; the signed PDFs are, and open.
    assert 'METS.xml"' not in text
    pdf = text.split('.pdf">', 1)[0].rsplit('href="', 1)[1] + ".pdf"
    assert client.get(pdf).content.startswith(b"%PDF")
    client.post("/personal", data={"csrf": csrf_of(client.get, "/intake"), "show": "1",
                                   "next": link})
    assert 'METS.xml"' in client.get(link).text


def test_uploads_are_limited_and_checked(desk: Desk, tmp_path: Path) -> None:
    client = desk_client(desk, max_mb=1)
    client.get("/lang/en")  # the refusals below in English (the page's language)
    token = csrf_of(client.get, "/intake")
    big = b"%PDF-1.7\n" + b"0" * (2 * 2**20)
    res = client.post("/intake", data={"csrf": token, "code": "000.00.31.H49-261201-0099"},
                      files=[("files", ("big.pdf", big, "application/pdf"))])
    assert res.status_code == 413 and "max_upload_mb" in res.text
    # A body larger than 20 files at the limit is refused before it is read.
    res = client.post("/intake", content=b"x" * (21 * 2**20),
                      headers={"content-type": "multipart/form-data; boundary=x"})
    assert res.status_code == 413 and "in all" in res.text
    res = client.post("/intake", data={"csrf": token, "code": "000.00.31.H49-261201-0099"},
                      files=[("files", ("virus.exe", b"MZ\x90\x00" * 10, "application/x"))])
    assert res.status_code == 400 and "PDF, TIFF, JPEG or PNG" in res.text
    res = client.post("/intake", data={"csrf": token, "code": "../../etc"},
                      files=[("files", ("a.png", b"\x89PNG\r\n", "image/png"))])
    assert res.status_code == 400
    # Nothing of the refused uploads is left, in the inbox or beside it.
    assert not desk.inbox.exists() or not [p for p in desk.inbox.rglob("*")
                                           if "0099" in str(p) or p.name.startswith(".upload")]


def test_sending_a_package_to_the_archive_is_a_job(desk: Desk, tmp_path: Path) -> None:
    client = site_client(Site(archive_config(desk, tmp_path / "archive"), [desk.out], 200))
    page = f"/dossiers/0/{desk.record['id']}"
    assert "archive" in client.get(page).text
    assert client.post(f"{page}/send", data={"csrf": "forged"}).status_code == 403
    # The dossier still has fields to review: the desk asks before it leaves.
    assert desk.record["status"] == "needs_review"
    ask = client.post(f"{page}/send", data={"csrf": csrf_of(client.get, page)})
    assert ask.status_code == 200 and 'id="send-anyway"' in ask.text
    assert 'name="confirm"' in ask.text
    assert not list((tmp_path / "archive").iterdir())
    res = client.post(f"{page}/send", data={"csrf": csrf_of(client.get, page), "confirm": "1"})
    assert res.status_code == 303
    job = finished_job(client.get, res.headers["location"], 120)
    assert 'data-state="done"' in job, job
    # The delivery's result shown as a result, not as an error, and no "0/0 pages".
    assert 'class="result" id="result">Đã gửi:' in job and "0/0" not in job, job
    sent = list((tmp_path / "archive").glob("*.zip"))
    assert len(sent) == 1 and sent[0].stat().st_size > 0
    receipt = json.loads((tmp_path / "uploads.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert receipt["status"] == "uploaded"
    assert receipt["sha256"].lower() == hashlib.sha256(sent[0].read_bytes()).hexdigest()


def test_errors_say_their_charset_and_open_tabs_outlive_a_restart(desk: Desk,
                                                                    cli_env: Env) -> None:
    clerk = Clerk(0)
    with serving_desk(DIGITIZE, desk.out, desk.config, cli_env.vars) as (port, _proc):
        clerk.port = port
        token = clerk.csrf("/intake")
        refused = clerk.post("/personal", {"csrf": "forged", "show": "1", "next": "/dossiers"})
        assert refused.status == 403 and "Biểu mẫu đã hết hạn" in refused.text
        missing = clerk.get(f"/dossiers/0/{desk.record['id']}/99")
        assert missing.status == 404
        for answer in (refused, missing):
            assert answer.headers["content-type"].endswith("charset=utf-8"), answer.headers
        shown = clerk.post("/personal", {"csrf": token, "show": "1", "next": "/dossiers"})
        assert shown.status == 303
        mets = clerk.get(f"/files/0/{Path(desk.record['bundle']).relative_to(desk.out)}"
                         "/METS.xml")
        assert mets.status == 200 and "charset=utf-8" in mets.headers["content-type"]
    key = Path(cli_env.vars["DIGITIZE_DATA_DIR"]) / "web-secret"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with serving_desk(DIGITIZE, desk.out, desk.config, cli_env.vars) as (port, _proc):
        clerk.port = port
        # The same tab after the restart: its session (personal data shown) and its form's
        # token still hold.
        assert 'id="personal">Ẩn dữ liệu cá nhân' in clerk.get("/dossiers").text
        hidden = clerk.post("/personal", {"csrf": token, "show": "0", "next": "/dossiers"})
        assert hidden.status == 303, hidden.text
    # Behind a login, "log in first" says its charset too.
    client = site_client(desk_site(desk), "$argon2id$v=19$m=65536,t=3,p=4$x$y")
    res = client.post("/review", data={"out": "0"})
    assert res.status_code == 401 and "charset=utf-8" in res.headers["content-type"]


# ---------------------------------------------------------------- the browser
@pytest.fixture(scope="module")
def server(desk: Desk, cli_env: Env) -> Iterator[str]:
    with serving_desk(DIGITIZE, desk.out, desk.config, cli_env.vars) as (port, _proc):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not installed():
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium("--window-size=1280,1000") as driver:
        yield driver


def _shot(driver: Any, name: str) -> None:
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def _gone(element: Any) -> Callable[[Any], bool]:
    """selenium's staleness_of, also where chromedriver reports the old page's node as an
    "unhandled inspector error" instead of a stale element, as it does in a few runs in a
    hundred (SeleniumHQ/selenium#15401)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def check(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return check


def _submit(driver: Any, button: Any, timeout: float = 300) -> None:
    """Click a form's button and wait until the page the form leads to has loaded: the old
    page gone (the intake's script sends the files first, then goes on) and the new one
    complete. Reading the page straight after the click may still read the old one."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    wait = WebDriverWait(driver, timeout)
    wait.until(_gone(old))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def _wait_job(driver: Any, timeout: float = 300) -> str:
    from selenium.webdriver.common.by import By

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = driver.find_element(By.ID, "state").get_attribute("data-state")
        if state in ("done", "failed"):
            return str(state)
        time.sleep(1)
        driver.refresh()
    raise AssertionError("the job did not finish")


@pytest.mark.slow
def test_a_document_is_reviewed_by_keyboard_on_one_screen(desk: Desk, server: str,
                                                          browser: Any) -> None:
    """Keyboard only: Enter accepts a field to review, the number typed over, Enter on the last
    field saves the document; the value lands in the JSON, the XMP and the package."""
    from selenium.webdriver.common.by import By

    d = browser
    d.get(f"{server}/dossiers")
    _shot(d, "dossiers")
    d.get(f"{server}/dossiers/0/{desk.record['id']}/0")
    assert d.find_element(By.ID, "text").text.strip()
    _shot(d, "document")
    n = next(i for i, doc in enumerate(desk.record["documents"])
             if doc["doc_kind"] == "van_ban" and len(doc["review"]) >= 3)
    d.get(f"{server}/review/0/{desk.record['id']}/{n}")
    start = time.monotonic()
    boxes = d.find_elements(By.CSS_SELECTOR, ".field input")
    flagged = d.find_elements(By.CSS_SELECTOR, ".field.to-review input")
    assert len(flagged) >= 3 and len(boxes) > len(flagged)
    names = [b.get_attribute("name") for b in flagged]
    assert "f:number" in names
    assert len(d.find_elements(By.CSS_SELECTOR, "img#page")) == 1  # the page once
    _shot(d, "review")
    old = d.find_element(By.TAG_NAME, "html")
    keys = 0
    for box in flagged:
        active = d.switch_to.active_element
        assert active.get_attribute("id") == box.get_attribute("id")  # focus moved by Enter
        # The field in focus has its box drawn on the page (when it was found on it).
        if box.find_element(By.XPATH, "..").get_attribute("data-box"):
            assert d.find_element(By.ID, "box").is_displayed()
        typed = "99" if box.get_attribute("name") == "f:number" else ""
        active.send_keys(typed + "\n")
        keys += len(typed) + 1
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 60).until(_gone(old))  # one load: the save
    seconds = time.monotonic() - start
    assert keys < 20, keys
    print(f"\nreviewed {len(names)} fields to review of {len(boxes)} with {keys} keystrokes "
          f"in {seconds:.1f} s")
    job = d.find_element(By.ID, "saved-job").get_attribute("href")
    d.get(job)
    assert _wait_job(d) == "done"
    record = json.loads((desk.out / desk.record["id"] / "dossier.json").read_text(
        encoding="utf-8"))
    doc = record["documents"][n]
    assert doc["metadata"]["number"] == "99"
    assert any(o["field"] == "number" and o["operator"] == "Phạm Thu Hà" for o in doc["overrides"])
    assert str(read_metadata(Path(doc["pdf"]))["number"]) == "99"
    ead = Path(record["bundle"]) / "representations/rep1/metadata/descriptive"
    assert any("<codeNumber>99</codeNumber>" in p.read_text(encoding="utf-8")
               for p in ead.glob("EAD_doc_*.xml"))


@pytest.mark.slow
def test_intake_verify_and_find_in_the_browser(desk: Desk, server: str, browser: Any,
                                               cli_env: Env) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    d.get(f"{server}/intake")
    code = "000.00.31.H49-261201-0042"
    d.find_element(By.NAME, "code").send_keys(code)
    scans = sorted((SAMPLES / "000.00.31.H49-261120-0001").iterdir())
    d.find_element(By.NAME, "files").send_keys("\n".join(map(str, scans)))
    # One progress bar per chosen file (the page's only script; the form works without it).
    assert len(d.find_elements(By.CSS_SELECTOR, "#upload-progress progress")) == len(scans)
    _shot(d, "intake")
    _submit(d, d.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    assert _wait_job(d) == "done"
    _shot(d, "intake-done")
    record = json.loads((desk.out / code / "dossier.json").read_text(encoding="utf-8"))
    assert len(record["documents"]) == len(scans) and record["bundle"]
    assert sorted(p.name for p in (desk.inbox / code).iterdir()) == [
        f"{i:03d}_{p.stem}{p.suffix}" for i, p in enumerate(scans, 1)]
    d.get(f"{server}/dossiers")
    assert code in d.page_source

    signed = next(doc["pdf"] for doc in record["documents"] if doc.get("signature"))
    d.get(f"{server}/verify")
    d.find_element(By.NAME, "file").send_keys(signed)
    assert not d.find_element(By.NAME, "online").is_selected()  # offline unless ticked
    _submit(d, d.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    assert d.find_element(By.ID, "verdict").get_attribute("data-status") == "valid"
    _shot(d, "verify")
    cli = subprocess.run([DIGITIZE, "verify", signed, "--offline", "--json", "--config",
                          str(desk.config)], env=cli_env.vars, capture_output=True, text=True,
                         check=False)
    assert json.loads(cli.stdout)[0]["status"] == "valid"

    number = next(str(doc["metadata"]["id_number"]) for doc in desk.record["documents"]
                  if doc["metadata"].get("id_number"))
    d.get(f"{server}/find?id_number={number}")
    rows = d.find_elements(By.CSS_SELECTOR, "#hits tr")
    assert len(rows) >= 2 and number not in d.find_element(By.ID, "hits").text
    _submit(d, d.find_element(By.ID, "personal"))
    assert number in d.find_element(By.ID, "hits").text
    _shot(d, "find")
    _submit(d, d.find_element(By.ID, "personal"))
    d.get(f"{server}/report")
    assert d.find_elements(By.CSS_SELECTOR, "img.chart")
    _shot(d, "report")
    d.get(f"{server}/lang/en?next=/dossiers")
    assert "Dossiers" in d.find_element(By.TAG_NAME, "h1").text
    d.get(f"{server}/lang/vi?next=/dossiers")


class _SwappedMidway(Site):
    """A desk whose dossier is re-run between reading a document's record and opening its PDF:
    the first opening finds the package under a new name, as after a real re-run's swap."""

    swaps = 0

    def _rerun(self, d: Any) -> None:
        self.swaps += 1
        old = next(p for p in d.folder.iterdir() if p.name.startswith("uuid-"))
        new = old.with_name(f"uuid-00000000-0000-4000-8000-{self.swaps:012d}")
        old.rename(new)
        record = d.folder / "dossier.json"
        record.write_text(record.read_text(encoding="utf-8").replace(old.name, new.name),
                          encoding="utf-8")

    def page_png(self, d: Any, doc: Any, page: int, field: str = "",
                 masked: bool = True) -> bytes:
        if self.swaps < 1:
            self._rerun(d)
        return super().page_png(d, doc, page, field, masked)

    def signature_report(self, d: Any, doc: Any) -> Any:
        if self.swaps < 2:
            self._rerun(d)
        return super().signature_report(d, doc)


def test_a_link_into_a_package_a_rerun_renamed_leads_to_the_same_file_now(
        desk: Desk, tmp_path: Path) -> None:
    # A page shown before a re-run links into the package folder the re-run renamed.
    import shutil

    out = tmp_path / "out"
    shutil.copytree(desk.out, out, symlinks=True)
    site = _SwappedMidway(load_config(desk.config), [out], 200)
    dossier = next(p.parent.name for p in out.glob("*/dossier.json"))
    d = site.dossier(0, dossier)
    package = out / str(site.relative(d, d.record.bundle))
    pdf = next(package.rglob("*.pdf"))  # no record file: served without personal data shown
    old = str(pdf.relative_to(out))
    site._rerun(d)
    client = site_client(site)
    moved = client.get(f"/files/0/{old}")
    assert moved.status_code == 303
    now = moved.headers["location"]
    assert now != f"/files/0/{old}" and now.endswith("/" + pdf.name) and "/uuid-" in now
    served = client.get(now)
    assert served.status_code == 200 and served.content == (
        out / now.removeprefix("/files/0/")).read_bytes()
    # A file the package never had is still not there, before the re-run or after it.
    assert client.get(f"/files/0/{Path(old).parent}/nothing.pdf").status_code == 404


def _swapping(kind: type[_SwappedMidway], desk: Desk, tmp_path: Path
              ) -> tuple[_SwappedMidway, str]:
    """A copy of the desk's output folder served by `kind`, and its dossier's id."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(desk.out, out, symlinks=True)
    return (kind(load_config(desk.config), [out], 200),
            next(p.parent.name for p in out.glob("*/dossier.json")))


def test_a_document_asked_for_while_a_rerun_swaps_the_dossier_is_shown(desk: Desk,
                                                                       tmp_path: Path) -> None:
    # The load test once met it: 20 clerks, a correction's re-run renamed the package while a
    # page image was asked for, and the clerk got "No such file" for a page that was there.
    site, dossier = _swapping(_SwappedMidway, desk, tmp_path)
    png = site.page_image(0, dossier, 0, 0)
    assert site.swaps == 1 and png.startswith(b"\x89PNG")
    report = site.read_document(0, dossier, 0, site.signature_report)  # the document's page
    assert site.swaps == 2 and report.signatures and "uuid-" in report.path
    with pytest.raises(NoInputError):  # a page that is not there is still not there
        site.page_image(0, dossier, 0, 99)


class _SwappedWhileDrawing(_SwappedMidway):
    """The re-run's swap comes after the PDF was found and before poppler opens it."""

    def page_png(self, d: Any, doc: Any, page: int, field: str = "",
                 masked: bool = True) -> bytes:
        return Site.page_png(self, d, doc, page, field, masked)

    def _pdf(self, d: Any, doc: Any) -> Path:
        found = super()._pdf(d, doc)
        if self.swaps < 1:
            self._rerun(d)  # `found` is gone now
        return found


def test_a_page_drawn_while_a_rerun_swaps_the_dossier_is_shown(desk: Desk,
                                                               tmp_path: Path) -> None:
    # The load test met it too (two at once on 2 cores): the PDF was there when looked for and
    # gone when poppler opened it, and the clerk was told to scan page 1 again (400).
    site, dossier = _swapping(_SwappedWhileDrawing, desk, tmp_path)
    png = site.page_image(0, dossier, 0, 0)
    assert site.swaps == 1 and png.startswith(b"\x89PNG")

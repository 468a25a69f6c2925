"""Upload over the transports archives accept, against real servers on 127.0.0.1: an SFTP drop
folder on OpenSSH's sshd and a WebDAV share on wsgidav. Each gives the guarantees of the folder
and HTTP uploads: uploaded once, "already there", different bytes refused without --replace,
replaced with it, a cut connection resumed (SFTP at the remote size) to a byte-identical copy;
a wrong host key or wrong credentials exit 4 with one sentence and write nothing."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digitize.bundle.sftp import upload_sftp
from digitize.bundle.upload_common import Delivery, SshAuth

from .conftest import Env
from .servers import SSHD, Dav, Sshd, running_sshd, running_webdav

needs_sshd = pytest.mark.skipif(not SSHD.is_file(), reason=f"{SSHD} is missing (Debian "
                                "openssh-server; make test installs it)")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    if not SSHD.is_file():
        pytest.skip(f"{SSHD} is missing")
    with running_sshd(tmp_path_factory.mktemp("sshd-client")) as server:
        yield server


@pytest.fixture(scope="module")
def dav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dav]:
    with running_webdav(tmp_path_factory.mktemp("dav") / "share") as server:
        yield server


def _bundle(folder: Path, name: str = "uuid-TEST.zip", size: int = 3_000_000,
            seed: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def _config(env: Env, tmp: Path, lines: str) -> Path:
    config = tmp / "config.toml"
    config.write_text(Path(env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8") +
                      f"\n[upload]\njournal = \"{tmp / 'uploads.jsonl'}\"\n{lines}\n",
                      encoding="utf-8")
    return config


def _upload(env: Env, config: Path, bundle: Path, to: str, *extra: str,
            secrets: dict[str, str] | None = None) -> tuple[int, list[dict], str]:
    res = env.run("upload", str(bundle), "--to", to, "--config", str(config), "--json", *extra,
                  extra=secrets)
    receipts = json.loads(res.stdout) if res.stdout.strip().startswith("[") else []
    return res.returncode, receipts, res.stderr


def _ssh_lines(server: Sshd, key: Path | None = None, known: Path | None = None) -> str:
    return (f'ssh_key = "{key or server.user_key}"\n'
            f'known_hosts = "{known or server.known_hosts}"')


@needs_sshd
def test_sftp_upload_once_already_there_refused_then_replaced(cli_env: Env, sshd: Sshd,
                                                             tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, _ssh_lines(sshd))
    bundle = _bundle(tmp_path / "a")
    rc, [receipt], err = _upload(cli_env, config, bundle, sshd.url)
    assert rc == 0, err
    assert receipt["status"] == "uploaded" and receipt["target"] == sshd.url
    remote = sshd.folder / bundle.name
    assert remote.read_bytes() == bundle.read_bytes()
    assert not list(sshd.folder.glob(".*.part"))
    rc, [again], err = _upload(cli_env, config, bundle, sshd.url)
    assert rc == 0 and again["status"] == "already there", err
    other = _bundle(tmp_path / "b", bundle.name, seed=2)
    rc, [refused], _err = _upload(cli_env, config, other, sshd.url)
    assert rc == 1 and refused["status"] == "failed" and "--replace" in refused["error"]
    assert remote.read_bytes() == bundle.read_bytes()  # untouched
    rc, [replaced], err = _upload(cli_env, config, other, sshd.url, "--replace")
    assert rc == 0 and replaced["status"] == "replaced", err
    assert remote.read_bytes() == other.read_bytes()
    journal = [json.loads(line) for line in (tmp_path / "uploads.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert [j["status"] for j in journal] == ["uploaded", "already there", "replaced"]


@needs_sshd
def test_sftp_cut_mid_file_resumes_at_the_remote_size(sshd: Sshd, tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, "uuid-CUT.zip", size=8_000_000, seed=3)
    cuts: list[int] = []

    def sent(offset: int) -> None:
        if offset >= 4_000_000 and not cuts:
            cuts.append(sshd.cut_sessions())

    auth = SshAuth(known_hosts=sshd.known_hosts, key=sshd.user_key)
    delivery = upload_sftp(bundle, sshd.url, auth, replace=False, backoff=0.1, sent=sent)
    assert cuts == [1]  # the session was killed once, mid-file
    assert delivery.status == "uploaded"
    assert 0 < delivery.resumed < bundle.stat().st_size  # went on from the server's copy
    assert (sshd.folder / bundle.name).read_bytes() == bundle.read_bytes()
    assert not list(sshd.folder.glob(".*.part"))


@needs_sshd
def test_sftp_server_that_stops_answering_mid_file_is_left_and_the_file_resumed(
        sshd: Sshd, tmp_path: Path) -> None:
    """A session that stops answering mid-file (its processes stopped, the connection open)
    held the upload for ever: paramiko's SFTP channel waits without limit. Now the wait is the
    timeout, the try is repeated on a new session and the file resumed."""
    bundle = _bundle(tmp_path, "uuid-STALL.zip", size=8_000_000, seed=5)
    stalled: list[int] = []

    def sent(offset: int) -> None:
        if offset >= 4_000_000 and not stalled:
            stalled.extend(sshd.stall_sessions())

    auth = SshAuth(known_hosts=sshd.known_hosts, key=sshd.user_key)
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(upload_sftp(
        bundle, sshd.url, auth, replace=False, backoff=0.1, timeout=2.0, sent=sent)),
        daemon=True)
    worker.start()
    worker.join(timeout=60)
    for pid in stalled:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert stalled and not worker.is_alive(), "the upload still waits on the stopped session"
    delivery = done[0]
    assert isinstance(delivery, Delivery) and delivery.status == "uploaded"
    assert (sshd.folder / bundle.name).read_bytes() == bundle.read_bytes()


@needs_sshd
def test_sftp_wrong_host_key_or_credentials_exit_4_and_write_nothing(
        cli_env: Env, sshd: Sshd, tmp_path: Path) -> None:
    bundle = _bundle(tmp_path / "a", "uuid-NEVER.zip")
    impostor = tmp_path / "known_hosts"  # another key where the server's should be
    other_pub = Path(f"{sshd.other_key}.pub").read_text().strip()
    impostor.write_text(f"[127.0.0.1]:{sshd.port} {other_pub}\n")
    cases = {
        "changed": _ssh_lines(sshd, known=impostor),
        "unknown": _ssh_lines(sshd, known=tmp_path / "empty_known_hosts"),
        "bad key": _ssh_lines(sshd, key=sshd.other_key),
        "bad pin": f'ssh_key = "{sshd.user_key}"\nhost_fingerprint = "SHA256:{"A" * 43}"',
    }
    (tmp_path / "empty_known_hosts").write_text("")
    for case, lines in cases.items():
        (tmp_path / case.replace(" ", "_")).mkdir()
        config = _config(cli_env, tmp_path / case.replace(" ", "_"), lines)
        rc, receipts, err = _upload(cli_env, config, bundle, sshd.url)
        assert rc == 4, (case, err)
        sentence = err.strip()
        assert "Traceback" not in err and sentence.count("\n") <= 2, (case, err)
        assert receipts == []
        assert ("host key" in sentence) == (case != "bad key"), (case, sentence)
        assert not list(sshd.folder.glob("*NEVER*")) and not list(sshd.folder.glob(".*NEVER*"))
    # The right pinned fingerprint is enough without known_hosts.
    fingerprint = _fingerprint_of(sshd.host_pub)
    (tmp_path / "pinned").mkdir()
    config = _config(cli_env, tmp_path / "pinned",
                     f'ssh_key = "{sshd.user_key}"\nhost_fingerprint = "{fingerprint}"')
    rc, [ok], err = _upload(cli_env, config, bundle, sshd.url)
    assert rc == 0 and ok["status"] == "uploaded", err


def _fingerprint_of(pub_line: str) -> str:
    import base64
    import hashlib

    blob = base64.b64decode(pub_line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def test_a_password_in_the_url_is_refused(cli_env: Env, tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, "")
    bundle = _bundle(tmp_path / "a")
    rc, _receipts, err = _upload(cli_env, config, bundle, "sftp://archive:hunter2@127.0.0.1/in")
    assert rc == 2 and "hunter2" not in err and "password" in err.lower()


def test_webdav_upload_once_already_there_refused_then_replaced(cli_env: Env, dav: Dav,
                                                               tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, f'user = "{dav.user}"')
    secrets = {"DIGITIZE_UPLOAD_PASSWORD": dav.password}
    bundle = _bundle(tmp_path / "a", "uuid-DAV.zip")
    # http:// is told from digitize's own receiver by the server's DAV header.
    rc, [receipt], err = _upload(cli_env, config, bundle, dav.url, secrets=secrets)
    assert rc == 0 and receipt["status"] == "uploaded", err
    remote = dav.root / "in" / bundle.name
    assert remote.read_bytes() == bundle.read_bytes()
    assert not list((dav.root / "in").glob(".*.part"))
    rc, [again], err = _upload(cli_env, config, bundle, dav.url, secrets=secrets)
    assert rc == 0 and again["status"] == "already there", err
    other = _bundle(tmp_path / "b", bundle.name, seed=5)
    rc, [refused], _err = _upload(cli_env, config, other, dav.url, secrets=secrets)
    assert rc == 1 and "--replace" in refused["error"]
    assert remote.read_bytes() == bundle.read_bytes()
    rc, [replaced], err = _upload(cli_env, config, other,
                                  dav.url.replace("http://", "webdav://"), "--replace",
                                  secrets=secrets)
    assert rc == 0 and replaced["status"] == "replaced", err
    assert remote.read_bytes() == other.read_bytes()


def test_webdav_cut_mid_file_is_sent_again_whole(dav: Dav, tmp_path: Path) -> None:
    from digitize.bundle.webdav import DavAuth, upload_webdav

    bundle = _bundle(tmp_path, "uuid-DAVCUT.zip", size=2_000_000, seed=7)
    dav.cut_next_put()
    delivery = upload_webdav(bundle, dav.url, DavAuth(user=dav.user, password=dav.password),
                             replace=False, backoff=0.1)
    assert delivery.status == "uploaded"
    assert (dav.root / "in" / bundle.name).read_bytes() == bundle.read_bytes()


@pytest.mark.parametrize("how", ["endless read-back", "slow reader"])
def test_webdav_file_transfers_have_a_deadline_that_grows_with_the_file(
        dav: Dav, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Whole files kept requests' timeout per wait only: a share that answers the read-back
    GET a byte every 0.2 s without end, or reads the PUT's body 64 kB every 0.05 s (1.3 MB/s,
    26 s for this bundle), held the upload as long as it went on (each wait well within the
    timeout). Now a file's transfer has three timeouts plus its size at answers.MIN_RATE
    (raised here to 4 MB/s: 11 s, so the test takes seconds, not minutes); the slow try is cut
    and the bundle sent again."""
    from digitize import answers
    from digitize.bundle.webdav import DavAuth, upload_webdav

    monkeypatch.setattr(answers, "MIN_RATE", 4 << 20)
    # Larger than loopback's socket buffers, so that the slow reader holds the send back.
    bundle = _bundle(tmp_path, f"uuid-DAVPACED-{how.split()[0]}.zip", size=32 << 20, seed=12)
    (dav.trickle_next_get if how == "endless read-back" else dav.slow_next_put)()
    with ThreadPoolExecutor(1) as pool:  # a hang fails the test instead of holding it
        started = time.monotonic()
        sending = pool.submit(upload_webdav, bundle, dav.url,
                              DavAuth(user=dav.user, password=dav.password), replace=False,
                              backoff=0.1, timeout=1.0)
        try:
            delivery = sending.result(timeout=60)
        finally:
            dav.stop_trickling()  # an unbounded read-back would never end
    assert time.monotonic() - started < 20  # unbounded, the slow reader alone takes 26 s
    assert delivery.status == "uploaded"
    assert (dav.root / "in" / bundle.name).read_bytes() == bundle.read_bytes()


def test_webdav_answer_trickled_without_end_is_cut_and_the_bundle_sent_again(
        dav: Dav, tmp_path: Path) -> None:
    """A share that answers MOVE a byte every 0.2 s, each within the timeout, held the upload
    for as long as it kept sending; now the answer has a deadline of three timeouts, and the
    bundle is sent again (the MOVE never happened)."""
    from digitize.bundle.webdav import DavAuth, upload_webdav

    bundle = _bundle(tmp_path, "uuid-DAVSLOW.zip", size=200_000, seed=11)
    dav.trickle_next_move()
    started = time.monotonic()
    delivery = upload_webdav(bundle, dav.url, DavAuth(user=dav.user, password=dav.password),
                             replace=False, backoff=0.1, timeout=1.0)
    assert time.monotonic() - started < 20
    assert delivery.status == "uploaded"
    assert (dav.root / "in" / bundle.name).read_bytes() == bundle.read_bytes()


def test_webdav_wrong_credentials_exit_4_and_write_nothing(cli_env: Env, dav: Dav,
                                                           tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, f'user = "{dav.user}"')
    bundle = _bundle(tmp_path / "a", "uuid-DAVNEVER.zip")
    rc, receipts, err = _upload(cli_env, config, bundle, dav.url,
                                secrets={"DIGITIZE_UPLOAD_PASSWORD": "wrong"})
    assert rc == 4 and receipts == [] and "refused the credentials" in err, err
    assert "wrong" not in err
    assert not list((dav.root / "in").glob("*DAVNEVER*"))
    assert os.environ.get("DIGITIZE_UPLOAD_PASSWORD") is None

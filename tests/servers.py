"""Real servers the transport tests deliver to, on 127.0.0.1 and ephemeral ports: OpenSSH's
sshd run as an unprivileged user with throw-away host and user keys, and a wsgidav WebDAV share
with basic authentication; a PostgreSQL server for the shared index; and a Dask cluster (a
`dask scheduler` and `dask worker` processes) for `run --executor dask://`."""

from __future__ import annotations

import contextlib
import getpass
import io
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SSHD = Path("/usr/sbin/sshd")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen[Any], what: str,
                   said: Callable[[], str], tries: int = 200) -> None:
    """Until the server process `proc` listens on 127.0.0.1:`port`; RuntimeError with what it
    said (`said()`) when it exits or never listens."""
    for _ in range(tries):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {said()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}: {said()}")


@dataclass
class Sshd:
    folder: Path  # the drop folder on the server
    port: int
    user: str
    user_key: Path
    other_key: Path  # a key the server does not accept
    known_hosts: Path
    host_pub: str
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"sftp://{self.user}@127.0.0.1:{self.port}{self.folder}"

    def _sessions(self) -> tuple[int, list[int]]:
        """How many sessions there are, and their processes (the listener's children and
        theirs: the connection and its SFTP process)."""
        def below(pid: int) -> list[int]:
            kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                  text=True).stdout.split()
            return [k for kid in kids for k in (int(kid), *below(int(kid)))]

        sessions = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        return len(sessions), [p for s in sessions for p in (int(s), *below(int(s)))]

    def cut_sessions(self) -> int:
        """Kill every session: the client's connection drops mid-transfer, as when a link
        fails."""
        count, pids = self._sessions()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return count

    def stall_sessions(self) -> list[int]:
        """Stop every session's processes (SIGSTOP): the connection stays open and nothing
        answers on it, as with a hung server. The caller kills them after."""
        pids = self._sessions()[1]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        return pids


@contextmanager
def running_sshd(client: Path) -> Iterator[Sshd]:
    """sshd on 127.0.0.1 as an unprivileged user (nobody when the tests run as root, else the
    tests' own user: a non-root sshd can only let in the user it runs as), key authentication
    only; PAM does the account check, since an unprivileged sshd cannot read shadow. The
    server's folder is a fresh one under the system temp folder (pytest's is closed to other
    users); the client's key copies go in `client`."""
    client.mkdir(parents=True, exist_ok=True)
    top = Path(tempfile.mkdtemp(prefix="digitize-sshd-"))
    root = top / "server"
    root.mkdir()
    as_root = os.geteuid() == 0
    user = pwd.getpwuid(65534).pw_name if as_root else getpass.getuser()
    for name in ("host_key", "user_key", "other_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(root / name)],
                       check=True)
    (root / "authorized_keys").write_text((root / "user_key.pub").read_text())
    drop = root / "drop"
    drop.mkdir()
    port = free_port()
    host_pub = (root / "host_key.pub").read_text().strip()
    (root / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub}\n")
    (root / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {root / 'host_key'}\n"
        f"PidFile {root / 'sshd.pid'}\nUsePAM yes\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        f"AuthorizedKeysFile {root / 'authorized_keys'}\nStrictModes no\n"
        "Subsystem sftp internal-sftp\nLogLevel VERBOSE\n")
    prefix: list[str] = []
    if as_root:
        for p in (top, root, *root.rglob("*")):
            shutil.chown(p, 65534, 65534)
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    (root / "host_key").chmod(0o600)
    for key in ("user_key", "other_key"):  # the client's copies
        shutil.copyfile(root / key, client / key)
        shutil.copyfile(root / f"{key}.pub", client / f"{key}.pub")
        (client / key).chmod(0o600)
    log = client / "sshd.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([*prefix, str(SSHD), "-D", "-e", "-f",
                                 str(root / "sshd_config")], stdout=out, stderr=out)
    try:
        wait_listening(port, proc, "sshd", lambda: log.read_text(errors="replace"))
        yield Sshd(drop, port, user, client / "user_key", client / "other_key",
                   root / "known_hosts", host_pub, proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(top, ignore_errors=True)


@dataclass
class Dav:
    root: Path  # the share's folder on disk
    url: str
    user: str
    password: str
    cut_next_put: Callable[[], None]  # the next PUT drops its connection half-way
    # The next MOVE is not made, and answered a byte every 0.2 s (each within any timeout).
    trickle_next_move: Callable[[], None]
    # The next GET is answered a byte every 0.2 s, without end.
    trickle_next_get: Callable[[], None]
    # The next PUT's body is read 64 kB every 0.05 s (each wait within any timeout), then kept.
    slow_next_put: Callable[[], None]
    stop_trickling: Callable[[], None]  # an endless answer ends now


@contextmanager
def running_webdav(root: Path) -> Iterator[Dav]:
    """wsgidav on cheroot, in a thread, serving `root` at /dav with basic authentication."""
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    root.mkdir(parents=True, exist_ok=True)
    (root / "in").mkdir()
    user, password = "archive", "luu-tru-2026"
    app = WsgiDAVApp({
        "provider_mapping": {"/dav": str(root)},
        "simple_dc": {"user_mapping": {"*": {user: {"password": password}}}},
        "http_authenticator": {"accept_basic": True, "accept_digest": False,
                               "default_to_digest": False},
        "verbose": 0, "logging": {"enable_loggers": []}, "lock_storage": True})
    cut = {"next": False, "move": False, "get": False, "slow_put": False}
    stop = threading.Event()

    def endless() -> Iterator[bytes]:
        while not stop.is_set():
            time.sleep(0.2)
            yield b"x"

    def cutting(environ, start_response):  # type: ignore[no-untyped-def]
        if environ["REQUEST_METHOD"] == "PUT" and cut["next"]:
            cut["next"] = False
            environ["wsgi.input"].read(256 * 1024)
            raise ConnectionAbortedError("cut half-way (test)")
        if environ["REQUEST_METHOD"] == "PUT" and cut["slow_put"]:
            cut["slow_put"] = False
            body = bytearray()
            while block := environ["wsgi.input"].read(64 * 1024):
                body += block
                time.sleep(0.05)
            environ["wsgi.input"] = io.BytesIO(bytes(body))
        if environ["REQUEST_METHOD"] == "GET" and cut["get"]:
            cut["get"] = False
            start_response("200 OK", [("Content-Type", "application/zip")])
            return endless()
        if environ["REQUEST_METHOD"] == "MOVE" and cut["move"]:
            cut["move"] = False
            body = b"moved" * 40
            start_response("201 Created", [("Content-Type", "text/plain"),
                                           ("Content-Length", str(len(body)))])
            return (time.sleep(0.2) or body[i:i + 1] for i in range(len(body)))
        return app(environ, start_response)

    server = wsgi.Server(("127.0.0.1", 0), cutting)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield Dav(root, f"http://127.0.0.1:{server.bind_addr[1]}/dav/in", user, password,
                  lambda: cut.update(next=True), lambda: cut.update(move=True),
                  lambda: (stop.clear(), cut.update(get=True)), lambda: cut.update(slow_put=True),
                  stop.set)
    finally:
        stop.set()
        server.stop()
        thread.join(timeout=10)


def _postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries Debian installed (package postgresql)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


@dataclass
class Postgres:
    """A PostgreSQL server of the tests' own: password (SCRAM) login over TCP on 127.0.0.1."""

    top: Path
    port: int
    user: str
    password: str
    prefix: list[str]
    bin: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.top / "data"),
                        *args], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._ctl("-w", "-l", str(self.top / "server.log"), "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.top} -c fsync=off "
                  "-c synchronous_commit=off -c full_page_writes=off", "start")

    def stop(self) -> None:
        self._ctl("-w", "-m", "fast", "stop")

    def new_database(self, name: str) -> str:
        """A fresh, empty database; returns its URL (without the password)."""
        import psycopg

        with psycopg.connect(self.url(), password=self.password, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def running_postgres() -> Iterator[Postgres]:
    """initdb and postgres in a fresh folder, as an unprivileged user (nobody when the tests run
    as root: the server refuses to run as root), on 127.0.0.1 and a free port; stopped and
    removed afterwards. Raises RuntimeError with the reason when it cannot be started."""
    bindir = _postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    top = Path(tempfile.mkdtemp(prefix="digitize-pg-"))
    password = "pg-" + os.urandom(8).hex()
    (top / "pw").write_text(password)
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(top, 65534, 65534)
        shutil.chown(top / "pw", 65534, 65534)
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    pg = Postgres(top, free_port(), "digitize", password, prefix, bindir)
    try:
        init = subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(top / "data"), "-U",
                               pg.user, "--pwfile", str(top / "pw"), "--auth=scram-sha-256",
                               "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                              capture_output=True, text=True, timeout=120, check=False)
        if init.returncode:
            raise RuntimeError(f"initdb failed: {init.stderr.strip()}")
        try:
            pg.start()
        except subprocess.CalledProcessError as exc:
            log = top / "server.log"
            raise RuntimeError(f"postgres did not start: {exc.stderr!r} "
                               f"{log.read_text(errors='replace') if log.exists() else ''}"
                               ) from exc
        yield pg
    finally:
        with contextlib.suppress(Exception):
            pg.stop()
        shutil.rmtree(top, ignore_errors=True)


@contextlib.contextmanager
def serving_desk(digitize: str, out: Path, config: Path, env: dict[str, str],
                 tries: int = 400) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """`digitize serve OUT` on 127.0.0.1 (uvicorn, as the desk runs it) while the block runs:
    its port and process. What it says goes to a temporary file, never to a pipe: nobody reads
    a pipe while the server runs, and once one is full every thread of the server that logs
    stops (a job's warning, then the jobs after it)."""
    port = free_port()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        proc = subprocess.Popen([digitize, "serve", str(out), "--port", str(port), "--config",
                                 str(config)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                text=True)

        def said() -> str:
            log.seek(0)
            return log.read()

        try:
            wait_listening(port, proc, "digitize serve", said, tries=tries)
            yield port, proc
        finally:
            proc.terminate()
            proc.wait(timeout=60)


@dataclass
class DaskCluster:
    """A real Dask cluster on 127.0.0.1: a `dask scheduler` and a `dask worker` process that
    runs `workers` worker processes (under their nannies) of one thread each (none when
    `workers` is 0: a scheduler alone)."""

    address: str  # tcp://127.0.0.1:PORT
    scheduler: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes] | None
    log: Path

    @property
    def spec(self) -> str:
        """What `digitize run --executor` takes."""
        return "dask://" + self.address.split("://", 1)[1]

    def said(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@contextmanager
def running_dask(workers: int, bindir: Path, env: dict[str, str] | None = None,
                 timeout_s: float = 60) -> Iterator[DaskCluster]:
    """`dask scheduler` on 127.0.0.1 and a free port, and `dask worker --nworkers N --nthreads
    1` connected to it, until all N workers have joined; both stopped (SIGTERM, then SIGKILL)
    afterwards. RuntimeError with what they said when they do not come up in `timeout_s`."""
    top = Path(tempfile.mkdtemp(prefix="digitize-dask-"))
    log = top / "cluster.log"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with log.open("ab") as sink:
            procs.append(subprocess.Popen(
                [str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                 "--no-dashboard", "--scheduler-file", str(top / "scheduler.json")],
                stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True))
            deadline = time.monotonic() + timeout_s
            while not (top / "scheduler.json").is_file():
                if procs[0].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dask scheduler did not start: {log.read_text()}")
                time.sleep(0.1)
            time.sleep(0.1)  # written in one go, but give the writer its close
            address = json.loads((top / "scheduler.json").read_text())["address"]
            procs.extend([subprocess.Popen(
                [str(bindir / "dask"), "worker", address, "--nworkers", str(workers),
                 "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                 "--local-directory", str(top / "workers")],
                stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)]
                         if workers else [])
        cluster = DaskCluster(address, procs[0], procs[-1] if workers else None, log)
        from distributed import Client

        with Client(address, timeout=timeout_s) as client:  # also: the scheduler answers
            try:
                if workers:
                    client.wait_for_workers(workers, timeout=timeout_s)
            except TimeoutError as exc:
                raise RuntimeError(f"{workers} dask workers did not join: {cluster.said()}"
                                   ) from exc
        yield cluster
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(top, ignore_errors=True)

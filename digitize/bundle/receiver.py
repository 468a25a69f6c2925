"""Reference archive receiver: the upload protocol `digitize upload` speaks, served with the
standard library, for tests and for archive teams to copy. It can be told to fail.

Protocol (JSON bodies; `Authorization: Bearer TOKEN` when the receiver has a token):

    GET    /bundles/NAME                 200 {"name","complete","size","sha256","received"}
                                         404 when it holds nothing of NAME
    PUT    /bundles/NAME/data?offset=N   append the body at byte N of the partial upload;
                                         200 {"received"}; 409 {"received"} when N is not
                                         where the partial upload ends
    POST   /bundles/NAME/complete        {"sha256","size","replace"}: check the partial upload
                                         and store it; 201 receipt {"status":"stored","sha256",
                                         "size"}; 200 {"status":"exists"} when the same bytes are
                                         already stored; 409 when different bytes are stored and
                                         replace is false; 422 when the checksum does not match
                                         (the partial upload is discarded)
    DELETE /bundles/NAME/data            discard a partial upload

Run one:  python -m digitize.bundle.receiver STORE_DIR [--port 8080] [--token-file FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from digitize.answers import send_answer
from digitize.i18n import _

FAULTS = ("drop", "500", "slow", "trickle", "wrong_checksum")
TRICKLE_S = 0.2  # "trickle": the receipt a byte at a time, this far apart


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest().upper()


class Receiver(ThreadingHTTPServer):
    """Serves STORE/NAME (complete bundles) and STORE/.partial/NAME (uploads under way)."""

    daemon_threads = True

    def __init__(self, store: Path, host: str = "127.0.0.1", port: int = 0,
                 token: str | None = None) -> None:
        super().__init__((host, port), _Handler)
        self.store = store
        self.token = token
        self.faults: deque[str] = deque()
        self.lock = threading.Lock()
        self.requests = 0
        (store / ".partial").mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, *faults: str) -> None:
        """Make the next requests fail, one fault each, in order."""
        for f in faults:
            if f not in FAULTS:
                raise ValueError(_("unknown fault {f}").format(f=f))
            self.faults.append(f)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, format: str, *args: object) -> None:  # quiet by default
        pass

    trickle_s = 0.0  # this request's answer a byte at a time (the "trickle" fault)

    def _reply(self, code: int, body: dict) -> None:
        send_answer(self, code, json.dumps(body).encode(), "application/json", self.trickle_s)

    def _route(self) -> tuple[str, str, dict[str, list[str]]] | None:
        url = urlparse(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        if len(parts) < 2 or parts[0] != "bundles" or not parts[1] or "/" in parts[1] or \
                parts[1].startswith("."):
            self._reply(404, {"error": "no such endpoint"})
            return None
        if self.server.token and self.headers.get("Authorization") != \
                f"Bearer {self.server.token}":
            self._reply(401, {"error": "missing or wrong token"})
            return None
        return parts[1], "/".join(parts[2:]), parse_qs(url.query)

    def _fault(self, applicable: tuple[str, ...]) -> str | None:
        """The next injected fault, when it applies to this kind of request."""
        with self.server.lock:
            self.server.requests += 1
            faults = self.server.faults
            return faults.popleft() if faults and faults[0] in applicable else None

    def _injected(self, fault: str | None, unread: int) -> bool:
        """Apply a 500 (answered: True, after taking the unread body), a slow answer or a
        trickled one."""
        if fault == "500":
            self.rfile.read(unread)
            self._reply(500, {"error": "injected failure"})
            return True
        if fault == "slow":
            time.sleep(1.0)
        if fault == "trickle":
            self.trickle_s = TRICKLE_S
        return False

    def _paths(self, name: str) -> tuple[Path, Path]:
        return self.server.store / name, self.server.store / ".partial" / name

    def _status(self, name: str) -> dict:
        done, part = self._paths(name)
        return {"name": name, "complete": done.exists(),
                "size": done.stat().st_size if done.exists() else None,
                "sha256": _sha256(done) if done.exists() else None,
                "received": part.stat().st_size if part.exists() else 0}

    def do_GET(self) -> None:
        route = self._route()
        if route is None:
            return
        status = self._status(route[0])
        if not status["complete"] and not status["received"]:
            self._reply(404, {"error": "unknown bundle", "received": 0})
        else:
            self._reply(200, status)

    def do_PUT(self) -> None:
        route = self._route()
        if route is None:
            return
        name, rest, query = route
        fault = self._fault(("drop", "500", "slow"))
        length = int(self.headers.get("Content-Length", "0"))
        if fault == "drop":
            self.rfile.read(length // 2)  # take half the chunk, then hang up
            self.close_connection = True
            self.connection.close()
            return
        if self._injected(fault, length):
            return
        if rest != "data":
            self._reply(404, {"error": "no such endpoint"})
            return
        _final, part = self._paths(name)
        offset = int(query.get("offset", ["0"])[0])
        with self.server.lock:
            received = part.stat().st_size if part.exists() else 0
            if offset != received:
                self.rfile.read(length)
                self._reply(409, {"received": received})
                return
            body = self.rfile.read(length)
            with open(part, "ab") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            self._reply(200, {"received": received + len(body)})

    def do_POST(self) -> None:
        route = self._route()
        if route is None:
            return
        name, rest, _match = route
        fault = self._fault(("500", "slow", "trickle", "wrong_checksum"))
        if self._injected(fault, 0):
            return
        if rest != "complete":
            self._reply(404, {"error": "no such endpoint"})
            return
        claim = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or "{}")
        done, part = self._paths(name)
        with self.server.lock:
            if done.exists() and not part.exists():
                same = _sha256(done) == claim.get("sha256")
                self._reply(200 if same else 409, {"status": "exists" if same else "conflict",
                                                   "sha256": _sha256(done)})
                return
            if not part.exists():
                self._reply(404, {"error": "nothing uploaded"})
                return
            actual = _sha256(part)
            if actual != claim.get("sha256") or part.stat().st_size != claim.get("size"):
                part.unlink()
                self._reply(422, {"error": "checksum mismatch", "sha256": actual})
                return
            if done.exists() and _sha256(done) != actual and not claim.get("replace"):
                part.unlink()
                self._reply(409, {"status": "conflict", "sha256": _sha256(done)})
                return
            os.replace(part, done)
        receipt = {"status": "stored", "sha256": actual, "size": done.stat().st_size}
        if fault == "wrong_checksum":
            receipt["sha256"] = "0" * 64
        self._reply(201, receipt)

    def do_DELETE(self) -> None:
        route = self._route()
        if route is None:
            return
        _final, part = self._paths(route[0])
        part.unlink(missing_ok=True)
        self._reply(200, {"received": 0})


def main() -> None:
    ap = argparse.ArgumentParser(description="digitize reference archive receiver")
    ap.add_argument("store", type=Path)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--token-file", type=Path)
    args = ap.parse_args()
    token = args.token_file.read_text().strip() if args.token_file else None
    server = Receiver(args.store, args.host, args.port, token)
    print(f"digitize receiver: storing into {args.store} at {server.url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

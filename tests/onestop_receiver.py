"""A one-stop system of the tests' own on 127.0.0.1: it answers the two services a desk uses as
one-stop systems do (JSON `{"error_code", "message", …}`, 0 for done), checks every dossier sent
against tests/onestop.schema.json (and that its text is NFC), keeps one record per MaHoSo (adding
one that exists, or updating one that does not, is an error answer), and can be told to fail:
refuse the token (401), answer garbage, hang (no answer), answer 500, refuse a dossier."""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from digitize.answers import send_answer
from digitize.devtools.loopback import serving

SCHEMA = Path(__file__).with_name("onestop.schema.json")
PATH = "/api/dvc"


def _not_nfc(value: Any, where: str = "") -> str | None:
    if isinstance(value, str):
        return where if not unicodedata.is_normalized("NFC", value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    return next((bad for k, v in items if (bad := _not_nfc(v, f"{where}/{k}"))), None)


class OnestopSystem(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, token: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.token = token
        self.validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
        self.records: dict[str, dict] = {}
        self.ops: list[tuple[str, str]] = []  # ("add" | "update", MaHoSo)
        self.mode = ""  # "", "garbage", "hang": every request
        self.hang_for: set[str] = set()  # requests naming these dossier codes hang
        # Requests naming these codes are answered a byte at a time, this far apart.
        self.trickle_for: set[str] = set()
        self.trickle_s = 0.2
        self.fail_next = 0  # the next requests answer 500
        self.refuse: dict[str, str] = {}  # MaHoSo -> the error message its sending gets
        self.release = threading.Event()  # ends the hanging requests
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{PATH}"

    def answer(self, body: dict) -> dict:
        """The answer to one request's JSON body."""
        service = body.get("service")
        if service == "TraCuuHoSo":
            held = self.records.get(str(body.get("MaHoSo")))
            return {"error_code": 0, "message": "Thành công", "result": [held] if held else []}
        if service != "DongBoHoSoMC":
            return {"error_code": -1, "message": f"Dịch vụ không hỗ trợ: {service}"}
        problems = sorted(self.validator.iter_errors(body), key=lambda e: list(e.path))
        if problems:
            first = problems[0]
            return {"error_code": -1, "message": "Dữ liệu không hợp lệ: "
                    f"{'/'.join(map(str, first.path))}: {first.message}"}
        if (bad := _not_nfc(body)) is not None:
            return {"error_code": -1, "message": f"Chuỗi không ở dạng NFC: {bad}"}
        updating = body["isUpdating"] == "True"
        for record in body["data"]:
            code = record["MaHoSo"]
            if code in self.refuse:
                return {"error_code": -1, "message": self.refuse[code]}
            if updating != (code in self.records):
                return {"error_code": -1, "message": f"Hồ sơ {code} đã tồn tại" if not updating
                        else f"Không tìm thấy hồ sơ {code} để cập nhật"}
        for record in body["data"]:
            self.ops.append(("update" if updating else "add", record["MaHoSo"]))
            self.records[record["MaHoSo"]] = record
        return {"error_code": 0, "message": "Cập nhật thành công" if updating
                else "Thêm mới thành công"}


class _Handler(BaseHTTPRequestHandler):
    server: OnestopSystem

    def log_message(self, format: str, *args: object) -> None:
        pass

    trickle_s = 0.0  # this request's answer a byte at a time, this far apart

    def _reply(self, code: int, data: bytes, kind: str = "application/json") -> None:
        send_answer(self, code, data, kind, self.trickle_s)

    def _json(self, code: int, body: dict) -> None:
        self._reply(code, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                    "application/json; charset=utf-8")

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        server = self.server
        if self.path != PATH:
            return self._json(404, {"error_code": 404, "message": "Not Found"})
        if self.headers.get("Authorization") != f"Bearer {server.token}":
            return self._json(401, {"error_code": 401, "message": "Unauthorized"})
        text = raw.decode("utf-8", "replace")
        if any(code in text for code in server.trickle_for):
            self.trickle_s = server.trickle_s
        if server.mode == "hang" or any(code in text for code in server.hang_for):
            server.release.wait(30)  # no answer: the client's timeout ends it
            self.close_connection = True
            return None
        if server.mode == "garbage":
            return self._reply(200, b"<html><body>Service Temporarily Unavailable</body></html>",
                               "text/html")
        with server.lock:
            if server.fail_next:
                server.fail_next -= 1
                return self._json(500, {"error_code": 500, "message": "Internal Server Error"})
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return self._json(200, {"error_code": -1, "message": "Dữ liệu không phải JSON"})
            return self._json(200, server.answer(body) if isinstance(body, dict) else
                              {"error_code": -1, "message": "Dữ liệu không hợp lệ"})


@contextmanager
def running_onestop(token: str = "mot-cua-2026") -> Iterator[OnestopSystem]:
    server = OnestopSystem(token)
    try:
        with serving(server):
            yield server
    finally:
        server.release.set()

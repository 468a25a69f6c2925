"""Deliver finished dossiers' records to the provincial one-stop system (`upload --to
onestop+https://…`, or `--to onestop` for `[onestop] url`): what the system holds under the
dossier code is asked first (TraCuuHoSo); the same record is "already there", a new one is added
and a changed one updated (DongBoHoSoMC, isUpdating) — never a second copy; the system's copy
is then read back and compared, as a bundle's checksum is. One request carries one whole record,
so nothing is half-sent. Connection failures, timeouts and 5xx answers are retried with backoff;
refused credentials stop the batch (exit 4); no answer in time or an answer that is not a
one-stop system's fails that dossier, the others are still tried, and the command exits 4. The
record's fields are made by `digitize.bundle.onestop_map`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import requests

from digitize import answers
from digitize.bundle.onestop_map import (
    Record,
    RecordOptions,
    canonical,
    checksum,
    dossier_record,
    found_records,
    holds,
    lookup_request,
    record_code,
    send_request,
    succeeded,
)
from digitize.bundle.upload_common import Delivery, TargetProblem, UploadError
from digitize.config import Config
from digitize.errors import CredentialError, UsageProblem
from digitize.i18n import N_, _
from digitize.model import DOSSIER_RECORD, dossier_records, read_dossier
from digitize.signing.secrets import read_secret

ENV_ONESTOP_TOKEN = "DIGITIZE_ONESTOP_TOKEN"
PREFIX = "onestop+"


def is_onestop(target: str) -> bool:
    """`onestop` ([onestop] url) or onestop+https://…"""
    return target.lower() == "onestop" or target.lower().startswith(PREFIX)


@dataclass(frozen=True)
class OnestopSettings:
    url: str  # http(s)://…, no credentials in it
    token: str | None
    record: RecordOptions
    timeout: float = 30.0
    retries: int = 6

    @property
    def shown(self) -> str:
        return PREFIX + self.url


def onestop_settings(cfg: Config, target: str) -> OnestopSettings:
    """The URL from `target` (onestop+URL), or [onestop] url for `onestop`; the token from
    $DIGITIZE_ONESTOP_TOKEN or [onestop] token_file; [onestop] files_url is required."""
    url = target[len(PREFIX):] if target.lower().startswith(PREFIX) else cfg.onestop.url
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageProblem(_("{url}: give the one-stop system as onestop+https://host/path, or "
                             "set [onestop] url.").format(url=url or target))
    if parsed.password or parsed.username:
        raise UsageProblem(_("Put no user or password in the URL (it would show in the process "
                             "list and logs); use ${env} or [onestop] token_file.").format(
                               env=ENV_ONESTOP_TOKEN))
    if not cfg.onestop.files_url:
        raise UsageProblem(_("Set [onestop] files_url: the address where the one-stop system "
                             "downloads the desk's files (the output folder published there)."))
    token = read_secret(ENV_ONESTOP_TOKEN, cfg.onestop.token_file,
                        N_("one-stop system token")) or None
    if token is not None and not token.isascii():
        raise CredentialError(_("The one-stop system's token (${env} or [onestop] token_file) "
                                "holds characters an HTTP header cannot carry; check it.").format(
                                  env=ENV_ONESTOP_TOKEN))
    record = RecordOptions(cfg.onestop.files_url, cfg.agency.code, dict(cfg.onestop.rename),
                           dict(cfg.onestop.extra))
    return OnestopSettings(urlunparse(parsed._replace(fragment="")), token, record,
                           cfg.onestop.timeout_s, cfg.onestop.retries)


def dossier_folders(paths: list[Path]) -> list[Path]:
    """Each dossier's output folder: a dossier's folder as it is, an output folder as the
    dossiers in it (dossier_records: not its hidden working folders); anything else as it is
    (it fails with its reason)."""
    found: list[Path] = []
    for p in paths:
        records = dossier_records(p) if p.is_dir() else []
        found += [r.parent for r in records] or [p]
    return found


ANSWER_LIMIT = 16 * 2**20  # a dossier's records, as the system holds them: a few kB


class _Retry(OSError):
    """An answer worth trying again (5xx)."""


class _Exchange:
    def __init__(self, session: requests.Session, settings: OnestopSettings) -> None:
        self.s, self.settings = session, settings

    def call(self, body: Record) -> dict[str, Any]:
        s = self.settings
        answer = answers.request(self.s, "POST", s.url, timeout=s.timeout, limit=ANSWER_LIMIT,
                                 data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "Accept": "application/json"})
        if answer.status_code in (401, 403):
            raise CredentialError(_("The one-stop system at {url} refused the token ({code}); "
                                    "check ${env} or [onestop] token_file.").format(
                                      url=s.url, code=answer.status_code, env=ENV_ONESTOP_TOKEN))
        if answer.status_code >= 500:
            raise _Retry(_("it answered {code}").format(code=answer.status_code))
        try:
            parsed = json.loads(answer.content)
        except ValueError:
            parsed = None
        if answer.status_code != 200 or not isinstance(parsed, dict) or \
                "error_code" not in parsed:
            raise TargetProblem(_("{url} did not answer as a one-stop system does (HTTP {code}, "
                                  "{kind}); check [onestop] url.").format(
                                    url=s.url, code=answer.status_code,
                                    kind=answer.headers.get("Content-Type") or "no type"))
        return parsed

    def held(self, code: str) -> list[Record]:
        answer = self.call(lookup_request(code, self.settings.record))
        return found_records(answer) if succeeded(answer) else []

    def deliver(self, record: Record, code: str) -> str:
        before = self.held(code)
        if before and holds(before[0], record):
            return "already there"
        answer = self.call(send_request([record], bool(before), self.settings.record))
        if not succeeded(answer):
            raise UploadError(_("The one-stop system refused dossier {code} (error {error}: "
                                "{message}).").format(code=code, error=answer.get("error_code"),
                                                      message=answer.get("message", "")))
        after = self.held(code)
        if not after or not holds(after[0], record, every=False):
            raise UploadError(_("The one-stop system does not show dossier {code} as it was "
                                "sent; run the same command again.").format(code=code))
        return "updated" if before else "uploaded"


def _problem(exc: Exception, timeout: float) -> str:
    if isinstance(exc, answers.TooLarge):
        return _("an answer longer than {mb:g} MB").format(mb=exc.limit / 2**20)
    if isinstance(exc, requests.Timeout):
        return _("no answer within {seconds:g} s").format(
            seconds=exc.seconds if isinstance(exc, answers.TooSlow) else timeout)
    if isinstance(exc, requests.ConnectionError):
        return _("no connection")
    return str(exc)


def upload_onestop(folder: Path, settings: OnestopSettings, backoff: float = 0.5) -> Delivery:
    """Send the record of the dossier whose output folder is `folder`."""
    if not (folder / DOSSIER_RECORD).is_file():
        raise UploadError(_("{path} is not a dossier's output folder (no {record}); give the "
                            "folders 'digitize run' made.").format(path=folder,
                                                                  record=DOSSIER_RECORD))
    record = dossier_record(read_dossier(folder), folder, settings.record)
    code = record_code(record, settings.record)
    sha, size = checksum(record), len(canonical(record))
    delay, problem = backoff, ""
    for attempt in range(settings.retries):
        try:
            with requests.Session() as s:
                if settings.token:
                    s.headers["Authorization"] = f"Bearer {settings.token}"
                status = _Exchange(s, settings).deliver(record, code)
            return Delivery(str(folder), settings.shown, status, sha, size)
        except (OSError, requests.RequestException) as exc:
            problem = _problem(exc, settings.timeout)
        if attempt < settings.retries - 1:
            time.sleep(delay)
            delay *= 2
    raise TargetProblem(_("The one-stop system at {url} did not take dossier {code} after "
                          "{tries} tries ({problem}); run the same command again later, it "
                          "sends each dossier once.").format(
                            url=settings.url, code=code, tries=settings.retries,
                            problem=problem))

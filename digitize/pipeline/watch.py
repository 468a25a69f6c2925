"""Watch a scanner's drop folder: each dossier folder is processed once its files have stopped
changing for a settling time (scanners write files slowly), again when its files change, and
never while they are still being written. Bad input is reported and the watch goes on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from digitize.errors import DigitizeError, NoInputError
from digitize.i18n import _
from digitize.identity import Identity
from digitize.model import RunSummary
from digitize.pipeline.inputs import DossierInput, discover
from digitize.pipeline.options import Progress, RunOptions
from digitize.pipeline.run import run_dossiers

Signature = tuple[tuple[str, int, int], ...]


def _signature(d: DossierInput) -> Signature:
    out = []
    for f in d.files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((f.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


@dataclass
class Watcher:
    inbox: Path
    opts: RunOptions
    identity: Identity | None
    settle_s: float = 30.0
    on_result: Callable[[RunSummary], None] = lambda summary: None
    on_error: Callable[[str], None] = lambda message: None
    progress: Progress = field(default_factory=Progress)
    _done: dict[Path, Signature] = field(default_factory=dict)
    _seen: dict[Path, tuple[Signature, float]] = field(default_factory=dict)

    def poll(self, now: float | None = None) -> int:
        """One look at the inbox; returns how many dossiers were processed."""
        now = time.monotonic() if now is None else now
        try:
            dossiers = discover([self.inbox])
        except OSError as exc:
            self.on_error(_("Cannot look into {path} ({reason}); trying again.").format(
                path=self.inbox, reason=exc))
            return 0
        ready = []
        for d in dossiers:
            sig = _signature(d) if d.files else ()
            if not sig and not d.problems:
                continue
            if self._done.get(d.folder) == sig:
                continue
            first = self._seen.get(d.folder)
            if first is None or first[0] != sig:
                self._seen[d.folder] = (sig, now)  # new or still changing: wait for it
                continue
            if now - first[1] >= self.settle_s:
                ready.append((d, sig))
        if not ready:
            return 0
        try:
            summary = run_dossiers([d for d, _ in ready], self.opts, self.identity, self.progress)
        except NoInputError:
            return 0
        except DigitizeError as exc:  # e.g. a `run` holds the output folder: try again later
            self.on_error(exc.message)
            return 0
        for d, sig in ready:
            self._done[d.folder] = sig
            self._seen.pop(d.folder, None)
        self.on_result(summary)
        return len(ready)

    def run(self, stop: threading.Event, interval_s: float = 5.0) -> None:
        while not stop.is_set():
            self.poll()
            stop.wait(interval_s)

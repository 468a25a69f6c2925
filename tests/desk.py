"""A desk's output folder with processed sample dossiers and the config `digitize serve` reads
for it: the web tests' desk, and the one benchmarks/load_test.py puts under load; and
Starlette's test client on the desk's app."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.testclient import TestClient

from digitize.config import Config, load_config
from digitize.web.app import create_app
from digitize.web.site import Site
from tests.conftest import SAMPLES, Env

FIRST = "000.00.31.H49-261120-0002"


@dataclass(frozen=True)
class Desk:
    config: Path
    out: Path
    inbox: Path
    dossier: Path  # the first dossier's input folder
    records: tuple[dict, ...]  # each dossier's record (dossier.json), in the order asked

    @property
    def record(self) -> dict:
        """The first dossier's record."""
        return self.records[0]

    @property
    def password_file(self) -> Path:
        return self.config.parent / "pw"


def desk_config(env: Env, top: Path, extra: str = "", web: str = "") -> Path:
    """A desk's config at `top`/config.toml: the test environment's, with an inbox, an index
    and a password file (not set) of its own under `top`; `extra` adds sections, `web` lines
    of [web]."""
    config = top / "config.toml"
    config.write_text(
        Path(env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8") + "\n" + extra
        + f'[scan]\ninbox = "{top / "inbox"}"\n[index]\npath = "{top / "index.sqlite"}"\n'
        f'[web]\n{web}password_file = "{top / "pw"}"\n', encoding="utf-8")
    return config


def prepare_desk(env: Env, top: Path, dossiers: Sequence[str] = (FIRST,)) -> Desk:
    """The sample `dossiers` run into `top`/out with a strict review threshold (several fields
    of each to review), trusting the demo root, with an inbox, an index and a password file
    (not set) of their own under `top`."""
    for name in dossiers:
        shutil.copytree(SAMPLES / name, top / "in" / name)
    config = desk_config(env, top, '[extract]\nmin_field_confidence = 0.995\n[review]\n'
                         f'operator = "Phạm Thu Hà"\n[verify]\ntrust = ["{env.ca_cert}"]\n')
    out = top / "out"
    res = env.run("run", str(top / "in"), "--out", str(out), "--config", str(config))
    assert res.returncode == 0, res.stderr
    records = tuple(json.loads((out / name / "dossier.json").read_text(encoding="utf-8"))
                    for name in dossiers)
    return Desk(config, out, top / "inbox", top / "in" / dossiers[0], records)


def archive_config(desk: Desk, archive: Path) -> Config:
    """`desk`'s config sending packages to the folder `archive` (made here), its journal
    beside it (uploads.jsonl)."""
    cfg = load_config(desk.config)
    cfg.upload.to = str(archive)
    cfg.upload.journal = archive.parent / "uploads.jsonl"
    archive.mkdir()
    return cfg


def desk_site(desk: Desk, max_mb: int = 200) -> Site:
    """The web desk over `desk`'s output folder, with its config and an upload limit of
    `max_mb` MB."""
    return Site(load_config(desk.config), [desk.out], max_mb)


def site_client(site: Site, hashed: str | None = None) -> TestClient:
    """Starlette's test client on the desk app for `site` (a login with the password hashed as
    `hashed`, or none), at http://127.0.0.1, redirects not followed."""
    return TestClient(create_app(site, hashed), base_url="http://127.0.0.1",
                      follow_redirects=False)


def desk_client(desk: Desk, hashed: str | None = None, max_mb: int = 200) -> TestClient:
    """`site_client` on `desk_site(desk, max_mb)`."""
    return site_client(desk_site(desk, max_mb), hashed)

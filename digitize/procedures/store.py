"""Where the desk keeps its imported catalogue ([procedures] file, else procedures.json in the
user data folder beside the index) and how it is written (whole, atomically) and read."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from digitize.config import Config
from digitize.errors import EnvironmentProblem
from digitize.fsutil import write_text_atomic
from digitize.i18n import _
from digitize.paths import data_dir
from digitize.procedures.model import Catalogue

CATALOGUE_NAME = "procedures.json"


def catalogue_path(cfg: Config) -> Path:
    return cfg.procedures.file or data_dir() / CATALOGUE_NAME


def save_catalogue(catalogue: Catalogue, path: Path) -> None:
    """Replace the stored catalogue whole (temporary file, then rename): a crash leaves the old
    one or the new one, never a mixture."""
    write_text_atomic(path, catalogue.model_dump_json(indent=2))


def load_catalogue(path: Path) -> Catalogue | None:
    """The stored catalogue; None when none was imported."""
    if not path.is_file():
        return None
    try:
        return Catalogue.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValidationError) as exc:
        raise EnvironmentProblem(_("The procedure catalogue {path} cannot be read ({reason}); "
                                   "import it again with `digitize procedures import "
                                   "FILE`.").format(path=path, reason=type(exc).__name__)
                                 ) from exc

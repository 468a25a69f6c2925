"""Where digitize keeps its files: the config file it reads, per-user data and state. The lowest
layer: it imports nothing of digitize, so that the interface language (`i18n`) can find the
config file without importing the config models, whose messages are themselves translated."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "digitize"
ENV_CONFIG = "DIGITIZE_CONFIG"
ENV_DATA = "DIGITIZE_DATA_DIR"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def named_config(path: Path | None = None) -> Path | None:
    """The config file the user named: `--config`, else $DIGITIZE_CONFIG; None when neither."""
    return path or (Path(os.environ[ENV_CONFIG]) if os.environ.get(ENV_CONFIG) else None)


def data_dir() -> Path:
    """Where digitize keeps per-user data (the demo identity, the index, font cuts)."""
    override = os.environ.get(ENV_DATA)
    return Path(override) if override else Path(platformdirs.user_data_dir(APP))


def state_dir() -> Path:
    """Where digitize keeps per-user state (the upload journal)."""
    return Path(platformdirs.user_state_dir(APP))

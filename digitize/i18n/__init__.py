"""The interface language: Vietnamese or English, from gettext catalogues (PO files, read with
Babel) rather than strings scattered in code.

The language is chosen once, when digitize starts: `--ui-lang`, else $DIGITIZE_UI_LANG, else
[ui] lang in the config, else the locale (LC_ALL, LC_MESSAGES, LANG): Vietnamese when it is
Vietnamese, English otherwise. Source strings are English; `_()` returns the chosen language's
text. Worker processes inherit the choice through $DIGITIZE_UI_LANG.

Click and Typer's own words (Usage, Options, Error…) are translated through the same catalogue.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from digitize.paths import data_dir

LANGS = ("vi", "en")
ENV = "DIGITIZE_UI_LANG"
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "digitize"


def catalogue_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


SOURCE_LANG = "en"  # the source strings are English: its catalogue maps each to itself


@functools.cache
def _catalogue(lang: str) -> dict[str, str]:
    if lang == SOURCE_LANG:
        return {}  # nothing to look up (tests/test_i18n.py checks the catalogue is the identity)
    path = catalogue_path(lang)
    if not path.is_file():
        return {}
    # Parsing the PO file with Babel costs ~0.13 s, at every command's start: its messages are
    # kept as JSON in the data folder, named by the PO file's size and time, and read back.
    st = path.stat()
    cached = data_dir() / "i18n" / f"{DOMAIN}-{lang}-{st.st_size}-{st.st_mtime_ns}.json"
    with contextlib.suppress(OSError, ValueError):
        return dict(json.loads(cached.read_text(encoding="utf-8")))
    from babel.messages.pofile import read_po

    with open(path, "rb") as fh:
        cat = read_po(fh, locale=lang)
    found = {str(m.id): str(m.string) for m in cat if m.id and m.string and not m.fuzzy}
    with contextlib.suppress(OSError):  # a read-only data folder: parse again next time
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cached)
        for old in cached.parent.glob(f"{DOMAIN}-{lang}-*.json"):  # earlier catalogues
            if old != cached:
                old.unlink(missing_ok=True)
    return found


def _option(argv: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _from_config(argv: Sequence[str]) -> str:
    """[ui] lang of the config file the command will read. Read here with tomllib alone: the
    config models' own messages need the language first."""
    import tomllib

    from digitize.paths import default_config_path, named_config

    path = _option(argv, "--config")
    try:
        named = named_config(Path(path) if path else None)
        data = tomllib.loads((named or default_config_path()).read_text(encoding="utf-8"))
        lang = data.get("ui", {}).get("lang", "")
        return lang if isinstance(lang, str) else ""
    except (OSError, ValueError, AttributeError):  # the command itself reports a broken config
        return ""


def _from_locale() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def choose(argv: Sequence[str]) -> str:
    for found in (_option(argv, "--ui-lang"), os.environ.get(ENV), _from_config(argv)):
        if found and found.lower()[:2] in LANGS:
            return found.lower()[:2]
    return _from_locale()


class _State:
    lang: str | None = None


# The language of what one task is doing now (a web page for a clerk who reads Vietnamese while
# another reads English): set for a request, or by `in_language`, it wins over the process's.
_TASK_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar("digitize_lang",
                                                                       default=None)


@contextlib.contextmanager
def for_task(lang: str) -> Iterator[None]:
    """Messages made in this task (and the threads it hands work to) in `lang`, whatever the
    process speaks: a web request in its clerk's language."""
    token = _TASK_LANG.set(lang if lang in LANGS else None)
    try:
        yield
    finally:
        _TASK_LANG.reset(token)


def language() -> str:
    """The interface language, chosen on first use (reading the config may itself need `_`:
    the locale's choice stands in meanwhile)."""
    task = _TASK_LANG.get()
    if task is not None:
        return task
    if _State.lang is None:
        _State.lang = _from_locale()
        _State.lang = choose(sys.argv[1:])
        os.environ[ENV] = _State.lang
    return _State.lang


def set_language(lang: str) -> None:
    if lang not in LANGS:
        from digitize.errors import UsageProblem

        raise UsageProblem(f"Unknown interface language {lang!r}; use vi or en.")
    _State.lang = lang
    os.environ[ENV] = lang


@contextlib.contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Write something in `lang` (a document filed in Vietnamese whatever the terminal
    speaks), then go back to the interface language."""
    if _TASK_LANG.get() is not None:
        with for_task(lang):
            yield
        return
    before = language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def _(message: str) -> str:
    """The message in the interface language (the English source when it has no translation)."""
    return _catalogue(language()).get(message) or message


def translations(message: str) -> list[str]:
    """`message` in every interface language, in the order of LANGS."""
    return [_catalogue(lang).get(message) or message for lang in LANGS]


def N_(message: str) -> str:
    """Marks a message for the catalogue without translating it here."""
    return message


"""What keeps the desk's web interface safe: CSRF tokens on every form, paths that never leave
the configured output folders, names from the browser that never become paths, and uploads
that are size-limited and of the kinds a scanner writes."""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from pathlib import Path
from typing import Any

from digitize.errors import UsageProblem
from digitize.i18n import _

CSRF_KEY = "csrf"
# What a scanner or a citizen brings: PDF, TIFF, JPEG, PNG, by their first bytes.
_MAGIC = {b"%PDF": ".pdf", b"II*\x00": ".tif", b"MM\x00*": ".tif", b"\xff\xd8\xff": ".jpg",
          b"\x89PNG": ".png"}
_SAFE_NAME = re.compile(r"[^\w.\-]+")


def csrf_token(session: dict[str, Any]) -> str:
    """The session's token, made on first use; every form carries it."""
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(32)
    return str(session[CSRF_KEY])


def csrf_ok(session: dict[str, Any], sent: object) -> bool:
    expected = session.get(CSRF_KEY)
    return isinstance(sent, str) and isinstance(expected, str) and hmac.compare_digest(
        expected, sent)


def inside(root: Path, relative: str) -> Path | None:
    """`root`/`relative` when it is inside `root` (after resolving links); None for absolute
    paths, `..`, NUL bytes, and anything that would land outside."""
    if not relative or "\x00" in relative or relative.startswith(("/", "\\")):
        return None
    parts = Path(relative).parts
    if any(p in ("..", "") for p in parts):
        return None
    base = root.resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        return None
    return target


def dossier_name(text: str) -> str:
    """A dossier code typed in the browser as a folder name: letters, digits, dots and dashes
    only (000.00.31.H49-261123-0007), or a usage error."""
    name = unicodedata.normalize("NFC", text.strip())
    if not name or len(name) > 100 or not re.fullmatch(r"[\w][\w.\-]*", name) or ".." in name:
        raise UsageProblem(_("{code!r} is not a dossier code; use letters, digits, dots and "
                             "dashes, as in 000.00.31.H49-261123-0007.").format(code=text))
    return name


def upload_name(filename: str, head: bytes, n: int) -> str:
    """A safe name for an uploaded scan: the browser's name reduced to letters, digits, dots
    and dashes, with the extension its content shows; a usage error for other content."""
    suffix = next((ext for magic, ext in _MAGIC.items() if head.startswith(magic)), None)
    if suffix is None:
        raise UsageProblem(_("{name} is not a PDF, TIFF, JPEG or PNG scan; scan it again or "
                             "save it in one of those formats.").format(name=filename))
    stem = _SAFE_NAME.sub("_", Path(unicodedata.normalize("NFC", filename)).stem).strip("._")
    return f"{n:03d}_{stem or 'scan'}"[:80] + suffix

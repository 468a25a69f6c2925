"""Active content in an input PDF: JavaScript, launch actions, attached (embedded) files and XFA
forms. An unsigned file never keeps them (its pages become our own PDF/A copy); a signed one
is kept byte for byte, so it keeps them, and the archive must be told (result, PREMIS, the
desk's page)."""

from __future__ import annotations

import pikepdf

from digitize.i18n import N_, _

JAVASCRIPT, LAUNCH, EMBEDDED_FILES, XFA = "javascript", "launch", "embedded_files", "xfa"
KINDS = (JAVASCRIPT, LAUNCH, EMBEDDED_FILES, XFA)
_WORDS = {JAVASCRIPT: N_("JavaScript code"), LAUNCH: N_("launch actions"),
          EMBEDDED_FILES: N_("attached files"), XFA: N_("XFA forms")}


def _name(value: object) -> str:
    return str(value) if isinstance(value, pikepdf.Name) else ""


def _attachment(obj: pikepdf.Dictionary) -> str:
    """The file name a file specification gives its attachment."""
    for key in ("/UF", "/F"):
        value = obj.get(key)
        if isinstance(value, pikepdf.String):
            return str(value)
    return "?"


def _look(obj: object, found: set[str], files: list[str], depth: int = 0) -> None:
    """One indirect object, and the direct dictionaries inside it (an annotation's /A action
    is usually written in place, not as an object of its own)."""
    if isinstance(obj, pikepdf.Array) and depth < 8:
        for item in obj:
            if isinstance(item, pikepdf.Dictionary | pikepdf.Array) and not item.is_indirect:
                _look(item, found, files, depth + 1)
        return
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        return
    if depth < 8:
        for _key, item in obj.items():
            if isinstance(item, pikepdf.Dictionary | pikepdf.Array) and not item.is_indirect:
                _look(item, found, files, depth + 1)
    action = _name(obj.get("/S"))
    if action in ("/JavaScript", "/Rendition") and "/JS" in obj:
        found.add(JAVASCRIPT)
    elif action == "/Launch":
        found.add(LAUNCH)
    kind = _name(obj.get("/Type"))
    if "/EF" in obj and kind in ("/Filespec", ""):
        found.add(EMBEDDED_FILES)
        files.append(_attachment(obj))
    elif kind == "/EmbeddedFile":
        found.add(EMBEDDED_FILES)


def scan(pdf: pikepdf.Pdf) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The kinds of active content the file holds (in KINDS order) and its attachments' names.
    Every object is looked at, not only the usual places (the name trees, /OpenAction, /AA):
    an action can hang on any annotation, field or page, and a viewer finds it there."""
    found: set[str] = set()
    files: list[str] = []
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            found.add(JAVASCRIPT)
        if "/EmbeddedFiles" in names:
            found.add(EMBEDDED_FILES)
    acroform = pdf.Root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        found.add(XFA)
    for obj in pdf.objects:
        try:
            _look(obj, found, files)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError):
            continue  # a damaged object: the file's other objects are still looked at
    return tuple(k for k in KINDS if k in found), tuple(dict.fromkeys(files))


def describe(kinds: tuple[str, ...] | list[str]) -> str:
    """The kinds in words, in the interface language: "JavaScript code / attached files"."""
    return " / ".join(_(_WORDS[k]) for k in kinds if k in _WORDS)


def carries(kinds: tuple[str, ...] | list[str]) -> str:
    """The desk's mark: "carries JavaScript code / attached files" (empty when none)."""
    return _("carries {what}").format(what=describe(kinds)) if kinds else ""

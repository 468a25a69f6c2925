#!/usr/bin/env python3
"""Merge the messages found in the source into the catalogues: new ones are added (English
filled in, Vietnamese left empty for a translator, which the catalogue test reports), ones no
longer used are dropped, translations are kept. Run after changing user-facing text:

    .venv/bin/python scripts/update-catalogues.py
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from digitize import __version__
from digitize.i18n import LANGS, catalogue_path
from digitize.i18n.extract import extract

STAMP = datetime(2026, 11, 23, tzinfo=UTC)


def main() -> None:
    found = extract()
    for lang in LANGS:
        path = catalogue_path(lang)
        old: dict[str, str] = {}
        if path.is_file():
            with open(path, "rb") as fh:
                old = {str(m.id): str(m.string) for m in read_po(fh) if m.id}
        # Fixed header dates: the catalogues change only when their messages do.
        cat = Catalog(locale=lang, domain="digitize", project="digitize", version=__version__,
                      msgid_bugs_address="", copyright_holder="digitize", fuzzy=False,
                      creation_date=STAMP, revision_date=STAMP)
        for msgid, where in found.items():
            text = msgid if lang == "en" else old.get(msgid, "")
            locations = [(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where]
            cat.add(msgid, text, locations=locations)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            write_po(fh, cat, width=100, omit_header=False, sort_output=False)
        missing = sum(1 for m in found if not old.get(m)) if lang == "vi" else 0
        print(f"{path}: {len(found)} messages" + (f", {missing} to translate" if missing
                                                  else ""))


if __name__ == "__main__":
    main()

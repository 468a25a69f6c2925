"""Fonts digitize draws text with (Liberation, metric-compatible with Times New Roman) and cuts
of them down to the characters a page shows: a sheet or a stamp embeds a few hundred glyphs,
not the whole font. Apart from the signing stack, so that drawing a sheet does not load it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from digitize.fsutil import atomic_path
from digitize.paths import data_dir

FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"),
             Path("/usr/share/fonts/truetype/liberation"))


def font_cut(font: Path, chars: str, layout: bool = True) -> Path:
    """`font` cut down to `chars`, kept in the data folder and named by the font, the characters
    and whether the layout tables stay: made once, then reused by every process. Parsing and
    subsetting a whole font costs ~50-130 ms each time; a cut of a few hundred glyphs, about a
    millisecond."""
    chars = "".join(sorted(set(chars)))
    key = hashlib.sha256(f"{font.name}{font.stat().st_size}{chars}".encode()).hexdigest()[:16]
    target = data_dir() / "fonts" / f"{font.stem}-{'cut' if layout else 'plain'}-{key}.ttf"
    if target.is_file():
        return target
    import logging

    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # subsetting chatter on stderr
    options = subset.Options()
    options.layout_features = ["*"] if layout else []
    if not layout:  # glyphs set one by one, unshaped (the stamp)
        options.drop_tables += ["GPOS", "GSUB", "GDEF"]
    options.notdef_outline = True
    cut = subset.load_font(str(font), options)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(cut)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        subset.save_font(cut, str(tmp), options)
    return target

#!/usr/bin/env python3
"""Cut the desk's typefaces from Debian's packages into digitize/web/static/fonts: DejaVu Sans
(regular, bold; `fonts-dejavu-core`) and Noto Sans Mono (`fonts-noto-mono`: DejaVu Sans Mono
lacks most precomposed Vietnamese letters), kept to Latin, Vietnamese (precomposed
letters and the combining marks with their positioning features, so that a letter and its
marks compose in the text layer too) and the signs the pages use, as WOFF (zlib). The fonts'
licences go beside them: DejaVu's (Bitstream Vera terms, DejaVu changes in the public domain:
modified copies may be shipped under a name without "Bitstream" or "Vera") and Noto's (SIL OFL
1.1 with no Reserved Font Name, so a cut keeps its name). Run again to update:

    .venv/bin/python scripts/make-webfonts.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fontTools import subset

FONTS = Path("/usr/share/fonts/truetype")
LICENCES = {"LICENSE-DejaVu.txt": Path("/usr/share/doc/fonts-dejavu-core/copyright"),
            "LICENSE-Noto.txt": Path("/usr/share/doc/fonts-noto-mono/copyright")}
TARGET = Path(__file__).resolve().parent.parent / "digitize" / "web" / "static" / "fonts"
FACES = {"dejavu/DejaVuSans.ttf": "sans.woff", "dejavu/DejaVuSans-Bold.ttf": "sans-bold.woff",
         "noto/NotoSansMono-Regular.ttf": "mono.woff"}
UNICODES = "U+0020-00FF,U+0100-017F,U+01A0-01B0,U+0300-0323,U+1EA0-1EF9,U+2000-206F," \
           "U+20AB,U+2190-21FF,U+2026,U+2212,U+2713,U+2717,U+26A0,U+25B2-25BC"


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, out in FACES.items():
        subset.main([str(FONTS / name), f"--unicodes={UNICODES}", "--layout-features=*",
                     "--flavor=woff", "--no-hinting",
                     f"--output-file={TARGET / out}"])
        print(out, (TARGET / out).stat().st_size)
    for name, path in LICENCES.items():
        shutil.copyfile(path, TARGET / name)


if __name__ == "__main__":
    main()

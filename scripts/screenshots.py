"""The docs' screenshots of the web desk: the review screen, the dossier list and a document's
page, as a clerk sees them on the common desk screen (1366×768), in Vietnamese.

The real server (`digitize serve`, as the browser tests start it) runs on 127.0.0.1 over the
tests' sample desk; Debian's headless chromium, through selenium and Debian's chromedriver,
opens each page at 1366×768 and again at 1920×1080, fails when a page scrolls sideways at
either size, and saves the 1366×768 view as a palette PNG into docs/screenshots/.

    PYTHONPATH=. .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import chromium, installed  # noqa: E402
from tests.conftest import DIGITIZE, SAMPLES, make_cli_env  # noqa: E402
from tests.desk import FIRST, Desk, prepare_desk  # noqa: E402
from tests.servers import serving_desk  # noqa: E402

SIZES = ((1366, 768), (1920, 1080))  # the first is the one saved


def viewport(driver: Any, width: int, height: int) -> None:
    """Size the window so that the page's own viewport is `width`×`height`."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def sideways(driver: Any) -> int:
    """How many pixels the page is wider than its viewport (0: no horizontal scrolling)."""
    return int(driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def small_png(png: bytes, target: Path) -> None:
    """The screenshot as a 256-colour palette PNG, optimised: a page of text and one scan loses
    nothing a reader sees, at a third of the size."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=0).save(
            target, optimize=True)


def pages(desk: Desk) -> dict[str, str]:
    """Each screenshot's name and the page it shows."""
    rid = desk.record["id"]
    n = next(i for i, doc in enumerate(desk.record["documents"])
             if doc["doc_kind"] == "van_ban" and doc["review"])
    return {"dossiers": "/dossiers", "document": f"/dossiers/0/{rid}/0",
            "review": f"/review/0/{rid}/{n}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not installed():
        print("Debian's chromium and chromium-driver are not installed", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    wide: list[str] = []
    with tempfile.TemporaryDirectory(prefix="digitize-shots-") as tmp:
        env = make_cli_env(Path(tmp) / "home")
        others = sorted(p.name for p in SAMPLES.glob("000.*") if p.name != FIRST)
        desk = prepare_desk(env, Path(tmp) / "desk", (FIRST, *others))  # a list, not a line
        with serving_desk(DIGITIZE, desk.out, desk.config, env.vars) as (port, _proc), \
                chromium("--hide-scrollbars") as driver:
            for name, path in pages(desk).items():
                for width, height in reversed(SIZES):  # the saved size last
                    viewport(driver, width, height)
                    driver.get(f"http://127.0.0.1:{port}{path}")
                    if over := sideways(driver):
                        wide.append(f"{path} at {width}×{height}: {over} px too wide")
                small_png(driver.get_screenshot_as_png(), args.out / f"{name}.png")
                print(f"{args.out / name}.png")
    for line in wide:
        print(line, file=sys.stderr)
    return 1 if wide else 0


if __name__ == "__main__":
    sys.exit(main())

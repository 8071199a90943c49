"""Execute notebooks top to bottom and store their outputs deterministically.

    python tools/run_notebooks.py                 # every notebook in notebooks/
    python tools/run_notebooks.py notebooks/04_multi_head.ipynb

The kernel runs the way nbval runs it: widget messages are ignored, so whatever an
explorer shows in its ``Output`` when it is built lands in the cell's outputs, exactly
as nbval sees it (nbclient would otherwise play a front end and hide it in widget state).
Stored notebooks carry no widget state, no widget-view outputs (their random model ids
point at state that is not stored), no timing metadata and a fixed kernel metadata.

Every plotly figure also gets a static picture in the same output (``image/png`` beside
``application/vnd.plotly.v1+json``): GitHub's notebook view draws no plotly JSON
(plotly.py#931), so without it the stored figures show as nothing there. JupyterLab still
draws the interactive figure (its plotly renderer ranks above the image one); nbval does not
compare images. The pictures are drawn by kaleido in Debian's chromium
(``tools/headless_chromium.py``), then reduced to a palette so that each notebook stays small.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"
PNG = "image/png"
# The picture: a figure's own size, or as wide as JupyterLab and GitHub show a notebook's
# outputs when it sets none; scale 1 (GitHub shows it pixel for pixel); a palette of at most
# COLOURS colours, no dithering (flat colours, axes and text: a quarter of the bytes of the
# full-colour PNG, and the same bytes every run).
PICTURE_WIDTH = 900
PICTURE_HEIGHT = 450  # plotly's own default
COLOURS = 128
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class HeadlessClient(NotebookClient):
    """nbclient without its Output-widget emulation: the same outputs nbval records."""

    def on_comm_open_jupyter_widget(self, msg):
        return None


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what differs between runs and machines but carries nothing for a reader."""
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    )
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if "id" not in cell:
            cell["id"] = f"cell-{i:02d}"
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            data = out.get("data")
            if data is not None:
                data.pop(WIDGET_VIEW, None)
    return nb


_servers = []  # the picture server running now (at most one)


@contextmanager
def picture_server() -> Iterator[None]:
    """kaleido's browser, started once for every picture drawn inside (nested: no-op)."""
    import kaleido
    from headless_chromium import CHROMIUM

    if _servers:
        yield
        return
    # Debian's chromium where it is (kaleido would look for a Chrome of its own first);
    # no MathJax: no figure of the series uses LaTeX, and its CDN is not reachable here
    where = {"path": str(CHROMIUM)} if CHROMIUM.is_file() else {}
    kaleido.start_sync_server(mathjax=False, silence_warnings=True, **where)
    _servers.append(kaleido)
    try:
        yield
    finally:
        _servers.clear()
        kaleido.stop_sync_server(silence_warnings=True)


def picture(figure: dict) -> str:
    """The base64 PNG of a plotly figure (its JSON as stored), as small as it reads well."""
    import kaleido
    from PIL import Image

    layout = figure.get("layout", {})
    size = {
        "width": layout.get("width") or PICTURE_WIDTH,
        "height": layout.get("height") or PICTURE_HEIGHT,
    }
    png = kaleido.calc_fig_sync(figure, opts={"format": "png", "scale": 1, **size})
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii")


def add_pictures(nb: nbformat.NotebookNode) -> int:
    """Put a PNG beside every plotly figure in the notebook's outputs; returns how many."""
    count = 0
    with picture_server():
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if PLOTLY in data:
                    data[PNG] = picture(data[PLOTLY])
                    count += 1
    return count


class Timing(NamedTuple):
    run: float  # seconds to execute the notebook
    pictures: float  # seconds to draw its figures' pictures (0 without pictures)


def execute(path: Path, timeout: int = 600, pictures: bool = True) -> Timing:
    """Run one notebook in place (with a picture beside every figure unless ``pictures`` is
    False); return the seconds each step took."""
    nb = nbformat.read(path, as_version=4)
    client = HeadlessClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        record_timing=False,
        coalesce_streams=True,  # one stdout output per cell, however the kernel flushed it
    )
    start = time.perf_counter()
    client.execute()
    ran = time.perf_counter()
    if pictures:
        add_pictures(nb)
    drawn = time.perf_counter()
    nbformat.write(normalise(nb), path)
    return Timing(ran - start, drawn - ran)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    with picture_server():  # one browser for the whole run
        for path in paths:
            timing = execute(path.resolve())
            size = path.stat().st_size
            print(
                f"{path.name:32s} {timing.run:6.1f} s run, {timing.pictures:5.1f} s pictures"
                f"  {size / 1000:7.1f} KB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Execute notebooks top to bottom and store their outputs deterministically.

    python tools/run_notebooks.py                 # every notebook in notebooks/
    python tools/run_notebooks.py notebooks/04_multi_head.ipynb

The kernel runs the way nbval runs it: widget messages are ignored, so whatever an
explorer shows in its ``Output`` when it is built lands in the cell's outputs, exactly
as nbval sees it (nbclient would otherwise play a front end and hide it in widget state).
Stored notebooks carry no widget state, no widget-view outputs (their random model ids
point at state that is not stored), no timing metadata and a fixed kernel metadata.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
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


def execute(path: Path, timeout: int = 600) -> float:
    """Run one notebook in place; return the seconds it took."""
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
    seconds = time.perf_counter() - start
    nbformat.write(normalise(nb), path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        seconds = execute(path.resolve())
        size = path.stat().st_size
        print(f"{path.name:32s} {seconds:6.1f} s  {size / 1000:7.1f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

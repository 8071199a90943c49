"""Helpers shared by the notebooks of the multi-head self-attention series.

Layers (a lower one never imports a higher one):

1. ``helpers.text``                      corpus, tokens, vocabulary, one-hot
2. ``helpers.attention`` and the models  torch modules and training loops, no plotting
3. ``helpers.figures``                   pure functions: data -> plotly ``go.Figure``
4. ``helpers.widgets``                   explorers: sliders wired to figure builders
"""

from importlib.resources import files
from pathlib import Path

__version__ = "0.1.0"


def asset_path(name: str) -> Path:
    """Path of a file in the series' assets (``helpers/assets/``; the top-level ``assets/``
    of a clone is a link to it). Found through the installed package, so it works the same
    after ``pip install`` (Colab) as in an editable clone."""
    folder = Path(str(files("helpers") / "assets"))
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(
            f"assets/{name} not found; the files that ship are: "
            + ", ".join(
                sorted(p.name for p in folder.iterdir() if not p.name.startswith((".", "_")))
            )
        )
    return path

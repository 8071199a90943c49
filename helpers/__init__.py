"""Helpers shared by the notebooks of the multi-head self-attention series.

Layers (a lower one never imports a higher one; the README's maintainer section lists the
modules):

1. ``text``, ``checks``, ``colab``        corpus, vocabulary, one-hot; size checks; Colab
2. the models and what computes           attention, encoder, word2vec, pretrained, senses,
                                           geometry, scaling, shape_walk, cost, tasks,
                                           exercises: torch only, no plotting
3. ``helpers.figures``                    pure functions: numbers -> plotly ``go.Figure``
4. ``helpers.widgets``                    explorers: controls wired to layers 2 and 3
5. ``helpers.notebook``                   a notebook's set-up: seeds, threads, renderer
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

"""Helpers shared by the notebooks of the multi-head self-attention series.

Layers (a lower one never imports a higher one):

1. ``helpers.text``                      corpus, tokens, vocabulary, one-hot
2. ``helpers.attention`` and the models  torch modules and training loops, no plotting
3. ``helpers.figures``                   pure functions: data -> plotly ``go.Figure``
4. ``helpers.widgets``                   explorers: sliders wired to figure builders
"""

from importlib import resources
from pathlib import Path

__version__ = "0.1.0"


_CLONE_ASSETS = Path(__file__).resolve().parent.parent / "assets"


def asset_path(name: str) -> Path:
    """Path of a file in the series' ``assets/`` folder.

    In a clone that is the top-level folder; after ``pip install`` from the repository
    (Colab) the same files ship inside the package as ``helpers.assets``.
    """
    if _CLONE_ASSETS.is_dir():
        folder = _CLONE_ASSETS
    else:
        folder = Path(str(resources.files("helpers.assets")))
    path = folder / name
    if not path.exists():
        raise FileNotFoundError(
            f"assets/{name} not found; the files that ship are: "
            + ", ".join(sorted(p.name for p in folder.iterdir() if not p.name.startswith("_")))
        )
    return path

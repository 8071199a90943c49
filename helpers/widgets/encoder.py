"""The encoder explorer: pick a layer and a head of a trained stack, see that map large."""

from __future__ import annotations

from functools import partial

import ipywidgets as widgets
import torch

from helpers.figures.encoder import layer_head_figure
from helpers.widgets.base import Explorer


def encoder_explorer(
    weights: list[torch.Tensor], labels: list[str], layer: int = 0, head: int = 0
) -> Explorer:
    """An :class:`Explorer` over the attention maps of one example.

    ``weights`` holds one ``[h, T, T]`` tensor per layer, computed once beforehand (the
    callback only draws, it never runs a model); ``labels`` names the T tokens. The
    controls ``ex.layer`` and ``ex.head`` offer only the layers and heads that exist.
    """
    if not weights or any(w.dim() != 3 for w in weights):
        raise ValueError("weights must be a list with one [h, T, T] tensor per layer (one example)")
    n_layers, h = len(weights), weights[0].shape[0]
    if layer not in range(n_layers) or head not in range(h):
        raise ValueError(
            f"layer={layer}, head={head}: choose layer in 0…{n_layers - 1}, head in 0…{h - 1}"
        )
    weights = [w.detach().clone() for w in weights]
    controls = {
        "layer": widgets.Dropdown(options=list(range(n_layers)), value=layer, description="layer"),
        "head": widgets.Dropdown(options=list(range(h)), value=head, description="head"),
    }
    return Explorer(controls, partial(layer_head_figure, weights, list(labels)))

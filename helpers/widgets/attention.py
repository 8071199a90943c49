"""Pick a head and see where it looks; slide d_k and see why scores are divided by √d_k."""

from __future__ import annotations

from types import SimpleNamespace

import ipywidgets as widgets
import torch

from helpers.attention import MultiHeadSelfAttention, check_input
from helpers.figures.attention_maps import head_figure, sqrt_dk_figure
from helpers.geometry import head_queries_keys, qk_plane
from helpers.scaling import scaling_stats
from helpers.widgets.base import Explorer

__all__ = ["D_KS", "attention_explorer", "sqrt_dk_explorer"]

D_KS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
EXAMPLE = "the cat sat on the mat".split()


def attention_explorer(
    x: torch.Tensor | None = None,
    tokens: list[str] | None = None,
    layer: MultiHeadSelfAttention | None = None,
    h: int = 4,
    seed: int = 0,
    head: int = 0,
) -> Explorer:
    """Pick a head (``ex.head``) of ``layer`` and see its attention on the sentence ``tokens``
    with vectors ``x [T, d_model]``, beside its queries and keys on a plane.

    Default layer: a seeded, untrained ``MultiHeadSelfAttention(16, h)``; default ``x``:
    seeded random vectors of the layer's width. The layer runs once, here; picking a head
    only draws. ``ex.data`` holds ``weights [h, T, T]``, ``q`` and ``k`` ``[h, T, d_k]`` and
    ``tokens``.
    """
    tokens = list(EXAMPLE if tokens is None else tokens)
    d_model = layer.d_model if layer is not None else (x.shape[-1] if x is not None else 16)
    if x is None:
        x = torch.randn(
            len(tokens), d_model, generator=torch.Generator().manual_seed(seed)
        )  # (T, d_model)
    if layer is None:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            layer = MultiHeadSelfAttention(d_model, h)
    if not isinstance(layer, MultiHeadSelfAttention):
        raise ValueError(
            f"layer must be a helpers.attention.MultiHeadSelfAttention, got {type(layer).__name__}"
        )
    if x.dim() == 2:
        x = x.unsqueeze(0)  # (1, T, d_model)
    check_input(x, layer.d_model)
    if x.shape[0] != 1 or x.shape[1] != len(tokens):
        raise ValueError(
            f"x has shape {list(x.shape)}: pass one sentence [T, d_model] or [1, T, d_model] "
            f"with one of the {len(tokens)} tokens per row"
        )
    if head not in range(layer.h):
        raise ValueError(f"head={head!r}; this layer has heads 0 … {layer.h - 1}")
    q, k, weights = head_queries_keys(layer, x)  # (1, h, T, d_k) ×2, (1, h, T, T)
    data = SimpleNamespace(weights=weights[0], q=q[0], k=k[0], tokens=tokens)

    def build(head: int):
        q2, k2, kept = qk_plane(data.q[head], data.k[head])  # (T, 2) ×2
        return head_figure(data.weights[head], q2, k2, tokens, head=head, d_k=layer.d_k, kept=kept)

    control = widgets.ToggleButtons(
        options=list(range(layer.h)), value=head, description="head", style={"button_width": "40px"}
    )
    return Explorer({"head": control}, build, data=data)


def sqrt_dk_explorer(
    d_k: int = 64, d_ks: list[int] = D_KS, T: int = 8, n: int = 256, seed: int = 0
) -> Explorer:
    """Slide ``ex.d_k``: unscaled scores q·k spread like √d_k and their softmax saturates; scaled
    ones do not. The statistics are measured once, here (``ex.data``, from ``scaling_stats``)."""
    if d_k not in d_ks:
        raise ValueError(f"d_k={d_k!r}; choose one of {list(d_ks)}")
    stats = scaling_stats(list(d_ks), T=T, n=n, seed=seed)
    control = widgets.SelectionSlider(options=list(d_ks), value=d_k, description="d_k")
    return Explorer({"d_k": control}, lambda d_k: sqrt_dk_figure(stats, d_k), data=stats)

"""Pick a head and see where it looks; slide d_k and see why scores are divided by √d_k."""

from __future__ import annotations

import ipywidgets as widgets
import torch

from helpers.attention import MultiHeadSelfAttention, check_input, split_heads
from helpers.figures import attention_maps
from helpers.widgets.base import Explorer

__all__ = ["AttentionExplorer", "D_KS", "SqrtDkExplorer", "attention_explorer", "sqrt_dk_explorer"]

D_KS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
EXAMPLE = "the cat sat on the mat".split()


class AttentionExplorer(Explorer):
    """``ex.head`` → ``ex.figure``: that head's attention heatmap beside its Q and K points.

    Everything is computed once, when the explorer is made: picking a head only draws.
    """

    def __init__(self, layer: MultiHeadSelfAttention, x: torch.Tensor, tokens: list[str], head: int = 0):
        if not isinstance(layer, MultiHeadSelfAttention):
            raise ValueError(f"layer must be a helpers.attention.MultiHeadSelfAttention, got {type(layer).__name__}")
        if x.dim() == 2:
            x = x.unsqueeze(0)  # (1, T, d_model)
        check_input(x, layer.d_model)
        if x.shape[0] != 1 or x.shape[1] != len(tokens):
            raise ValueError(f"x has shape {list(x.shape)}: pass one sentence [T, d_model] or [1, T, d_model] "
                             f"with one of the {len(tokens)} tokens per row")
        if head not in range(layer.h):
            raise ValueError(f"head={head!r}; this layer has heads 0 … {layer.h - 1}")
        with torch.no_grad():
            _, weights = layer(x)  # (1, h, T, T)
            q = split_heads(layer.W_Q(x), layer.h)  # (1, h, T, d_k)
            k = split_heads(layer.W_K(x), layer.h)  # (1, h, T, d_k)
        self.weights, self.q, self.k, self.tokens = weights[0], q[0], k[0], list(tokens)
        control = widgets.ToggleButtons(options=list(range(layer.h)), value=head, description="head",
                                        style={"button_width": "40px"})
        super().__init__({"head": control}, self._figure)

    def _figure(self, head: int):
        return attention_maps.head_figure(self.weights[head], self.q[head], self.k[head], self.tokens, head)


def attention_explorer(x: torch.Tensor | None = None, tokens: list[str] | None = None,
                       layer: MultiHeadSelfAttention | None = None, h: int = 4, seed: int = 0,
                       head: int = 0) -> AttentionExplorer:
    """Pick a head of ``layer`` (default: a seeded, untrained ``MultiHeadSelfAttention(16, h)``)
    and see its attention on the sentence ``tokens`` with vectors ``x [T, d_model]``.

    Without ``x`` the tokens get seeded random vectors of width 16 (or the layer's d_model).
    """
    tokens = list(EXAMPLE if tokens is None else tokens)
    d_model = layer.d_model if layer is not None else (x.shape[-1] if x is not None else 16)
    g = torch.Generator().manual_seed(seed)
    if x is None:
        x = torch.randn(len(tokens), d_model, generator=g)  # (T, d_model)
    if layer is None:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            layer = MultiHeadSelfAttention(d_model, h)
    return AttentionExplorer(layer, x, tokens, head=head)


class SqrtDkExplorer(Explorer):
    """``ex.d_k`` → ``ex.figure``: one query's weights and the spread/peakedness curves at that d_k."""

    def __init__(self, d_k: int = 64, d_ks: list[int] = D_KS, T: int = 8, n: int = 256, seed: int = 0):
        if d_k not in d_ks:
            raise ValueError(f"d_k={d_k!r}; choose one of {list(d_ks)}")
        self.stats = attention_maps.scaling_stats(list(d_ks), T=T, n=n, seed=seed)
        control = widgets.SelectionSlider(options=list(d_ks), value=d_k, description="d_k")
        super().__init__({"d_k": control}, self._figure)

    def _figure(self, d_k: int):
        return attention_maps.sqrt_dk_figure(self.stats, d_k)


def sqrt_dk_explorer(d_k: int = 64, d_ks: list[int] = D_KS, T: int = 8, n: int = 256, seed: int = 0) -> SqrtDkExplorer:
    """Slide d_k: unscaled scores q·k spread like √d_k and their softmax saturates; scaled ones do not."""
    return SqrtDkExplorer(d_k=d_k, d_ks=d_ks, T=T, n=n, seed=seed)

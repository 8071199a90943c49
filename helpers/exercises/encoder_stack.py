"""Exercises of notebook 07 (the encoder stack, masks).

- write the code: ``causal_mask(T)`` (:func:`check_causal_mask`) and
  ``padding_mask(lengths, T)`` (:func:`check_padding_mask`);
- predict: the parameter count of one encoder layer at d_model = 512, d_ff = 2048
  (:func:`check_encoder_parameters`);
- explorer: which layer of the trained pointer stack has every head looking at position 0
  (:func:`check_pointer_layer`; it takes the measured table, so it needs no training).
"""

from __future__ import annotations

import functools

import torch

from helpers.attention import causal_mask, padding_mask
from helpers.encoder import EncoderLayer
from helpers.exercises.core import (
    Mistake,
    Wrong,
    checker,
    fmt,
    function,
    judge_cases,
    judge_number,
    number,
    whole,
)

__all__ = [
    "check_causal_mask",
    "check_padding_mask",
    "check_encoder_parameters",
    "check_pointer_layer",
]

BOOL_CONVENTION = "the series' masks are bool, True where a query may attend"


def _mask_dtype(got: torch.Tensor) -> str:
    if got.is_floating_point() and bool(torch.isinf(got).any()):
        return (
            "That is an additive float mask (0 and -inf, as nn.Transformer's masks are); "
            f"{BOOL_CONVENTION}."
        )
    if got.is_floating_point():
        return f"That is a float mask of 0s and 1s; {BOOL_CONVENTION}: use dtype=torch.bool."
    return f"{BOOL_CONVENTION}: use dtype=torch.bool (or .bool())."


# --------------------------------------------------------------------------- write the code


def _ones(T: int) -> torch.Tensor:
    return torch.ones(T, T, dtype=torch.bool)  # (T, T)


_CAUSAL_MISTAKES = [
    Mistake(
        "That is the upper triangle: query i would see keys i … T-1, the future. Keep the "
        "lower triangle, .tril().",
        lambda T: _ones(T).triu(),
    ),
    Mistake(
        "The diagonal is hidden: query i must also see itself (tril(), not tril(-1)).",
        lambda T: _ones(T).tril(-1),
    ),
    Mistake(
        "Here True means 'blocked' (nn.MultiheadAttention's attn_mask convention); "
        f"{BOOL_CONVENTION}.",
        lambda T: _ones(T).triu(1),
    ),
    Mistake("Nothing is masked: query i must not see keys after i.", lambda T: _ones(T)),
    Mistake(
        "Only the diagonal is kept: query i may see every key 0 … i.",
        lambda T: torch.eye(T, dtype=torch.bool),
    ),
]


@checker("causal_mask")
def check_causal_mask(fn) -> str:
    """``fn(T) -> bool [T, T]``, True where query i may attend to key j (j ≤ i); compared with
    :func:`helpers.attention.causal_mask`."""
    fn = function(fn, "causal_mask")
    judge_cases(
        fn, [(f"T = {T}", (T,)) for T in (4, 1, 6)], causal_mask, label="causal_mask",
        mistakes=_CAUSAL_MISTAKES, dtype_hint=_mask_dtype, what="a bool mask",
        hint="Row i (query) is True in columns 0 … i (keys): "
             "torch.ones(T, T, dtype=torch.bool).tril().",
    )  # fmt: skip
    return "True on and below the diagonal: every token sees itself and the tokens before it."


def _real(lengths: torch.Tensor, T: int, off: int = 0) -> torch.Tensor:
    return torch.arange(T)[None, :] < lengths[:, None] + off  # (B, T)


_PADDING_MISTAKES = [
    Mistake(
        "True marks the padding here (nn.MultiheadAttention's key_padding_mask convention); "
        f"{BOOL_CONVENTION}: True at the real tokens.",
        lambda lengths, T: ~padding_mask(lengths, T),
    ),
    Mistake(
        "Add the two broadcast axes, mask[:, None, None, :] → [B, 1, 1, T], so one mask "
        "serves every head and every query.",
        lambda lengths, T: _real(lengths, T),
    ),
    Mistake(
        "True marks the padding, and the broadcast axes are missing: True at the real tokens, "
        "shape [B, 1, 1, T].",
        lambda lengths, T: ~_real(lengths, T),
    ),
    Mistake(
        "T sits on the query axis: padding hides keys, the last axis, [B, 1, 1, T].",
        lambda lengths, T: padding_mask(lengths, T).transpose(-2, -1),
    ),
    Mistake(
        "[B, 1, T] broadcasts against the scores [B, h, T, T] as if B were the heads: "
        "use [B, 1, 1, T].",
        lambda lengths, T: padding_mask(lengths, T)[:, 0],
    ),
    Mistake(
        "One padding token too many is let in: position t is real when t < length.",
        lambda lengths, T: _real(lengths, T, 1)[:, None, None, :],
    ),
    Mistake(
        "The last real token is hidden: position t is real when t < length.",
        lambda lengths, T: _real(lengths, T, -1)[:, None, None, :],
    ),
    Mistake(
        "That pads to the longest sentence and ignores T: the mask must have T columns.",
        lambda lengths, T: padding_mask(lengths),
    ),
]


def _padding_cases() -> list[tuple[str, tuple]]:
    return [
        ("lengths [3, 5, 1], T = 5", (torch.tensor([3, 5, 1]), 5)),
        ("lengths [2, 4], T = 6", (torch.tensor([2, 4]), 6)),
        ("lengths [4], T = 4", (torch.tensor([4]), 4)),
    ]


@checker("padding_mask")
def check_padding_mask(fn) -> str:
    """``fn(lengths [B] long, T) -> bool [B, 1, 1, T]``, True at the real tokens of each
    sentence; compared with :func:`helpers.attention.padding_mask`."""
    fn = function(fn, "padding_mask")
    judge_cases(
        fn, _padding_cases(), padding_mask, label="padding_mask", mistakes=_PADDING_MISTAKES,
        dtype_hint=_mask_dtype, what="a bool mask",
        hint="(torch.arange(T) < lengths[:, None])[:, None, None, :]",
    )  # fmt: skip
    return (
        "True at the real tokens, [B, 1, 1, T]: it broadcasts over heads and queries, so no "
        "query looks at padding."
    )


# --------------------------------------------------------------------------- predict


def _count(*modules: torch.nn.Module, biases: bool = True) -> int:
    return sum(
        p.numel()
        for m in modules
        for name, p in m.named_parameters()
        if biases or not name.endswith("bias")
    )


@checker("parameters of one encoder layer")
def check_encoder_parameters(answer, d_model: int = 512, h: int = 8, d_ff: int = 2048) -> str:
    """Predict the learned numbers of one ``EncoderLayer(d_model, h, d_ff)``; the truth is the
    layer's own parameters (built on torch's meta device: nothing is allocated)."""
    with torch.device("meta"):
        layer = EncoderLayer(d_model, h, d_ff)
    truth = _count(layer)
    attn, norms = layer.self_attn, (layer.norm_1, layer.norm_2)
    ffn = (layer.W_1, layer.W_2)
    linears = (attn, *ffn)
    got = number(answer, "answer", "a number of parameters")
    judge_number(
        got,
        truth,
        name="answer",
        reveal=True,
        mistakes=[
            (
                _count(*linears),
                "The two LayerNorms are missing: each learns a scale and a shift, "
                f"2·{d_model} numbers.",
            ),
            (
                _count(*linears, biases=False) + _count(*norms),
                "The biases of the six linear maps (W_Q, W_K, W_V, W_O, W_1, W_2) are missing.",
            ),
            (
                _count(*linears, biases=False),
                "Biases and LayerNorms are missing; count weight "
                "matrices, biases and the two norms.",
            ),
            (
                _count(attn),
                "That is the attention alone; add the feed-forward network and the norms.",
            ),
            (
                _count(*ffn),
                "That is the feed-forward network alone; add the attention and the norms.",
            ),
            (
                _count(attn) + _count(*ffn),
                "The two LayerNorms are missing: each learns a scale and "
                f"a shift, 2·{d_model} numbers.",
            ),
            (6 * truth, "That is the stack of six; the question asks for one layer."),
        ],
        hint=f"Attention 4·{d_model}² + 4·{d_model}, FFN {d_model}·{d_ff} + {d_ff} + "
        f"{d_ff}·{d_model} + {d_model}, two LayerNorms 2·{d_model} each.",
    )
    return (
        f"{fmt(truth)}: attention {fmt(_count(attn))}, feed-forward {fmt(_count(*ffn))}, "
        f"norms {fmt(_count(*norms))}; the FFN holds two thirds."
    )


# --------------------------------------------------------------------------- explorer


def _on_pointer(scores) -> torch.Tensor:
    """The ``[n_layers, h]`` table of mean weight on position 0."""
    table = scores["on pointer"] if isinstance(scores, dict) else scores
    table = torch.as_tensor(table, dtype=torch.float32)
    if table.dim() != 2:
        raise ValueError(
            "pass pointer_head_scores(weights, tokens) or its 'on pointer' table "
            f"[n_layers, h], got shape {list(table.shape)}"
        )
    return table


@functools.lru_cache(maxsize=1)
def _notebook_scores() -> dict:
    """Notebook 07's head scores: its 2-layer stack (seed 0) on its 1,000 test sequences."""
    from helpers.tasks.pointer import pointer_batch, pointer_head_scores, train_pointer

    model, _ = train_pointer(n_layers=2, d_model=32, h=4, d_ff=64, steps=300, seed=0)
    tokens, _ = pointer_batch(1000, generator=torch.Generator().manual_seed(123))
    with torch.no_grad():
        _, weights = model(tokens)  # n_layers × (1000, h, T, T)
    return pointer_head_scores(weights, tokens)


@checker("the layer that reads the pointer")
def check_pointer_layer(answer, scores=None) -> str:
    """Which layer has every head looking at position 0 (the pointer). ``scores`` is
    ``helpers.tasks.pointer.pointer_head_scores(weights, tokens)`` (or its ``"on pointer"``
    table, ``[n_layers, h]``) of the trained stack the encoder explorer shows; by default the
    checker measures notebook 07's stack itself (the same seeded training, cached)."""
    # the answer first: an untouched stub is "not done yet" without training the stack
    got = whole(answer, "answer", hint="layers are numbered from 0", what="a layer number")
    table = _on_pointer(_notebook_scores() if scores is None else scores)  # (n_layers, h)
    least = table.min(dim=1).values  # (n_layers,) the head that looks least at position 0
    truth = int(least.argmax())
    if least[truth] < 0.5:
        raise ValueError(f"no layer has every head on position 0 (best: {least[truth]:.2f})")
    if got == truth:
        return (
            f"layer {truth}: every head puts at least {least[truth]:.2f} of its weight on "
            "position 0, the pointer."
        )
    if got == truth + 1:
        raise Wrong(
            f"answer = {got} is not right.", "Layers are numbered from 0: encoder #0, #1, ..."
        )
    if got >= len(table):
        raise Wrong(f"answer = {got} is not right.", f"The stack has layers 0 … {len(table) - 1}.")
    raise Wrong(
        f"answer = {got} is not right.",
        f"In layer {got} some head looks elsewhere (weight {least[got]:.2f} on position 0); "
        "look for the layer whose maps all have column 0 lit.",
    )

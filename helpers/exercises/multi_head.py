"""Exercises of notebook 04 (multi-head attention: the shape walk).

- write the code: ``split_heads(x, h)`` (:func:`check_split_heads`) and ``merge_heads(z)``
  (:func:`check_merge_heads`);
- predict: the shape the note's ``transpose(-2, -1)`` gives on ``[3, 4, 8, 2]``
  (:func:`check_note_transpose`);
- explorer: the shape after "heads first" in the shape explorer (:func:`check_heads_first_shape`).
"""

from __future__ import annotations

import torch

from helpers.attention import Step, merge_heads, split_heads
from helpers.exercises.core import (
    Mistake,
    checker,
    function,
    judge_cases,
    judge_shape,
    shape,
)

__all__ = [
    "check_split_heads",
    "check_merge_heads",
    "check_note_transpose",
    "check_heads_first_shape",
]


# --------------------------------------------------------------------------- write the code


SPLIT_HINT = (
    "Use x's own sizes, B, T, d_model = x.shape, and h (the cases differ): "
    "x.view(B, T, h, d_model // h).transpose(1, 2)."
)
MERGE_HINT = (
    "Use z's own sizes, B, h, T, d_k = z.shape (the cases differ): "
    "z.transpose(1, 2).contiguous().view(B, T, h * d_k)."
)


def _split_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(4)
    cases = []
    for B, T, d_model, h in ((2, 3, 12, 4), (3, 4, 16, 8), (2, 5, 6, 2), (1, 2, 6, 6)):
        x = torch.randn(B, T, d_model, generator=g)  # (B, T, d_model)
        cases.append((f"x [{B}, {T}, {d_model}], h = {h}", (x, h)))
    return cases


def _sizes(x, h):
    B, T, d_model = x.shape
    return B, T, d_model // h


_SPLIT_MISTAKES = [
    Mistake(
        "That views x straight to [B, h, T, d_k]: the numbers land in the wrong places. "
        "Cut first, x.view(B, T, h, d_k), then swap with .transpose(1, 2).",
        lambda x, h: x.reshape(_sizes(x, h)[0], h, _sizes(x, h)[1], _sizes(x, h)[2]),
    ),
    Mistake(
        "That is the note's transpose(-2, -1), which swaps d_k and h; "
        "transpose(1, 2) swaps tokens and heads.",
        lambda x, h: x.reshape(*_sizes(x, h)[:2], h, _sizes(x, h)[2]).transpose(-2, -1),
    ),
    Mistake(
        "That is x.view(B, T, h, d_k) without .transpose(1, 2): "
        "the heads must come before the tokens.",
        lambda x, h: x.reshape(*_sizes(x, h)[:2], h, _sizes(x, h)[2]),
    ),
    Mistake(
        "The features are cut in the wrong order: head j gets features j·d_k … (j+1)·d_k − 1, "
        "so view as (B, T, h, d_k), not (B, T, d_k, h).",
        lambda x, h: x.reshape(*_sizes(x, h)[:2], _sizes(x, h)[2], h).permute(0, 3, 1, 2),
    ),
    Mistake(
        "h and d_k are swapped: there are h heads of d_k = d_model // h numbers each.",
        lambda x, h: x.reshape(*_sizes(x, h)[:2], _sizes(x, h)[2], h).transpose(1, 2),
    ),
    Mistake(
        "x was transposed before it was cut: cut first, x.view(B, T, h, d_k), "
        "then .transpose(1, 2).",
        lambda x, h: x.transpose(1, 2).reshape(
            _sizes(x, h)[0], h, _sizes(x, h)[1], _sizes(x, h)[2]
        ),
    ),
]


@checker("split_heads")
def check_split_heads(fn) -> str:
    """``fn(x [B, T, d_model], h) -> [B, h, T, d_k]``, compared with
    :func:`helpers.attention.split_heads` (values, not only shapes)."""
    fn = function(fn, "split_heads")
    cases = _split_cases()
    judge_cases(
        fn, cases, split_heads, label="split_heads", mistakes=_SPLIT_MISTAKES, hint=SPLIT_HINT
    )
    return (
        f"right on {len(cases)} cases (shapes and values; B > 1, T ≠ h, d_k from 1 to 3): "
        "head j holds features j·d_k … (j+1)·d_k − 1 of every token."
    )


def _merge_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(5)
    cases = []
    for B, h, T, d_k in ((2, 4, 3, 3), (3, 8, 4, 2), (2, 2, 5, 3)):
        z = torch.randn(B, h, T, d_k, generator=g)  # (B, h, T, d_k)
        cases.append((f"z [{B}, {h}, {T}, {d_k}]", (z,)))
    z = torch.randn(2, 5, 3, 4, generator=g).transpose(1, 2)  # (B, h, T, d_k), not contiguous
    cases.append(("z [2, 3, 5, 4], a transposed view as split_heads returns it", (z,)))
    return cases


def _merged(z, order=(0, 2, 1, 3)):
    B, h, T, d_k = z.shape
    return z.permute(*order).reshape(B, T, h * d_k)


_MERGE_MISTAKES = [
    Mistake(
        "That is the note's slip: viewing [B, h, T, d_k] straight to [B, T, d_model] mixes "
        "tokens with heads. First z.transpose(1, 2), then .contiguous().view(B, T, d_model).",
        lambda z: z.reshape(z.shape[0], z.shape[2], z.shape[1] * z.shape[3]),
    ),
    Mistake(
        "transpose(-2, -1) swaps T and d_k; the heads go back behind the tokens with "
        "transpose(1, 2).",
        lambda z: _merged(z, (0, 1, 3, 2)),
    ),
    Mistake(
        "The heads are interleaved (feature i of every head side by side): concatenate whole "
        "heads, z.transpose(1, 2) → [B, T, h, d_k], then view.",
        lambda z: _merged(z, (0, 2, 3, 1)),
    ),
    Mistake(
        "The heads are moved back but not concatenated: view [B, T, h, d_k] as [B, T, h·d_k].",
        lambda z: z.transpose(1, 2),
    ),
    Mistake(
        "That adds the heads up; concatenate them instead (d_model = h·d_k numbers per token).",
        lambda z: z.sum(1),
    ),
    Mistake(
        "That averages the heads; concatenate them instead (d_model = h·d_k numbers per token).",
        lambda z: z.mean(1),
    ),
]


@checker("merge_heads")
def check_merge_heads(fn) -> str:
    """``fn(z [B, h, T, d_k]) -> [B, T, d_model]``, compared with
    :func:`helpers.attention.merge_heads` (values, not only shapes)."""
    fn = function(fn, "merge_heads")
    cases = _merge_cases()
    judge_cases(
        fn, cases, merge_heads, label="merge_heads", mistakes=_MERGE_MISTAKES, hint=MERGE_HINT
    )
    return (
        f"right on {len(cases)} cases, a non-contiguous z included: token t gets head 0's "
        "d_k numbers, then head 1's, and so on."
    )


# --------------------------------------------------------------------------- predict


@checker("the note's transpose")
def check_note_transpose(answer) -> str:
    """The shape of ``t.transpose(-2, -1)`` for ``t [3, 4, 8, 2]``, as torch gives it."""
    before = [3, 4, 8, 2]
    truth = list(torch.empty(before).transpose(-2, -1).shape)
    judge_shape(
        shape(answer, "answer"),
        truth,
        name="answer",
        reveal=True,
        mistakes=[
            (
                [3, 8, 4, 2],
                "That is transpose(1, 2), the step the note meant; transpose(-2, -1) "
                "swaps the last two axes.",
            ),
            (before, "A transpose always swaps two axes; -2 and -1 are the last two."),
            (before[::-1], "That reverses every axis (what .T does); transpose swaps just two."),
        ],
        hint="Negative axes count from the end: -1 is the last, -2 the one before.",
    )
    return (
        f"{before} → {truth}: d_k and h swap, so the tokens stay second; "
        "the note wanted transpose(1, 2)."
    )


# --------------------------------------------------------------------------- explorer


def _trace(batch: int, seq_len: int, d_model: int, h: int) -> list[Step]:
    """The shape walk the explorer draws: :func:`helpers.shape_walk.shape_trace`, the real
    layer run on torch's meta device."""
    from helpers.shape_walk import shape_trace

    return shape_trace(batch, seq_len, d_model, h)


@checker("shape after 'heads first'")
def check_heads_first_shape(
    answer, d_model: int = 24, h: int = 3, batch: int = 3, seq_len: int = 4
) -> str:
    """The shape after the "heads first" step of the shape explorer at these settings; the
    truth is :class:`helpers.attention.MultiHeadSelfAttention`'s own trace."""
    shapes = {step.name: step.shape for step in _trace(batch, seq_len, d_model, h)}
    truth = shapes["heads first"]
    start = {step.name: step.shape for step in _trace(batch, seq_len, 16, 8)}["heads first"]
    d_k = d_model // h
    judge_shape(
        shape(answer, "answer"),
        truth,
        name="answer",
        mistakes=[
            (
                shapes["cut into heads"],
                "That is the step before, view(B, T, h, d_k); 'heads first' "
                "then swaps tokens and heads.",
            ),
            (
                [batch, d_k, seq_len, h],
                f"h and d_k are swapped: h = {h} heads of d_k = {d_model} // {h} = {d_k} numbers.",
            ),
            ([batch, seq_len, d_model], "That is the input x; look further down the walk."),
            (
                start,
                f"That is at the explorer's start (d_model = 16, h = 8); set d_model = {d_model}, "
                f"h = {h}.",
            ),
        ],
        hint=f"Set d_model = {d_model} and h = {h}, and read the band labelled 'heads first'.",
    )
    return f"[B, h, T, d_k] = {truth}: {h} heads, each with all {seq_len} tokens of {d_k} numbers."

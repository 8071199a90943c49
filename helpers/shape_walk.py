"""The shape walk of multi-head self-attention, computed by torch itself.

:func:`shape_walk` runs the real :class:`~helpers.attention.MultiHeadSelfAttention` on torch's
``meta`` device (shapes only: nothing is allocated or computed, so even d_model = 512 is
instant) and records every step of its value path with the shape torch produced, e.g.
``[3, 4, 16] → [3, 4, 8, 2] → [3, 8, 4, 2] → … → [3, 4, 16]``. It also pushes the index of
every number through the same ``view`` / ``transpose`` steps, so a figure can colour each
number by the token or head it belongs to and follow it from stage to stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from helpers.attention import MultiHeadSelfAttention, Step, merge_heads, split_heads
from helpers.checks import whole_number

__all__ = ["ShapeWalk", "shape_trace", "shape_walk"]


def shape_trace(batch: int, seq_len: int, d_model: int, h: int) -> list[Step]:
    """The steps of ``MultiHeadSelfAttention(d_model, h)(x, trace=...)`` for
    ``x [batch, seq_len, d_model]``.

    Runs the real layer on torch's ``meta`` device: torch works out every shape without
    allocating or computing numbers (biases are left out: they change no shape and cost
    time on ``meta``).
    """
    whole_number("batch", batch)
    whole_number("seq_len", seq_len)
    trace: list[Step] = []
    with torch.device("meta"):
        layer = MultiHeadSelfAttention(d_model, h, bias=False)  # checks d_model % h == 0
        layer(torch.empty(batch, seq_len, d_model), trace=trace)
    return trace


@dataclass(frozen=True)
class ShapeWalk:
    """Every step of the value path, and where each number of the projected values sits at it."""

    batch: int
    seq_len: int
    d_model: int
    h: int
    steps: list[Step]
    where: dict[str, torch.Tensor]  # stage name -> flat index of each number, in the stage's shape

    @property
    def d_k(self) -> int:
        return self.d_model // self.h


def shape_walk(batch: int = 3, seq_len: int = 4, d_model: int = 16, h: int = 8) -> ShapeWalk:
    """The shape walk of one layer on ``x [batch, seq_len, d_model]`` with ``h`` heads."""
    steps = shape_trace(batch, seq_len, d_model, h)
    flat = torch.arange(batch * seq_len * d_model).view(batch, seq_len, d_model)  # (B, T, d_model)
    heads = split_heads(flat, h)  # (B, h, T, d_k)
    merged = merge_heads(heads)  # (B, T, d_model)
    where = {
        "input": flat,
        "project": flat,
        "cut into heads": heads.transpose(1, 2),  # (B, T, h, d_k): the view before the transpose
        "heads first": heads,
        "attention per head": heads,
        "tokens first again": heads.transpose(1, 2),  # (B, T, h, d_k)
        "concatenate heads": merged,
        "mix heads": merged,
    }
    for step in steps:
        if list(where[step.name].shape) != step.shape:
            raise ValueError(
                f"stage {step.name!r}: traced shape {step.shape} but arrangement "
                f"{list(where[step.name].shape)}; helpers.attention changed"
            )
    return ShapeWalk(batch, seq_len, d_model, h, steps, where)

"""Small helpers several test files share (``tests/unit`` is on pytest's pythonpath)."""

from __future__ import annotations

import torch

from helpers.attention import MultiHeadSelfAttention
from helpers.exercises import core


def torch_shapes(B: int, T: int, d_model: int, h: int) -> list[list[int]]:
    """The shape of every step of a real layer's forward pass on the CPU (not the meta device)."""
    trace = []
    MultiHeadSelfAttention(d_model, h)(torch.randn(B, T, d_model), trace=trace)
    return [s.shape for s in trace]


def stage_shapes(fig) -> list[list[int]]:
    """The shapes a shape-walk figure says it draws (``layout.meta["stages"]``)."""
    return [stage["shape"] for stage in fig.layout.meta["stages"]]


def panel_titles(fig) -> list[str]:
    """The per-head panel titles of a subspace figure."""
    return [a.text for a in fig.layout.annotations if a.text and a.text.startswith("head ")]


# -- the exercise checkers ------------------------------------------------------------------


def verdict(capsys, check, *answers, **options):
    """What a checker returns, and what it printed."""
    ok = check(*answers, **options)
    return ok, capsys.readouterr().out


def wrong(capsys, check, *answers, says: str, **options) -> str:
    """The checker rejects the answers: ✗, at most two lines, naming the slip (``says``)."""
    ok, out = verdict(capsys, check, *answers, **options)
    assert ok is False, out
    assert out.startswith(core.WRONG + " "), out
    assert says in out, out
    assert len(out.splitlines()) <= 2, out
    return out

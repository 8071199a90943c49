"""The live shape walk: slide h, d_model, batch and seq_len and watch every shape change."""

from __future__ import annotations

import ipywidgets as widgets

from helpers.attention import check_heads
from helpers.figures import shapes
from helpers.widgets.base import Explorer, heads_follow, heads_slider

__all__ = ["D_MODELS", "ShapeExplorer", "shape_explorer"]

D_MODELS = [8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512]


class ShapeExplorer(Explorer):
    """``ex.d_model``, ``ex.h``, ``ex.batch``, ``ex.seq_len``, ``ex.colour_by`` → ``ex.figure``.

    ``ex.h`` only ever offers the divisors of the current ``d_model``: changing ``d_model``
    replaces its options and keeps h if it still divides, else moves to the nearest one.
    """

    def __init__(self, batch: int = 3, seq_len: int = 4, d_model: int = 16, h: int = 8,
                 colour_by: str = "token"):
        check_heads(d_model, h)
        if colour_by not in shapes.COLOUR_BY:
            raise ValueError(f"colour_by={colour_by!r}; choose one of {', '.join(shapes.COLOUR_BY)}")
        for name, value, most in (("batch", batch, 8), ("seq_len", seq_len, 12)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
                raise ValueError(f"{name}={value!r} must be a whole number from 1 to {most}")
        d_models = sorted(set(D_MODELS) | {d_model})
        controls = {
            "d_model": widgets.SelectionSlider(options=d_models, value=d_model, description="d_model",
                                               continuous_update=False),
            "h": heads_slider(d_model, h),
            "batch": widgets.IntSlider(value=batch, min=1, max=8, description="batch",
                                       continuous_update=False),
            "seq_len": widgets.IntSlider(value=seq_len, min=1, max=12, description="seq_len",
                                         continuous_update=False),
            "colour_by": widgets.ToggleButtons(options=list(shapes.COLOUR_BY), value=colour_by,
                                               description="colour_by"),
        }
        super().__init__(controls, self._figure, sync=heads_follow(controls["d_model"], controls["h"]))

    @staticmethod
    def _figure(**values):
        return shapes.shape_walk_figure(**values)

    def stage_shapes(self) -> list[list[int]]:
        """The shape of every stage the figure shows, as torch produced it."""
        return [stage["shape"] for stage in self.figure.layout.meta["stages"]]


def shape_explorer(batch: int = 3, seq_len: int = 4, d_model: int = 16, h: int = 8,
                   colour_by: str = "token") -> ShapeExplorer:
    """The shape walk of ``MultiHeadSelfAttention(d_model, h)`` on ``x [batch, seq_len, d_model]``, live."""
    return ShapeExplorer(batch=batch, seq_len=seq_len, d_model=d_model, h=h, colour_by=colour_by)

"""The live shape walk: slide h, d_model, batch and seq_len and watch every shape change."""

from __future__ import annotations

import ipywidgets as widgets

from helpers.attention import check_heads
from helpers.checks import whole_number
from helpers.figures.shapes import COLOUR_BY, shape_walk_figure
from helpers.shape_walk import shape_walk
from helpers.widgets.base import Explorer, d_model_slider, heads_follow, heads_slider

__all__ = ["D_MODELS", "shape_explorer"]

D_MODELS = [8, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512]
MAX_BATCH, MAX_SEQ_LEN = 8, 12


def shape_explorer(
    batch: int = 3, seq_len: int = 4, d_model: int = 16, h: int = 8, colour_by: str = "token"
) -> Explorer:
    """The shape walk, live, of ``MultiHeadSelfAttention(d_model, h)`` on ``x [B, T, d_model]``.

    Controls ``ex.d_model``, ``ex.h``, ``ex.batch``, ``ex.seq_len``, ``ex.colour_by``. ``ex.h``
    only ever offers the divisors of the current ``d_model``: changing ``d_model`` replaces its
    options and keeps h if it still divides, else moves to the nearest one. Every shape drawn
    is read off the real layer (``helpers.shape_walk``); the figure's ``layout.meta["stages"]``
    lists them.
    """
    check_heads(d_model, h)
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by={colour_by!r}; choose one of {', '.join(COLOUR_BY)}")
    whole_number("batch", batch, at_most=MAX_BATCH)
    whole_number("seq_len", seq_len, at_most=MAX_SEQ_LEN)
    controls = {
        "d_model": d_model_slider(d_model, D_MODELS),
        "h": heads_slider(d_model, h),
        "batch": widgets.IntSlider(
            value=batch, min=1, max=MAX_BATCH, description="batch", continuous_update=False
        ),
        "seq_len": widgets.IntSlider(
            value=seq_len, min=1, max=MAX_SEQ_LEN, description="seq_len", continuous_update=False
        ),
        "colour_by": widgets.ToggleButtons(
            options=list(COLOUR_BY), value=colour_by, description="colour_by"
        ),
    }

    def build(d_model: int, h: int, batch: int, seq_len: int, colour_by: str):
        return shape_walk_figure(shape_walk(batch, seq_len, d_model, h), colour_by)

    return Explorer(controls, build, sync=heads_follow(controls["d_model"], controls["h"]))

"""The cost explorer: sliders n, d_model, h over the cost breakdown (formulas only, no timing)."""

from __future__ import annotations

import ipywidgets as widgets

from helpers.cost import attention_cost
from helpers.figures.cost import cost_breakdown_figure
from helpers.widgets.base import Explorer, d_model_slider, heads_follow, heads_slider

__all__ = ["D_MODELS", "MAX_N", "cost_explorer"]

# Widths worth sliding through: small teaching sizes, BERT/GPT sizes, the note's 5120.
D_MODELS = [16, 32, 64, 128, 256, 512, 768, 1024, 2048, 4096, 5120, 8192]
MAX_N = 4096


def cost_explorer(n: int = 32, d_model: int = 512, h: int = 8) -> Explorer:
    """Sliders ``ex.n``, ``ex.d_model``, ``ex.h`` over the cost breakdown of one layer.

    ``h`` only offers the divisors of the current ``d_model``; when ``d_model`` changes,
    ``h`` keeps its value if it still divides, else moves to the nearest divisor.
    """
    attention_cost(n, d_model, h)  # clear ValueError for sizes that cannot work
    controls = {
        "n": widgets.IntSlider(
            value=n, min=1, max=max(MAX_N, n), description="n", continuous_update=False
        ),
        "d_model": d_model_slider(d_model, D_MODELS),
        "h": heads_slider(d_model, h),
    }

    def build(n: int, d_model: int, h: int):
        return cost_breakdown_figure(attention_cost(n, d_model, h))

    return Explorer(controls, build, sync=heads_follow(controls["d_model"], controls["h"]))

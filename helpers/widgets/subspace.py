"""subspace_explorer: slide h and watch each trained head's query/key plane."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import torch

from helpers.experiments import PREV, TwoRuleModel, held_out_batch, load_models, token_label
from helpers.figures.subspaces import subspace_figure
from helpers.widgets.base import Explorer

TRAINED_D_MODEL = 16  # the sweep trains d_model = 16 only; that is all the explorer offers
N_EXAMPLES = 6


def subspace_explorer(
    d_model: int = TRAINED_D_MODEL, h: int = 8, models: Mapping[int, TwoRuleModel] | None = None
) -> Explorer:
    """Per-head query/key planes of trained two-rule models (``helpers.experiments``).

    Controls: ``ex.h`` (the head counts there is a trained model for), ``ex.d_model``
    (only the trained width, 16, is offered) and ``ex.example`` (which held-out input).
    ``models`` maps h → trained model; by default the sweep's seed-0 models stored in
    ``assets/head_models.json`` (loaded once; nothing is trained here or in a callback).
    """
    if d_model != TRAINED_D_MODEL:
        raise ValueError(
            f"d_model={d_model}: only d_model={TRAINED_D_MODEL} models are trained; "
            f"use subspace_explorer(d_model={TRAINED_D_MODEL})"
        )
    models = dict(load_models() if models is None else models)
    options = sorted(models)
    if h not in options:
        raise ValueError(f"h={h} has no trained model; choose h from {options}")
    examples = held_out_batch(N_EXAMPLES)
    fit = held_out_batch(200)

    def build(d_model: int, h: int, example: int):
        model = models[h]
        tokens = examples.tokens[example]  # (T,)
        with torch.no_grad():
            x = model.inputs(tokens[None])[0]  # (T, d_model)
            x_fit = model.inputs(fit.tokens)  # (200, T, d_model)
        roles = {PREV: "prev (rule 1)", int(examples.where[example]): "match (rule 2)"}
        return subspace_figure(
            model.attn, x, [token_label(t) for t in tokens], roles=roles, fit=x_fit
        )

    controls = {
        "d_model": widgets.Dropdown(options=[TRAINED_D_MODEL], value=d_model, description="d_model"),
        "h": widgets.SelectionSlider(options=options, value=h, description="h"),
        "example": widgets.IntSlider(value=0, min=0, max=N_EXAMPLES - 1, description="example"),
    }
    return Explorer(controls, build)

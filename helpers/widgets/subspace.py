"""subspace_explorer: slide h and watch each trained head's query/key plane."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from helpers.figures.subspaces import head_planes_figure
from helpers.geometry import head_planes, head_queries_keys, head_view
from helpers.tasks.sweep import load_models
from helpers.tasks.two_rule import PREV, TwoRuleModel, held_out_batch, token_label
from helpers.widgets.base import Explorer

__all__ = ["TRAINED_D_MODEL", "subspace_explorer"]

TRAINED_D_MODEL = 16  # the sweep trains d_model = 16 only; that is all the explorer offers
N_EXAMPLES = 6


def subspace_explorer(
    d_model: int = TRAINED_D_MODEL, h: int = 8, models: Mapping[int, TwoRuleModel] | None = None
) -> Explorer:
    """Per-head query/key planes of trained two-rule models (``helpers.tasks.two_rule``).

    Controls: ``ex.h`` (the head counts there is a trained model for), ``ex.d_model``
    (only the trained width, 16, is offered) and ``ex.example`` (which held-out input).
    ``models`` maps h → trained model; by default the sweep's seed-0 models stored in
    ``assets/head_models.safetensors`` (loaded once; nothing is trained here or in a callback).
    """
    if d_model != TRAINED_D_MODEL:
        raise ValueError(
            f"d_model={d_model}: only d_model={TRAINED_D_MODEL} models are trained; "
            f"use subspace_explorer(d_model={TRAINED_D_MODEL})"
        )
    models = dict(load_models(d_model) if models is None else models)
    options = sorted(models)
    if h not in options:
        raise ValueError(f"h={h} has no trained model; choose h from {options}")
    examples = held_out_batch(N_EXAMPLES)
    fit = held_out_batch(200)
    heads = {}  # h → per-head queries, keys, weights of every example and each head's plane

    def head_data(h: int):
        if h not in heads:
            model = models[h]
            q, k, weights = head_queries_keys(
                model.attn, model.inputs(examples.tokens)
            )  # (N, h, T, d_k) ×2, (N, h, T, T)
            planes = head_planes(
                model.attn, model.inputs(fit.tokens).detach()
            )  # fitted on (200, T, d_model)
            heads[h] = q, k, weights, planes
        return heads[h]

    def build(d_model: int, h: int, example: int):
        q, k, weights, planes = head_data(h)
        tokens = examples.tokens[example]  # (T,)
        roles = {PREV: "prev (rule 1)", int(examples.where[example]): "match (rule 2)"}
        view = head_view(q[example], k[example], weights[example], planes)
        return head_planes_figure(view, [token_label(t) for t in tokens], roles=roles)

    controls = {
        "d_model": widgets.Dropdown(
            options=[TRAINED_D_MODEL], value=d_model, description="d_model"
        ),
        "h": widgets.SelectionSlider(options=options, value=h, description="h"),
        "example": widgets.IntSlider(value=0, min=0, max=N_EXAMPLES - 1, description="example"),
    }
    return Explorer(controls, build)

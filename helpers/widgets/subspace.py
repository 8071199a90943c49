"""subspace_explorer: slide d_model and h and watch each trained head's own small space."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from helpers.figures.subspaces import head_planes_figure, value_space_figure
from helpers.geometry import (
    head_planes,
    head_queries_keys,
    head_values,
    head_view,
    value_planes,
    value_view,
)
from helpers.tasks.sweep import stored_models
from helpers.tasks.two_rule import PREV, TwoRuleModel, held_out_batch, token_label
from helpers.widgets.base import Explorer

__all__ = ["SPACES", "subspace_explorer"]

SPACES = ("queries & keys", "values & output")
N_EXAMPLES = 6
N_FIT = 200  # held-out inputs each head's drawing plane is fitted on


def subspace_explorer(
    d_model: int = 16,
    h: int = 8,
    space: str = SPACES[0],
    models: Mapping[tuple[int, int], TwoRuleModel] | None = None,
) -> Explorer:
    """Per-head spaces of trained two-rule models (``helpers.tasks.two_rule``), for the question.

    Controls: ``ex.d_model`` and ``ex.h`` (only the widths and head counts there is a trained
    model for: ``h`` follows ``d_model``), ``ex.example`` (which held-out input) and
    ``ex.space``: the question's query among every token's key (``"queries & keys"``), or its
    output z among the values it averages (``"values & output"``). ``models`` maps
    ``(d_model, h)`` → trained model; by default the seed-0 models stored in
    ``assets/head_models.safetensors`` (read once; nothing is trained here or in a callback).
    """
    models = dict(stored_models() if models is None else models)
    trained = sorted(models)
    widths = sorted({d for d, _ in trained})

    def heads_of(d: int) -> list[int]:
        return [k for w, k in trained if w == d]

    if d_model not in widths:
        raise ValueError(f"d_model={d_model} has no trained models; choose d_model from {widths}")
    if h not in heads_of(d_model):
        raise ValueError(
            f"h={h} has no trained model at d_model={d_model}; choose h from {heads_of(d_model)}"
        )
    if space not in SPACES:
        raise ValueError(f"space={space!r}; choose one of {', '.join(repr(s) for s in SPACES)}")
    examples = held_out_batch(N_EXAMPLES)
    fit = held_out_batch(N_FIT)
    cache: dict = {}  # (d_model, h) → every example's per-head numbers and each head's planes

    def head_data(d_model: int, h: int) -> dict:
        if (d_model, h) not in cache:
            model = models[d_model, h]
            x, x_fit = model.inputs(examples.tokens).detach(), model.inputs(fit.tokens).detach()
            q, k, weights = head_queries_keys(model.attn, x)  # (N, h, T, d_k) ×2, (N, h, T, T)
            v, z = head_values(model.attn, x)  # (N, h, T, d_k) ×2
            cache[d_model, h] = dict(
                q=q, k=k, weights=weights, v=v, z=z,
                key_planes=head_planes(model.attn, x_fit),
                value_planes=value_planes(head_values(model.attn, x_fit)[0]),
            )  # fmt: skip
        return cache[d_model, h]

    def build(d_model: int, h: int, example: int, space: str):
        data = head_data(d_model, h)
        labels = [token_label(t) for t in examples.tokens[example]]
        roles = {PREV: "prev (rule 1)", int(examples.where[example]): "match (rule 2)"}
        if space == SPACES[0]:
            view = head_view(
                data["q"][example], data["k"][example], data["weights"][example], data["key_planes"]
            )
            return head_planes_figure(view, labels, roles)
        view = value_view(data["v"][example], data["z"][example], data["value_planes"])
        return value_space_figure(view, labels, roles)

    controls = {
        "d_model": widgets.SelectionSlider(options=widths, value=d_model, description="d_model",
                                           continuous_update=False),
        "h": widgets.SelectionSlider(options=heads_of(d_model), value=h, description="h",
                                     continuous_update=False),
        "example": widgets.IntSlider(value=0, min=0, max=N_EXAMPLES - 1, description="example",
                                     continuous_update=False),
        "space": widgets.ToggleButtons(options=list(SPACES), value=space, description="space"),
    }  # fmt: skip

    def sync(change: dict) -> None:  # h follows d_model: only the head counts trained at it
        if change["owner"] is not controls["d_model"]:
            return
        offered = heads_of(controls["d_model"].value)
        keep = min(offered, key=lambda k: (abs(k - controls["h"].value), k))
        controls["h"].options = offered
        controls["h"].value = keep

    return Explorer(controls, build, sync=sync)

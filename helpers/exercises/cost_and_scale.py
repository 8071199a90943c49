"""Exercises of notebook 06 (cost and scale).

- predict: the parameter count of one layer at d_model = 768, h = 12
  (:func:`check_layer_parameters`);
- predict: the multiply-adds of one layer at the note's video size, n = 80, d_model = 5120,
  h = 8 (:func:`check_video_macs`);
- write the code: ``macs(n, d_model, h)`` (:func:`check_macs`);
- explorer: the smallest n at which QKᵀ + AV overtakes the projections at d_model = 512
  (:func:`check_crossover`).

Every truth comes from :mod:`helpers.cost`, the formulas notebook 06 checks against torch's
FLOP counter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from helpers.cost import ATTENTION, PROJECTIONS, SCORES, attention_cost, parameter_count
from helpers.exercises.core import (
    Wrong,
    call,
    checker,
    fmt,
    function,
    judge_number,
    number,
    returned_none,
    whole,
)

__all__ = ["check_layer_parameters", "check_video_macs", "check_macs", "check_crossover"]


# --------------------------------------------------------------------------- predict


@checker("parameters of one layer")
def check_layer_parameters(answer, d_model: int = 768, h: int = 12) -> str:
    """Predict the learned numbers of one ``MultiHeadSelfAttention(d_model, h)`` with biases;
    the truth is :func:`helpers.cost.parameter_count`."""
    truth = parameter_count(d_model, h)
    no_bias = parameter_count(d_model, h, bias=False)
    d, d_k = d_model, d_model // h
    got = number(answer, "answer", "a number of parameters")
    judge_number(
        got,
        truth,
        name="answer",
        reveal=True,
        mistakes=[
            (no_bias, f"That leaves out the biases: each of the four projections adds {d} more."),
            (
                3 * d * d + 3 * d,
                "That counts W_Q, W_K, W_V only; W_O (d_model × d_model + bias) is "
                "a parameter matrix too.",
            ),
            (
                3 * d * d,
                "That counts W_Q, W_K, W_V only, without biases; W_O and the four biases "
                "count too.",
            ),
            (
                h * truth,
                "The heads do not each get full-size matrices: W_Q, W_K, W_V are cut into h "
                "slices, so h does not enter.",
            ),
            (
                4 * d * d_k + 4 * d_k,
                f"That is one head's share (d_k = {d_k}); the layer has all h.",
            ),
            (
                4 * d * d_k,
                f"That is one head's share (d_k = {d_k}) without biases; the layer has all h.",
            ),
            (d * d + d, "That is one projection; the layer has four: W_Q, W_K, W_V, W_O."),
        ],
        hint="Four d_model × d_model matrices W_Q, W_K, W_V, W_O, plus a bias of d_model each.",
    )
    return f"4·{d}² + 4·{d} = {fmt(truth)} (without the biases {fmt(no_bias)}); h does not enter."


def _cost_mistakes(n: int, d_model: int, h: int) -> list[tuple[int, str]]:
    """The usual wrong totals for one setting, each with what went wrong."""
    c = attention_cost(n, d_model, h)
    proj, attn, d_k = c.macs[PROJECTIONS], c.attention_macs, d_model // h
    return [
        (c.flops, "That counts FLOPs: a multiply-add is 2 FLOPs, so FLOPs = 2 × multiply-adds."),
        (attn, "That leaves out the projections W_Q, W_K, W_V, W_O: 4·n·d_model² more."),
        (
            2 * attn,
            "That is the FLOPs of QKᵀ + AV alone; count multiply-adds, and add the "
            "projections (4·n·d_model²).",
        ),
        (
            c.macs[SCORES],
            "That is n²·d_model, QKᵀ alone: add AV (another n²·d_model) and the "
            "projections (4·n·d_model²).",
        ),
        (
            proj + c.macs[SCORES],
            "That counts QKᵀ but not AV, the weighted sum of the values (another n²·d_model).",
        ),
        (proj, "That is the projections alone: add QKᵀ and AV (2·n²·d_model)."),
        (
            3 * n * d_model**2 + attn,
            "That leaves out W_O: there are four projections, 4·n·d_model².",
        ),
        (
            proj + h * attn,
            "QKᵀ and AV cost n²·d_k per head, so n²·d_model over all h heads; "
            "that multiplies by h once too often.",
        ),
        (
            4 * n * d_model * d_k + attn,
            "The projections are d_model × d_model (all heads at once): "
            "4·n·d_model², not 4·n·d_model·d_k.",
        ),
        (
            4 * n * d_model**2 + 2 * n * d_model**2,
            "QKᵀ and AV grow with n², not n·d_model: 2·n²·d_model.",
        ),
    ]


@checker("the video's multiply-adds")
def check_video_macs(answer, n: int = 80, d_model: int = 5120, h: int = 8) -> str:
    """Predict the multiply-adds of one forward pass at the note's video size; the truth is
    :func:`helpers.cost.attention_cost` (``total_macs``)."""
    c = attention_cost(n, d_model, h)
    got = number(answer, "answer", "a number of multiply-adds")
    judge_number(
        got,
        c.total_macs,
        name="answer",
        rel=1e-3,
        reveal=True,
        mistakes=_cost_mistakes(n, d_model, h),
        hint="Projections 4·n·d_model², plus QKᵀ and AV, n²·d_model each.",
    )
    share = c.macs[PROJECTIONS] / c.total_macs
    return (
        f"4·{n}·{d_model}² + 2·{n}²·{d_model} = {fmt(c.total_macs)} ({share:.1%} of it in the "
        "projections, since n < 2·d_model)."
    )


# --------------------------------------------------------------------------- write the code

_MACS_CASES = [(32, 512, 8), (80, 5120, 8), (7, 12, 3), (1000, 64, 4), (5, 16, 1)]


@checker("macs")
def check_macs(fn: Callable) -> str:
    """``fn(n, d_model, h) -> int``: the multiply-adds of one forward pass, compared with
    :func:`helpers.cost.attention_cost` over short and long sequences."""
    fn = function(fn, "macs")
    for i, (n, d_model, h) in enumerate(_MACS_CASES):
        case = f"case {i + 1} of {len(_MACS_CASES)} (n = {n}, d_model = {d_model}, h = {h})"
        got = call(fn, (n, d_model, h), label="macs", case=case)
        if got is None:
            raise returned_none("macs", i == 0, case)
        if isinstance(got, dict):
            raise Wrong(
                f"{case}: returned a dict ({', '.join(map(str, got))}).",
                "Return one number, the total: sum(...) of the terms.",
            )
        try:
            value = number(got, "macs(...)", "a number of multiply-adds")
        except Wrong as err:
            raise Wrong(f"{case}: returned {err.headline.split(' is ', 1)[-1]}", err.hint) from None
        try:
            judge_number(
                value,
                attention_cost(n, d_model, h).total_macs,
                name="macs(...)",
                rel=1e-9,
                reveal=True,
                mistakes=_cost_mistakes(n, d_model, h),
                hint="Projections 4·n·d_model², plus QKᵀ and AV, n²·d_model each.",
            )
        except Wrong as err:
            raise Wrong(f"{case}: {err.headline}", err.hint) from None
    return f"equal to helpers.cost on {len(_MACS_CASES)} settings, from n ≪ d_model to n ≫ d_model."


# --------------------------------------------------------------------------- explorer


@functools.lru_cache(maxsize=8)
def _crossover(d_model: int, h: int, most: int) -> int:
    """The smallest n at which QKᵀ + AV costs more than the projections (attention_cost's view)."""
    for n in range(1, most + 1):
        if attention_cost(n, d_model, h).dominant != PROJECTIONS:
            return n
    raise ValueError(f"attention never overtakes the projections below n = {most}")


@checker("where attention overtakes")
def check_crossover(answer, d_model: int = 512, h: int = 8) -> str:
    """The smallest n at which QKᵀ + AV overtakes the projections, as the cost explorer shows
    (n up to 4096); the truth is :func:`helpers.cost.attention_cost`."""
    truth = _crossover(d_model, h, 8 * d_model)
    got = whole(
        answer, "answer", at_least=1, hint="a number of tokens n", what="a number of tokens n"
    )
    if got == truth:
        return (
            f"n = {truth}: 2·n²·d_model > 4·n·d_model² once n > 2·d_model = {2 * d_model}; "
            "below that the projections cost more."
        )
    qk_alone = "That compares QKᵀ alone (n²·d_model) with the projections; AV costs as much again."
    named = {
        truth - 1: f"At n = {truth - 1} = 2·d_model the two are equal; "
        "overtaking needs one more token.",
        2 * truth - 1: qk_alone,
        2 * truth: qk_alone,
        d_model: "At n = d_model the projections still cost twice as much as QKᵀ + AV.",
        d_model + 1: "At n = d_model the projections still cost twice as much as QKᵀ + AV.",
    }
    raise Wrong(
        f"answer = {got} is not right.",
        named.get(
            got, f"Set d_model = {d_model} and slide n until the title says '{ATTENTION} dominate'."
        ),
    )

"""Exercises of notebook 05 (why several heads).

- predict: the parameter count of the two-rule model with h = 16 heads, given h = 1's
  (:func:`check_head_count_parameters`);
- write the code: remove one head before W_O, a head ablation (:func:`check_head_ablation`);
- explorer: which head of the trained h = 8 model puts most weight on the matched token
  (:func:`check_match_head`).

The two-rule task lives in ``helpers.tasks``; it is imported inside the checkers, so this
module loads even while the task modules move.
"""

from __future__ import annotations

import functools

import torch

from helpers.attention import MultiHeadSelfAttention, merge_heads, split_heads
from helpers.exercises.core import (
    Mistake,
    Wrong,
    call,
    checker,
    fmt,
    function,
    judge_number,
    judge_tensor,
    number,
    returned_none,
    whole,
)
from helpers.tasks.sweep import load_models
from helpers.tasks.two_rule import PREV, TwoRuleModel, held_out_batch

__all__ = ["check_head_count_parameters", "check_head_ablation", "check_match_head"]


def _trained(h: int, d_model: int = 16):
    """The sweep's seed-0 model for ``h``, as the subspace explorer loads it (stored)."""
    return load_models(d_model)[h]


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------- predict


@checker("parameters for h = 16")
def check_head_count_parameters(answer, d_model: int = 16, h: int = 16) -> str:
    """Predict the parameter count of ``TwoRuleModel(d_model, h)`` knowing that of
    ``TwoRuleModel(d_model, 1)``; the truth is the models' own count."""
    with torch.device("meta"):
        one, many = TwoRuleModel(d_model, 1), TwoRuleModel(d_model, h)
    truth, single = _count(many), _count(one)
    got = number(answer, "answer", "a number of parameters")
    full = 4 * d_model * d_model  # W_Q, W_K, W_V, W_O of one full-width head
    judge_number(
        got,
        truth,
        name="answer",
        reveal=True,
        mistakes=[
            (
                single + (h - 1) * full,
                "The heads do not each get full-size matrices: W_Q, W_K, W_V "
                "stay d_model × d_model and are cut into h slices.",
            ),
            (
                single + (h - 1) * (full + 4 * d_model),
                "The heads do not each get full-size matrices: "
                "W_Q, W_K, W_V stay d_model × d_model and are cut.",
            ),
            (
                single * h,
                "More heads do not multiply the model: the same matrices are cut into h slices.",
            ),
            (
                _count(many.attn),
                "That is the attention layer alone; the question asks for the whole model.",
            ),
        ],
        hint="Cutting W_Q, W_K, W_V into h slices changes no matrix's size.",
    )
    return (
        f"{fmt(truth)} for every h: W_Q, W_K, W_V, W_O stay {d_model} × {d_model}; "
        f"h only decides how they are cut."
    )


# --------------------------------------------------------------------------- write the code


def _layer(d_model: int, h: int, seed: int) -> MultiHeadSelfAttention:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layer = MultiHeadSelfAttention(d_model, h)
        with torch.no_grad():
            for p in layer.parameters():  # biases too, so a forgotten bias shows
                p.normal_(0.0, 0.4)
    return layer.eval()


def _ablation_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(6)
    cases = []
    for d_model, h, B, T, head, seed in (
        (12, 4, 2, 5, 1, 0),
        (16, 8, 3, 4, 7, 1),
        (6, 2, 2, 3, 0, 2),
    ):
        x = torch.randn(B, T, d_model, generator=g)  # (B, T, d_model)
        text = f"MultiHeadSelfAttention({d_model}, {h}), x [{B}, {T}, {d_model}], head = {head}"
        cases.append((text, (_layer(d_model, h, seed), x, head)))
    return cases


def _keep(layer: MultiHeadSelfAttention, heads) -> torch.Tensor:
    mask = torch.zeros(layer.h)  # (h,)
    mask[list(heads)] = 1.0
    return mask


def _ablated(layer: MultiHeadSelfAttention, x: torch.Tensor, head: int) -> torch.Tensor:
    """The reference: the layer's own ``head_mask`` with a 0 for ``head``."""
    with torch.no_grad():
        out, _ = layer(x, head_mask=_keep(layer, [j for j in range(layer.h) if j != head]))
    return out  # (B, T, d_model)


def _heads(layer: MultiHeadSelfAttention, x: torch.Tensor, scores_zero: int | None = None):
    """z per head, [B, h, T, d_k]; ``scores_zero`` gives that head all-zero scores (uniform)."""
    q = split_heads(layer.W_Q(x), layer.h)  # (B, h, T, d_k)
    k = split_heads(layer.W_K(x), layer.h)  # (B, h, T, d_k)
    v = split_heads(layer.W_V(x), layer.h)  # (B, h, T, d_k)
    scores = q @ k.transpose(-2, -1) / layer.d_k**0.5  # (B, h, T, T)
    if scores_zero is not None:
        scores[:, scores_zero] = 0.0
    return scores.softmax(-1) @ v  # (B, h, T, d_k)


def _after_w_o_cut(layer, x, head):
    out, _ = layer(x)  # (B, T, d_model)
    out[..., head * layer.d_k : (head + 1) * layer.d_k] = 0.0
    return out


def _input_cut(layer, x, head):
    x = x.clone()
    x[..., head * layer.d_k : (head + 1) * layer.d_k] = 0.0
    return layer(x)[0]


def _no_bias(layer, x, head):
    z = _heads(layer, x) * (1 - torch.eye(layer.h)[head]).view(1, -1, 1, 1)  # (B, h, T, d_k)
    return merge_heads(z) @ layer.W_O.weight.T  # (B, T, d_model)


def _before_w_o(layer, x, head):
    z = _heads(layer, x) * (1 - torch.eye(layer.h)[head]).view(1, -1, 1, 1)  # (B, h, T, d_k)
    return merge_heads(z)  # (B, T, d_model)


_ABLATION_MISTAKES = [
    Mistake(
        "Nothing was removed: that is the layer's usual output.", lambda layer, x, head: layer(x)[0]
    ),
    Mistake(
        "That keeps only this head and removes all the others.",
        lambda layer, x, head: layer(x, head_mask=_keep(layer, [head]))[0],
    ),
    Mistake(
        "That removes the next head: heads are numbered from 0.",
        lambda layer, x, head: _ablated(layer, x, (head + 1) % layer.h),
    ),
    Mistake(
        "That removes the head before: heads are numbered from 0.",
        lambda layer, x, head: _ablated(layer, x, (head - 1) % layer.h),
    ),
    Mistake(
        "That zeroes features of the output after W_O; W_O mixes all heads, so the head "
        "must be zeroed in z, before W_O.",
        _after_w_o_cut,
    ),
    Mistake(
        "That zeroes part of the input x; the head's output z (after attention, before "
        "W_O) is what must be zeroed.",
        _input_cut,
    ),
    Mistake(
        "That gives the head uniform weights (scores 0) but keeps its output; zero its z instead.",
        lambda layer, x, head: layer.W_O(merge_heads(_heads(layer, x, scores_zero=head))),
    ),
    Mistake("W_O's bias is missing: use layer.W_O(z), not z @ layer.W_O.weight.T.", _no_bias),
    Mistake("That is the merged z before W_O: apply layer.W_O to it.", _before_w_o),
]


@checker("head ablation")
def check_head_ablation(fn) -> str:
    """``fn(layer, x [B, T, d_model], head) -> out [B, T, d_model]``: the layer's output with
    head ``head``'s z set to 0 before W_O; compared with
    ``MultiHeadSelfAttention.forward(x, head_mask=...)``."""
    fn = function(fn, "head ablation")
    cases = _ablation_cases()
    for i, (text, args) in enumerate(cases):
        case = f"case {i + 1} of {len(cases)} ({text})"
        got = call(fn, args, label="head ablation", case=case)  # the layer is a copy: safe to edit
        if got is None:
            raise returned_none("head ablation", i == 0, case)
        judge_tensor(
            got,
            _ablated(*args),
            case=case,
            label="head ablation",
            args=args,
            mistakes=_ABLATION_MISTAKES,
            what="out",
            hint="Split q, k, v into heads, attend, multiply head j's z by 0, merge, then W_O.",
        )
    return (
        f"equal to the layer's own head_mask on {len(cases)} cases, "
        "the first and last head included."
    )


# --------------------------------------------------------------------------- explorer


@functools.lru_cache(maxsize=8)
def _question_weights(h: int, example: int, n_examples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The weight the question puts on the matched token and on prev, per head ``[h]``, in the
    explorer's example ``example`` of ``held_out_batch(n_examples)``."""
    batch = held_out_batch(n_examples)
    with torch.no_grad():
        _, weights = _trained(h)(batch.tokens)  # (n, h, T, T)
    question = weights[example, :, -1]  # (h, T) the question's row, per head
    return question[:, int(batch.where[example])], question[:, PREV]  # (h,), (h,)


@checker("the matching head")
def check_match_head(answer, h: int = 8, example: int = 0, n_examples: int = 6) -> str:
    """In the subspace explorer (``h``, ``example``): the head whose question token puts the
    most weight on the matched token. The truth is the stored model run on the explorer's
    held-out examples (``held_out_batch(n_examples)``)."""
    on_match, on_prev = (t.clone() for t in _question_weights(h, example, n_examples))  # (h,)
    truth = int(on_match.argmax())
    got = whole(answer, "answer", hint="heads are numbered from 0", what="a head number")
    if got == truth:
        return (
            f"head {truth} puts {on_match[truth].item():.2f} of the question's weight on the "
            "matched token: it found the key by content."
        )
    hint = ""
    if got < h:
        hint = (
            f"Its weight on the match is {on_match[got].item():.2f}; one head puts far more there."
        )
    if got == truth + 1:
        hint = "Heads are numbered from 0."
    elif got >= h:
        hint = f"The model has heads 0 … {h - 1}."
    elif got == int(on_prev.argmax()):
        hint = "That head looks at prev, the token just before the question (the rule by position)."
    raise Wrong(f"answer = {got} is not right.", hint)

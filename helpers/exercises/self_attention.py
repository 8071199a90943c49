"""Exercises of notebook 03 (self-attention, one head).

- predict: one query's attention weights on a 3 × 3 example, by hand
  (:func:`check_weights_by_hand`; the example is :data:`Q`, :data:`K`, :data:`V`);
- predict: the spread (std) of unscaled scores q·k at d_k = 64 (:func:`check_score_spread`);
- write the code: ``attention(q, k, v) -> (out, weights)`` (:func:`check_attention`);
- explorer: the largest softmax weight of unscaled scores at d_k = 512, read off the √d_k
  explorer (:func:`check_saturation`).
"""

from __future__ import annotations

import functools
import math

import torch

from helpers.attention import scaled_dot_product_attention
from helpers.exercises.core import (
    Mistake,
    Wrong,
    call,
    checker,
    container_hint,
    dims,
    fmt,
    function,
    given,
    judge_number,
    kind_of,
    named_mistake,
    number,
    returned_none,
    same,
    tensor_problem,
)

__all__ = [
    "Q",
    "K",
    "V",
    "check_weights_by_hand",
    "check_score_spread",
    "check_attention",
    "check_saturation",
]

# The by-hand example: 3 tokens, d_k = 4 (so √d_k = 2), small whole numbers.
Q = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 2.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]])  # (T, d_k)
K = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [2.0, 0.0, 2.0, 0.0]])  # (T, d_k)
V = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # (T, d_v)


# --------------------------------------------------------------------------- predict


@functools.lru_cache(maxsize=8)
def _scaling(d_ks: tuple[int, ...], n: int = 256) -> dict[str, list]:
    """:func:`helpers.scaling.scaling_stats`, the numbers behind the √d_k explorer (8 keys,
    seed 0, as the explorer uses them); computed once per setting."""
    from helpers.scaling import scaling_stats

    return scaling_stats(list(d_ks), n=n)


def _row(value, name: str, n: int) -> list[float]:
    given(value, name, f"a list of {n} numbers")
    if isinstance(value, torch.Tensor) or type(value).__module__ == "numpy":
        value = torch.as_tensor(value).detach().flatten().tolist()
    if not isinstance(value, list | tuple) or len(value) != n:
        raise Wrong(
            f"{name} is {kind_of(value)}; expected a list of {n} numbers, one weight per key."
        )
    return [number(v, f"{name}[{i}]") for i, v in enumerate(value)]


@checker("weights by hand")
def check_weights_by_hand(answer, query: int = 0) -> str:
    """The weights of query ``query`` over the three keys of :data:`Q`, :data:`K`
    (rounded to 2 decimals is fine); the truth is
    :func:`helpers.attention.scaled_dot_product_attention` on the same numbers."""
    got = _row(answer, "answer", len(K))
    _, weights = scaled_dot_product_attention(Q, K, V)  # (T, T)
    want = weights[query].tolist()
    d_k = Q.shape[-1]
    scores = Q @ K.T  # (T, T)

    def close(a, b) -> bool:
        return all(abs(x - y) <= 0.011 for x, y in zip(a, b, strict=True))

    if close(got, want):
        return (
            f"softmax([{', '.join(fmt(s) for s in scores[query].tolist())}] / √{d_k}) = "
            f"[{', '.join(f'{w:.2f}' for w in want)}]."
        )
    named = {
        "Forgot to divide by √d_k = 2 before the softmax.": (scores / 1).softmax(-1)[query],
        "Divided by d_k = 4; divide by √d_k = 2.": (scores / d_k).softmax(-1)[query],
        "Those are the scaled scores: the softmax turns them into weights that sum to 1.": (
            scores / math.sqrt(d_k)
        )[query],
        "Those are the raw scores q·k: divide by √d_k, then take the softmax.": scores[query],
        "That is a column (softmax over the queries); each query's row sums to 1.": (
            scores / math.sqrt(d_k)
        ).softmax(0)[:, query],
    }
    for other in range(len(Q)):
        if other != query:
            named[f"That is the row of query {other}; this exercise asks for query {query}."] = (
                weights[other]
            )
    hint = next((message for message, row in named.items() if close(got, row.tolist())), None)
    if hint is None and abs(sum(got) - 1) > 0.03:
        hint = f"Your weights sum to {fmt(round(sum(got), 4))}; a softmax row sums to 1."
    raise Wrong(
        f"answer = [{', '.join(fmt(round(g, 4)) for g in got)}] is not right.",
        hint or "Score q·k for each key, divide by √d_k = 2, then softmax.",
    )


@checker("spread of q·k")
def check_score_spread(answer, d_k: int = 64) -> str:
    """Predict the standard deviation of unscaled scores q·k for q, k with ``d_k`` independent
    N(0, 1) entries; the truth is measured by :func:`helpers.scaling.scaling_stats`."""
    measured = _scaling((d_k,), n=2048)["std_unscaled"][0]
    got = number(answer, "answer")
    judge_number(
        got,
        measured,
        name="answer",
        rel=0.1,
        reveal=True,
        mistakes=[
            (
                d_k,
                f"{d_k} is the variance (a sum of d_k products of variance 1); "
                "the std is its root.",
            ),
            (1.0, "1 is the spread after dividing by √d_k; before it the scores are much wider."),
            (1 / math.sqrt(d_k), "1/√d_k is the scale factor, not the spread."),
            (0.0, "0 is the mean of q·k; its spread grows with d_k."),
        ],
        hint="q·k adds d_k products, each of variance 1.",
    )
    return (
        f"measured {fmt(round(measured, 2))} ≈ √{d_k} = {fmt(math.sqrt(d_k))}; "
        "dividing by √d_k brings it back to 1."
    )


# --------------------------------------------------------------------------- write the code


def _attention_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(3)

    def r(*size):
        return torch.randn(*size, generator=g) * 1.5

    return [
        ("2-D: q, k [5, 4], v [5, 3]", (r(5, 4), r(5, 4), r(5, 3))),
        ("batched: q, k [2, 5, 4], v [2, 5, 3]", (r(2, 5, 4), r(2, 5, 4), r(2, 5, 3))),
        ("heads: q, k [2, 3, 5, 4], v [2, 3, 5, 6]", (r(2, 3, 5, 4), r(2, 3, 5, 4), r(2, 3, 5, 6))),
        (
            "4 queries, 6 keys: q [2, 4, 4], k [2, 6, 4], v [2, 6, 3]",
            (r(2, 4, 4), r(2, 6, 4), r(2, 6, 3)),
        ),
    ]


def _scores(q, k, scale):
    return q @ k.transpose(-2, -1) / scale  # (..., T_q, T_k)


def _with(weights, v):
    return weights @ v, weights


def _implicit_dim(t: torch.Tensor) -> int:
    """The axis F.softmax picks when no dim is given (torch's legacy rule)."""
    return 0 if t.dim() in (0, 1, 3) else 1


def _ref(q, k, v):
    return scaled_dot_product_attention(q, k, v)


_ATTENTION_MISTAKES = [
    Mistake(
        "Forgot to divide the scores by √d_k.",
        lambda q, k, v: _with(_scores(q, k, 1.0).softmax(-1), v),
    ),
    Mistake(
        "Divided by d_k; divide by √d_k (math.sqrt(q.size(-1))).",
        lambda q, k, v: _with(_scores(q, k, q.size(-1)).softmax(-1), v),
    ),
    Mistake(
        "Scaled by √d_v (v's width); the scale is √d_k, the width of q and k.",
        lambda q, k, v: _with(_scores(q, k, math.sqrt(v.size(-1))).softmax(-1), v),
    ),
    Mistake(
        "Scaled by √T (the number of tokens); the scale is √d_k, the width of q and k.",
        lambda q, k, v: _with(_scores(q, k, math.sqrt(k.size(-2))).softmax(-1), v),
    ),
    Mistake(
        "Softmax over the wrong axis: each query's row must sum to 1, softmax(dim=-1).",
        lambda q, k, v: _with(_scores(q, k, math.sqrt(q.size(-1))).softmax(-2), v),
    ),
    Mistake(
        "Softmax without dim=: torch then picks an axis that is not the last one for 3-D "
        "and 4-D tensors; write softmax(dim=-1).",
        lambda q, k, v: _with(
            (s := _scores(q, k, math.sqrt(q.size(-1)))).softmax(_implicit_dim(s)), v
        ),
    ),
    Mistake(
        "Softmax over the first axis (dim=0); each query's row must sum to 1, softmax(dim=-1).",
        lambda q, k, v: _with(_scores(q, k, math.sqrt(q.size(-1))).softmax(0), v),
    ),
    Mistake(
        "Softmax over axis 1; each query's row must sum to 1, softmax(dim=-1).",
        lambda q, k, v: _with(_scores(q, k, math.sqrt(q.size(-1))).softmax(1), v),
    ),
    Mistake(
        "Divided by √d_k after the softmax; scale the scores before it.",
        lambda q, k, v: _with(_scores(q, k, 1.0).softmax(-1) / math.sqrt(q.size(-1)), v),
    ),
    Mistake(
        "The weights are transposed: row i must hold query i's weights over the keys.",
        lambda q, k, v: (_ref(q, k, v)[0], _ref(q, k, v)[1].transpose(-2, -1)),
    ),
    Mistake(
        "Those weights are the scores before the softmax; return softmax(q kᵀ / √d_k).",
        lambda q, k, v: (_ref(q, k, v)[0], _scores(q, k, math.sqrt(q.size(-1)))),
    ),
    Mistake(
        "out uses the transposed weights; out = weights @ v.",
        lambda q, k, v: (_ref(q, k, v)[1].transpose(-2, -1) @ v, _ref(q, k, v)[1]),
    ),
    Mistake(
        "out is the scores times v; use the weights (after softmax): out = weights @ v.",
        lambda q, k, v: (_scores(q, k, math.sqrt(q.size(-1))) @ v, _ref(q, k, v)[1]),
    ),
]


BATCHED = (
    "Right on 2-D inputs but not on batched ones: transpose only the last two axes, "
    "k.transpose(-2, -1) (k.T and k.t() reverse or refuse the others)."
)


CROSS = (
    "Right when queries and keys are equally many, not with 4 queries and 6 keys: the weights "
    "are [T_q, T_k], one row per query, one column per key."
)


def _after(i: int) -> str:
    """A hint for a function that passed every case before case ``i``."""
    return "" if i == 0 else BATCHED if i < 3 else CROSS


def _same_pair(got, wrong) -> bool:
    return same(got[0], wrong[0]) and same(got[1], wrong[1])


@checker("attention")
def check_attention(fn) -> str:
    """``fn(q [..., T_q, d_k], k [..., T_k, d_k], v [..., T_k, d_v]) -> (out, weights)``:
    softmax(q kᵀ / √d_k) over the last axis, and weights @ v; compared with
    :func:`helpers.attention.scaled_dot_product_attention` on 2-D and batched inputs."""
    fn = function(fn, "attention")
    cases = _attention_cases()
    passed = 0
    for i, (text, args) in enumerate(cases):
        case = f"case {i + 1} of {len(cases)} ({text})"
        try:
            got = call(fn, args, label="attention", case=case)
        except Wrong as err:
            if passed == i and not err.hint:
                err.hint = _after(i)
            raise
        if got is None:
            raise returned_none("attention", i == 0, case)
        want_out, want_w = _ref(*args)  # (..., T_q, d_v), (..., T_q, T_k)
        if isinstance(got, torch.Tensor):
            if same(got, want_out):
                raise Wrong(f"{case}: returned out only.", "Return both: return out, weights.")
            if same(got, want_w):
                raise Wrong(
                    f"{case}: returned the weights only.", "Return both: return out, weights."
                )
            raise Wrong(
                f"{case}: returned one tensor {dims(got)}; expected a pair (out, weights).",
                "End with: return out, weights.",
            )
        if not isinstance(got, tuple | list) or len(got) != 2:
            kind = f"{len(got)} items" if isinstance(got, tuple | list) else type(got).__name__
            raise Wrong(
                f"{case}: returned {kind}; expected a pair (out, weights).",
                "End with: return out, weights.",
            )
        if same(got[0], want_w) and same(got[1], want_out):
            raise Wrong(f"{case}: returned (weights, out).", "Swap them: return out, weights.")
        problems = [
            (name, tensor_problem(part, want, what=name))
            for name, part, want in (("out", got[0], want_out), ("weights", got[1], want_w))
        ]
        problems = [(name, p) for name, p in problems if p is not None]
        if not problems:
            passed += 1
            continue
        named = named_mistake(tuple(got), _ATTENTION_MISTAKES, args, same=_same_pair)
        name, (problem, kind) = problems[0]
        if named is None and kind == "type":
            named = container_hint(
                got[0] if name == "out" else got[1], want_out if name == "out" else want_w
            )
        if named is None and passed == i:
            named = _after(i)
        raise Wrong(
            f"{case}: in {name}, {problem}.",
            named
            or "weights = softmax(q @ k.transpose(-2, -1) / √d_k, dim=-1); out = weights @ v.",
        )
    return (
        f"right on {len(cases)} cases: 2-D, batched, with heads, and with more keys than queries."
    )


# --------------------------------------------------------------------------- explorer


@checker("saturation at d_k = 512")
def check_saturation(answer, d_k: int = 512) -> str:
    """The mean largest softmax weight of *unscaled* scores at ``d_k``, read off the √d_k
    explorer's right-hand panel; the truth is :func:`helpers.scaling.scaling_stats` with the
    explorer's defaults (8 keys, 256 queries, seed 0)."""
    stats = _scaling((64, d_k))
    truth = stats["max_unscaled"][1]
    got = number(answer, "answer")
    judge_number(
        got,
        truth,
        name="answer",
        tol=0.02,
        mistakes=[
            (
                stats["max_scaled"][1],
                "That is the scaled curve (q·k / √d_k); read the unscaled one, q·k.",
            ),
            (stats["max_unscaled"][0], f"That is at d_k = 64; slide d_k to {d_k}."),
            (
                stats["max_scaled"][0],
                f"That is the scaled curve at d_k = 64; slide d_k to {d_k}, unscaled.",
            ),
        ],
        hint=f"Slide d_k to {d_k} and read the solid 'largest weight' line of q·k.",
    )
    return (
        f"{fmt(truth)}: without /√d_k one key takes nearly all the weight, and the softmax's "
        "gradient nearly vanishes."
    )

"""Exercises of notebook 02 (word2vec).

- predict: the loss of an untrained skip-gram model with k negatives
  (:func:`check_initial_loss`);
- write the code: the skip-gram negative-sampling loss (:func:`check_skipgram_loss`);
- explorer: how many of a word's nearest neighbours stay in its family at dim = 2
  (:func:`check_neighbours_in_family`).
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

from helpers.exercises.core import (
    Mistake,
    Wrong,
    call,
    checker,
    fmt,
    function,
    judge_number,
    named_mistake,
    number,
    returned_none,
    tensor_problem,
    whole,
)
from helpers.text import load_families
from helpers.word2vec import SkipGram, trained_vectors

__all__ = ["check_initial_loss", "check_skipgram_loss", "check_neighbours_in_family"]


# --------------------------------------------------------------------------- predict


@functools.lru_cache(maxsize=8)
def _untrained_loss(k: int) -> float:
    """Run an untrained :class:`SkipGram` (W_out = 0, so every score is 0) on a small batch."""
    g = torch.Generator().manual_seed(0)
    model = SkipGram(10, 4, generator=g)
    centre, context = torch.randint(0, 10, (2, 8), generator=g)  # (8,) each
    negatives = torch.randint(0, 10, (8, k), generator=g)  # (8, k)
    with torch.no_grad():
        return model(centre, context, negatives).item()


@checker("untrained loss")
def check_initial_loss(answer, k: int = 5) -> str:
    """Predict the loss of an untrained skip-gram model with ``k`` negatives per pair; the
    truth is what :class:`helpers.word2vec.SkipGram` computes before any training."""
    truth = _untrained_loss(k)
    got = number(answer, "answer")
    ln2 = math.log(2)
    judge_number(
        got,
        truth,
        name="answer",
        tol=0.05,  # 4.16 or 4.2
        reveal=True,
        mistakes=[
            (ln2, "That counts the positive pair only; each of the k negatives adds another ln 2."),
            (k * ln2, "That counts the negatives only; the positive pair adds another ln 2."),
            ((1 + k) * math.log10(2), "That uses log base 10; the loss uses the natural log."),
            (1 + k, "That uses log base 2; the loss uses the natural log (ln 2 = 0.6931)."),
            (
                (1 + k) * 0.5,
                "σ(0) = 0.5 is a probability; the loss adds -log σ(0) = ln 2 per term.",
            ),
            (-truth, "A loss is -log of a probability below 1: it is positive."),
            (0.0, "An untrained model is not right yet: every score is 0 and σ(0) = 0.5."),
        ],
        hint=f"Every score u·v is 0 at the start (W_out = 0); there are 1 + k = {1 + k} terms.",
    )
    return (
        f"(1 + k)·ln 2 = {1 + k}·{fmt(round(ln2, 4))} = {fmt(round(truth, 4))}: "
        "every score starts at 0."
    )


# --------------------------------------------------------------------------- write the code


def _loss_cases() -> list[tuple[str, tuple]]:
    cases = []
    for V, d, B, k in ((12, 4, 6, 3), (20, 8, 1, 5), (9, 3, 5, 1)):
        g = torch.Generator().manual_seed(V * 100 + d)
        W_in = torch.randn(V, d, generator=g) * 0.7  # (V, d): non-zero, so every term counts
        W_out = torch.randn(V, d, generator=g) * 0.7  # (V, d)
        centre = torch.randint(0, V, (B,), generator=g)  # (B,)
        context = torch.randint(0, V, (B,), generator=g)  # (B,)
        negatives = torch.randint(0, V, (B, k), generator=g)  # (B, k)
        text = f"V = {V}, d = {d}, B = {B}, k = {k}"
        cases.append((text, (W_in, W_out, centre, context, negatives)))
    return cases


def _model(W_in: torch.Tensor, W_out: torch.Tensor) -> SkipGram:
    """A :class:`SkipGram` holding these two tables."""
    model = SkipGram(W_in.shape[0], W_in.shape[1])
    with torch.no_grad():
        model.W_in.weight.copy_(W_in)
        model.W_out.weight.copy_(W_out)
    return model


def _reference(W_in, W_out, centre, context, negatives) -> torch.Tensor:
    """:class:`SkipGram`'s loss with these two tables."""
    return _model(W_in, W_out)(centre, context, negatives)


def _terms(W_in, W_out, centre, context, negatives, sign=-1.0):
    v_c = W_in[centre]  # (B, d)
    pos = F.logsigmoid((W_out[context] * v_c).sum(-1))  # (B,)
    neg = F.logsigmoid(sign * (W_out[negatives] @ v_c.unsqueeze(-1)).squeeze(-1))  # (B, k)
    return pos, neg


def _wrong(pos_neg_to_loss, **kw):
    return lambda *args: pos_neg_to_loss(*_terms(*args, **kw))


_LOSS_MISTAKES = [
    Mistake(
        "The minus sign is missing: the loss is -(log σ(u_o·v_c) + Σⱼ log σ(-u_nⱼ·v_c)).",
        _wrong(lambda p, n: (p + n.sum(-1)).mean()),
    ),
    Mistake(
        "That sums over the batch; take the mean over the B pairs.",
        _wrong(lambda p, n: -(p + n.sum(-1)).sum()),
    ),
    Mistake(
        "The negatives need log σ(-u_nⱼ·v_c): push their scores down, not up.",
        _wrong(lambda p, n: -(p + n.sum(-1)).mean(), sign=1.0),
    ),
    Mistake("The negatives are missing: add Σⱼ log σ(-u_nⱼ·v_c).", _wrong(lambda p, n: -p.mean())),
    Mistake(
        "That averages over the k negatives; the loss sums them.",
        _wrong(lambda p, n: -(p + n.mean(-1)).mean()),
    ),
    Mistake(
        "The tables are swapped: v_c comes from W_in, u_o and the u_nⱼ from W_out.",
        lambda W_in, W_out, *ids: _reference(W_out, W_in, *ids),
    ),
    Mistake(
        "u_o and the u_nⱼ must come from W_out (the context vectors), not W_in.",
        lambda W_in, W_out, *ids: _reference(W_in, W_in, *ids),
    ),
    Mistake(
        "That is σ without the log: the loss uses log σ (F.logsigmoid).",
        lambda W_in, W_out, c, o, neg: (
            -(
                torch.sigmoid((W_out[o] * W_in[c]).sum(-1))
                + torch.sigmoid(-(W_out[neg] @ W_in[c].unsqueeze(-1)).squeeze(-1)).sum(-1)
            ).mean()
        ),
    ),
    Mistake(
        "That is one loss per pair: return their mean, a single number.",
        _wrong(lambda p, n: -(p + n.sum(-1))),
    ),
]


@checker("skip-gram loss")
def check_skipgram_loss(fn) -> str:
    """``fn(W_in [V, d], W_out [V, d], centre [B], context [B], negatives [B, k]) -> scalar``:
    the mean of -log σ(u_o·v_c) - Σⱼ log σ(-u_nⱼ·v_c) over the k negatives nⱼ; value and
    gradients compared with :class:`helpers.word2vec.SkipGram`."""
    fn = function(fn, "skip-gram loss")
    cases = _loss_cases()
    for i, (text, args) in enumerate(cases):
        case = f"case {i + 1} of {len(cases)} ({text})"
        W_in, W_out = (t.clone().requires_grad_(True) for t in args[:2])  # (V, d) leaves
        got = call(
            fn,
            (W_in, W_out, *(t.clone() for t in args[2:])),
            label="skip-gram loss",
            case=case,
            fresh=False,
        )
        if got is None:
            raise returned_none("skip-gram loss", i == 0, case)
        model = _model(*args[:2])
        want = model(*args[2:])  # ()
        if isinstance(got, float | int) and not isinstance(got, bool):
            if abs(got - want.item()) < 1e-4:
                raise Wrong(
                    f"{case}: returned a Python number ({fmt(round(got, 4))}), the right value.",
                    "Return the tensor (no .item() or float()): loss.backward() needs it.",
                )
            got = torch.tensor(float(got))
        if isinstance(got, torch.Tensor) and got.numel() == 1 and got.dim() > 0:
            got = got.reshape(())  # a [1] tensor backpropagates like a scalar
        found = tensor_problem(got, want.detach(), what="a one-number tensor")
        if found is not None:
            named = named_mistake(got, _LOSS_MISTAKES, args)
            raise Wrong(
                f"{case}: {found[0]}.", named or "Compare each term with the formula above."
            )
        if not got.requires_grad:
            raise Wrong(
                f"{case}: the value is right, but the loss is detached from W_in and W_out.",
                "Avoid .detach(), .item(), .data and torch.tensor(...) inside: "
                "loss.backward() must reach the tables.",
            )
        grads = torch.autograd.grad(got, (W_in, W_out), allow_unused=True)
        want_grads = torch.autograd.grad(want, (model.W_in.weight, model.W_out.weight))
        for name, g, w in zip(("W_in", "W_out"), grads, want_grads, strict=True):
            if g is None or not torch.allclose(g, w, atol=1e-5, rtol=1e-4):
                raise Wrong(
                    f"{case}: the value is right, but the gradient for {name} is not.",
                    "Some part of the loss is cut from the graph (.detach(), .data or a copy).",
                )
    return f"value and gradients equal SkipGram's loss on {len(cases)} batches."


# --------------------------------------------------------------------------- explorer


@checker("neighbours at dim = 2")
def check_neighbours_in_family(answer, word: str = "king", dim: int = 2, k: int = 5) -> str:
    """How many of ``word``'s ``k`` nearest neighbours belong to its family at embedding size
    ``dim``, as the word2vec explorer lists them; the truth comes from
    :func:`helpers.word2vec.trained_vectors` and :func:`helpers.text.load_families`."""
    families = load_families()
    family = next((f for f, members in families.items() if word in members), None)
    if family is None:
        raise ValueError(f"word={word!r} belongs to no family; choose one of the families' words")

    def in_family(d: int) -> int:
        return sum(w in families[family] for w, _ in trained_vectors(d).nearest(word, k))

    # the answer first: an untouched stub is "not done yet" without training any vectors
    got = whole(answer, "answer", at_most=k, hint=f"how many of the {k} neighbours", what="a count")
    truth = in_family(dim)
    if got == truth:
        near = ", ".join(w for w, _ in trained_vectors(dim).nearest(word, k))
        return f"{truth} of {k} ({near}): {dim} numbers per word cannot keep the {family} together."
    hint = f"Set the dim slider to {dim} and count the ringed words that are {family}."
    if dim != 16 and got == in_family(16):
        hint = f"That is the count at dim = 16; move the dim slider to {dim}."
    raise Wrong(f"answer = {got} is not right.", hint)

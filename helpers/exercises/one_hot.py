"""Exercises of notebook 01 (one-hot vectors).

- predict: the cosine and the distance of two different one-hot vectors
  (:func:`check_one_hot_geometry`);
- write the code: ``one_hot(ids, V) -> [T, V]`` (:func:`check_one_hot`);
- explorer: the id at which a word's one-hot vector has its 1 (:func:`check_one_hot_id`).
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from helpers.exercises.core import (
    Mistake,
    Wrong,
    checker,
    fmt,
    function,
    judge_cases,
    judge_number,
    number,
    whole,
)
from helpers.text import Vocabulary, load_corpus, one_hot, tokenize

__all__ = ["check_one_hot_geometry", "check_one_hot", "check_one_hot_id"]


@functools.lru_cache(maxsize=1)
def _vocab() -> Vocabulary:
    """Notebook 01's vocabulary: every word of the shipped corpus, ids by count."""
    return Vocabulary(tokenize(load_corpus()))


# --------------------------------------------------------------------------- predict


@checker("one-hot geometry")
def check_one_hot_geometry(cosine, distance) -> str:
    """Predict the cosine similarity and the Euclidean distance of the one-hot vectors of
    two different words ('king' and 'queen'); both are computed from ``helpers.text``."""
    vocab = _vocab()
    e = one_hot(vocab.encode(["king", "queen"]), len(vocab))  # (2, V)
    true_cos = F.cosine_similarity(e[0], e[1], dim=0).item()
    true_dist = (e[0] - e[1]).norm().item()
    got_cos = number(cosine, "cosine")
    got_dist = number(distance, "distance")
    judge_number(
        got_cos,
        true_cos,
        name="cosine",
        tol=0.01,
        reveal=True,
        mistakes=[
            (1.0, "Cosine 1 means the same direction: only a word and itself have that."),
            (
                -1.0,
                "Cosine -1 means opposite directions; one-hot vectors have no negative entries.",
            ),
        ],
        hint="The two 1s sit in different columns, so the dot product is 0.",
    )
    judge_number(
        got_dist,
        true_dist,
        name="distance",
        tol=0.02,  # 1.41 or 1.4 for √2
        reveal=True,
        mistakes=[
            (2.0, "2 is the squared distance (1² + 1²); the distance is its square root, √2."),
            (
                1.0,
                "Each vector has length 1, but their difference has two non-zero entries, "
                "1 and -1.",
            ),
            (0.0, "Only a word and itself are at distance 0."),
        ],
        hint="The difference of the two vectors is +1 in one column and -1 in another.",
    )
    return (
        f"cosine {fmt(true_cos)} and distance √2 = {fmt(round(true_dist, 4))}, "
        "for every pair of different words."
    )


# --------------------------------------------------------------------------- write the code


def _one_hot_cases() -> list[tuple[str, tuple]]:
    vocab = _vocab()
    sentence = vocab.encode("the queen feeds the cat".split())  # (5,)
    return [
        ("ids [2, 0, 3, 2], V = 5", (torch.tensor([2, 0, 3, 2]), 5)),
        (f"'the queen feeds the cat', V = {len(vocab)}", (sentence, len(vocab))),
        ("ids [1], V = 3", (torch.tensor([1]), 3)),
    ]


_ONE_HOT_MISTAKES = [
    Mistake(
        "F.one_hot(ids) without num_classes guesses V from the largest id: pass V.",
        lambda ids, V: F.one_hot(ids).float(),
    ),
    Mistake(
        "This is [V, T]: one row per token is wanted, one column per vocabulary word.",
        lambda ids, V: one_hot(ids, V).T,
    ),
    Mistake(
        "The 1 is one column off: column ids[t] holds it, and ids count from 0.",
        lambda ids, V: one_hot((ids + 1) % V, V),
    ),
    Mistake(
        "The 1 is one column off: column ids[t] holds it, and ids count from 0.",
        lambda ids, V: one_hot((ids - 1) % V, V),
    ),
    Mistake(
        "Every row is the same: row t needs its 1 in column ids[t].",
        lambda ids, V: one_hot(ids[:1].expand(len(ids)), V),
    ),
]


def _one_hot_dtype(got: torch.Tensor) -> str:
    if got.dtype == torch.int64:
        return (
            "F.one_hot returns integers: add .float(), or build it with torch.zeros(T, V) "
            "(float32), so that x @ W works."
        )
    return "Use float32 (torch.zeros(T, V) is float32): x @ W needs the same dtype as W."


@checker("one_hot")
def check_one_hot(fn) -> str:
    """``fn(ids [T] long, V) -> [T, V]`` float32, one 1 per row in column ``ids[t]``;
    compared with :func:`helpers.text.one_hot`."""
    fn = function(fn, "one_hot")
    cases = _one_hot_cases()
    judge_cases(
        fn, cases, one_hot, label="one_hot", mistakes=_ONE_HOT_MISTAKES, exact_dtype=True,
        dtype_hint=_one_hot_dtype, hint="Row t must be all 0 except a 1 in column ids[t].",
    )  # fmt: skip
    return f"right on {len(cases)} cases, repeated ids and the real sentence included."


# --------------------------------------------------------------------------- explorer


@checker("one-hot id")
def check_one_hot_id(answer, word: str = "queen") -> str:
    """The id at which ``word``'s one-hot vector has its 1, as the one-hot explorer's title
    shows; the truth is the vocabulary of ``helpers.text``."""
    vocab = _vocab()
    truth = vocab.index(word)
    got = whole(
        answer,
        "answer",
        at_most=len(vocab) - 1,
        hint="the id in the title of the explorer",
        what="the id",
    )
    if got == truth:
        return (
            f"'{word}' has its 1 at id {truth} "
            f"(ids 0 … {len(vocab) - 1}, the commonest word first)."
        )
    alphabetical = sorted(vocab.words).index(word)
    named = {
        truth + 1: "Ids count from 0: the commonest word has id 0.",
        vocab.count(word): f"That is how often '{word}' occurs, not its id.",
        alphabetical: "That is its place in the alphabetical word list; ids go by count.",
    }
    if word != "king":
        named[vocab.index("king")] = f"That is where 'king' has its 1: pick '{word}' in the menu."
    raise Wrong(
        f"answer = {got} is not right.",
        named.get(got, f"Pick '{word}' in the explorer's menu and read the id in the title."),
    )

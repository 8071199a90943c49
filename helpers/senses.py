"""Measurements on the real model for notebook 08: the note's ladder, head roles, one word in
twelve subspaces, and which heads are needed. Torch only; numbers in, numbers out.

    model = load_minilm()
    data = load_senses()                     # 200 sentences: 5 words × 2 senses × 20
    run = sense_run(model)                   # the model over them, once per process (≈ 5 s)
    table = ladder(model)                    # {stage: {word: SenseScore}}: one-hot … 6 layers
    roles = head_roles(run)                  # {relation: [6, 12]} mean attention weight
    acc = head_sense_accuracy(model)         # [5 words, 6 layers, 12 heads] probe accuracy of q
    rnd = random_projection_accuracy(model)  # [5 words, 6 layers, 12]: random 32-d views of x
    out = head_output_accuracy(model)        # [5 words, 6 layers, 12 heads]: each head's z
    ab = Ablation(model)                     # removing heads, made cheap
    ab.evaluate(mask), ab.importance(), ab.keep_top(k, score)
    stored = load_measurements()             # all of the above (assets/minilm_measurements.json)

**The stored measurements.** Everything above over all 200 sentences takes minutes under the
reproducible arithmetic (the exact one-head-at-a-time ablation alone ≈ 100 s), too long for a
notebook, so it is measured once and stored::

    python -m helpers.senses --out assets/minilm_measurements.json

(run it with the Makefile's MKL_CBWR=COMPATIBLE ATEN_CPU_CAPABILITY=avx2, as ``make`` sets
them; it refuses to run without them: the file reproduces byte for byte only with them).
Notebook 08 shows the stored numbers and re-measures one word's share of them live; a word's
sentences give the same numbers alone as inside all 200 (:meth:`SenseData.only`).

**The probe.** Logistic regression, one per word (its two senses), on a vector per sentence.
Held out by template: the sentences of a template share a fold (``fold = template % 5``), the
probe is trained on four folds and tested on the fifth, five times; the accuracy is over all
held-out sentences. Features are standardised on the training folds (a feature that does not
vary is set to 0), the weights start at 0 and take :data:`PROBE_STEPS` full-batch gradient
steps: no randomness at all, so the same numbers every run. A static vector (the same in every
sentence) gives every sentence the same score, so the probe says the first sense for all and
scores exactly 0.5: the folds hold as many sentences of each sense.

**The stages of the ladder** (:data:`STAGES`): ``one-hot`` the word's one-hot vector over the
words of the shipped sentences (notebook 01); ``static`` MiniLM's own input embedding row of the
word, the learned lookup table, the role word2vec plays in notebook 02 (not retrained here);
``bag of words`` the mean of those static rows over the sentence's tokens (context, but no
attention, no order); ``embedding`` the model's embedding, ``run.hidden[0]`` (static row +
position + token type, then LayerNorm: not quite static, the position differs per sentence);
``after 1 layer`` … ``after 6 layers``: ``run.hidden[i]``, the word's vector after i encoder
layers. The layers are numbered 0 … 5 (``model.layers[i]``), so ``hidden[i]`` is the input of
layer i and ``hidden[6]`` the output of the last one (:func:`stage_name`).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from helpers import asset_path
from helpers.geometry import pca
from helpers.pretrained import REVISION, WEIGHTS_SHA256, MiniLM, Run, load_minilm, mean_pool
from helpers.text import Vocabulary, one_hot, tokenize
from helpers.threads import torch_threads

__all__ = [
    "SenseData",
    "load_senses",
    "load_pairs",
    "sense_run",
    "target_positions",
    "Probe",
    "fit_probe",
    "probe_accuracy",
    "SenseScore",
    "sense_cosines",
    "STAGES",
    "stage_name",
    "stage_vectors",
    "ladder",
    "RELATIONS",
    "head_roles",
    "clearest_heads",
    "head_queries",
    "head_sense_accuracy",
    "query_sense_accuracy",
    "random_projection_accuracy",
    "head_output_accuracy",
    "head_projections",
    "similarity_scores",
    "pair_cosines",
    "retrained_probe",
    "Ablation",
    "MEASUREMENTS",
    "COMMAND",
    "RANKINGS",
    "ladder_part",
    "roles_part",
    "subspace_part",
    "ablation_part",
    "swapped_part",
    "pair_cosines_part",
    "measurements",
    "measurements_json",
    "format_measurements",
    "load_measurements",
]

PROBE_STEPS = 300
PROBE_LR = 2.0
PROBE_DECAY = 1e-3


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class SenseData:
    """The shipped sense sentences (``assets/senses.json``), one row per sentence."""

    texts: list[str]
    words: list[str]  # the two-sense word of each sentence
    senses: list[str]  # its sense there
    label: torch.Tensor  # (n,) long: 0 = the word's first sense, 1 = its second
    fold: torch.Tensor  # (n,) long: template % 5
    sense_names: dict[str, list[str]]  # word -> its two senses
    repeats: list[str]  # sentences in which a noun occurs twice

    def rows(self, word: str) -> torch.Tensor:
        """Indices of the sentences of ``word``."""
        if word not in self.sense_names:
            raise ValueError(
                f"word={word!r} has no sense sentences; choose from {list(self.sense_names)}"
            )
        return torch.tensor([i for i, w in enumerate(self.words) if w == word])

    def only(self, *words: str) -> SenseData:
        """The sentences of ``words`` alone, in this data's order: ``data.only("bank")`` holds
        bank's 40. A word's sentences run as a batch of their own give the same numbers, bit for
        bit, as inside the batch of all 200 (measured; padding changes no real token), which
        is what lets notebook 08 re-measure one word live and compare with the stored table."""
        if not words:
            raise ValueError(f"name at least one word, e.g. data.only({self.words[0]!r})")
        for word in words:
            self.rows(word)  # an unknown word: a ValueError naming the choices
        keep = [i for i, w in enumerate(self.words) if w in words]
        return SenseData(
            texts=[self.texts[i] for i in keep],
            words=[self.words[i] for i in keep],
            senses=[self.senses[i] for i in keep],
            label=self.label[keep],
            fold=self.fold[keep],
            sense_names={w: s for w, s in self.sense_names.items() if w in words},
            repeats=self.repeats,
        )


def load_senses(name: str = "senses.json") -> SenseData:
    """The sense sentences that ship in ``assets/`` (made by ``python -m helpers.sense_corpus``)."""
    raw = json.loads(asset_path(name).read_text(encoding="utf-8"))
    names = raw["senses"]
    rows = raw["sentences"]
    label = [names[r["word"]].index(r["sense"]) for r in rows]
    return SenseData(
        texts=[r["text"] for r in rows],
        words=[r["word"] for r in rows],
        senses=[r["sense"] for r in rows],
        label=torch.tensor(label),
        fold=torch.tensor([r["fold"] for r in rows]),
        sense_names=names,
        repeats=raw["repeats"],
    )


def load_pairs(name: str = "sentence_pairs.json") -> dict[str, list[tuple[str, str]]]:
    """``{"paraphrase": [(a, b), …], "unrelated": […], "swapped": […]}`` from ``assets/``."""
    raw = json.loads(asset_path(name).read_text(encoding="utf-8"))
    return {kind: [tuple(p) for p in raw[kind]] for kind in ("paraphrase", "unrelated", "swapped")}


@functools.lru_cache(maxsize=2)
def sense_run(model: MiniLM) -> Run:
    """The model over the shipped sense sentences, computed once per model and process.

    Shared: read it, do not change its tensors in place.
    """
    return model.run(load_senses().texts)


def target_positions(tokens: list[list[str]], words: list[str]) -> torch.Tensor:
    """``(n,)``: where ``words[b]`` stands in ``tokens[b]``; it must occur exactly once."""
    positions = []
    for b, (toks, word) in enumerate(zip(tokens, words, strict=True)):
        if toks.count(word) != 1:
            raise ValueError(
                f"sentence {b} has the token {word!r} {toks.count(word)} times ({toks}); "
                "a sense sentence must hold its word exactly once, as one WordPiece token"
            )
        positions.append(toks.index(word))
    return torch.tensor(positions)


# --------------------------------------------------------------------------- the probe


@dataclass
class Probe:
    """K logistic-regression probes (one per fold), batched over any leading dimensions."""

    mean: torch.Tensor  # (..., K, d) the training rows' mean
    inv_scale: torch.Tensor  # (..., K, d) 1 / (std · √d); 0 for a feature that does not vary
    w: torch.Tensor  # (..., K, d)
    b: torch.Tensor  # (..., K)

    def logits(self, X: torch.Tensor) -> torch.Tensor:
        """``X (..., n, d) -> (..., K, n)``: every probe's score of every row (> 0: sense 1)."""
        Xs = (X[..., None, :, :] - self.mean[..., :, None, :]) * self.inv_scale[..., :, None, :]
        return (Xs @ self.w[..., :, :, None]).squeeze(-1) + self.b[..., :, None]  # (..., K, n)


def fit_probe(
    X: torch.Tensor,
    y: torch.Tensor,
    train: torch.Tensor,
    steps: int = PROBE_STEPS,
    lr: float = PROBE_LR,
    weight_decay: float = PROBE_DECAY,
) -> Probe:
    """Fit K probes of ``y (..., n)`` (0/1) from ``X (..., n, d)``, probe k on the rows where
    ``train (..., K, n)`` is True; leading dimensions broadcast (many words or heads at once).

    Full-batch gradient descent on the mean logistic loss (+ ``weight_decay``·|w|²/2) from
    zero weights: deterministic. Written in the dual form: every step adds a mix of the
    training rows to w, so w = Xsᵀ α and the scores Xs w = G α with the (n, n) Gram matrix
    G = Xs Xsᵀ; the steps on α are the steps on w, but cost n², not n·d, per probe.
    """
    X = X.float()
    n, d = X.shape[-2:]
    if y.shape[-1] != n or train.dim() < 2 or train.shape[-1] != n:
        raise ValueError(
            f"X has {n} rows, so y must have shape [..., {n}] and train [..., K, {n}]; "
            f"got y {list(y.shape)}, train {list(train.shape)}"
        )
    y = y.float()[..., None, :]  # (..., 1, n)
    share = train.float() / train.sum(-1, keepdim=True).clamp_min(1)  # (..., K, n) row weights
    mean = share @ X  # (..., K, d)
    centred = X[..., None, :, :] - mean[..., :, None, :]  # (..., K, n, d)
    std = (share[..., None] * centred**2).sum(-2).sqrt()  # (..., K, d)
    flat = std <= 1e-6  # (..., K, d) a feature that does not vary: set to 0
    inv_scale = torch.where(flat, 0.0, 1 / (std * math.sqrt(d)))  # (..., K, d)
    Xs = centred * inv_scale[..., :, None, :]  # (..., K, n, d) rows of length ≈ 1
    G = Xs @ Xs.transpose(-1, -2)  # (..., K, n, n) Gram matrix
    alpha = torch.zeros(G.shape[:-1])  # (..., K, n) w = Xsᵀ alpha
    b = torch.zeros(G.shape[:-2])  # (..., K)
    for _ in range(steps):
        logits = (G * alpha[..., None, :]).sum(-1) + b[..., None]  # (..., K, n) = Xs w + b
        err = (torch.sigmoid(logits) - y) * share  # (..., K, n) gradient of the mean loss
        alpha = alpha - lr * (err + weight_decay * alpha)  # (..., K, n) w -= lr (Xsᵀ err + λ w)
        b = b - lr * err.sum(-1)  # (..., K)
    w = (alpha[..., None, :] @ Xs).squeeze(-2)  # (..., K, d)
    return Probe(mean, inv_scale, w, b)


def probe_accuracy(X: torch.Tensor, y: torch.Tensor, fold: torch.Tensor) -> torch.Tensor:
    """Held-out accuracy of the sense probe: train on all folds but one, test on that one, for
    every fold; the share of held-out rows predicted right.

    ``X (..., n, d)``, ``y (..., n)`` 0/1, ``fold (..., n)`` -> ``(...)``: leading dimensions
    broadcast, so many words (or heads) are probed at once.
    """
    folds = fold.unique()  # (K,)
    test = fold[..., None, :] == folds[:, None]  # (..., K, n) row is held out by probe k
    probe = fit_probe(X, y, ~test)
    right = (probe.logits(X) > 0) == y[..., None, :].bool()  # (..., K, n)
    return (right & test).sum((-2, -1)).float() / test.sum((-2, -1))  # (...)


# --------------------------------------------------------------------------- sense scores


@dataclass(frozen=True)
class SenseScore:
    """How far apart one word's two senses are in one kind of vector."""

    accuracy: float  # held-out probe accuracy; 0.5 = chance
    cosine: float  # cosine between the two senses' mean vectors; 1 = not apart at all
    within: float  # mean cosine between two sentences of the same sense
    between: float  # mean cosine between two sentences of different senses


def sense_cosines(X: torch.Tensor, y: torch.Tensor) -> tuple[float, float, float]:
    """``(cosine of the two senses' means, mean cosine within a sense, between senses)`` for the
    rows ``X (n, d)`` of one word with senses ``y (n,)``."""
    X = X.float()
    cosine = F.cosine_similarity(X[y == 0].mean(0), X[y == 1].mean(0), dim=0)
    unit = F.normalize(X, dim=-1)  # (n, d)
    sims = unit @ unit.T  # (n, n)
    same = y[:, None] == y[None, :]  # (n, n)
    other = ~torch.eye(len(y), dtype=torch.bool)  # (n, n) not a sentence with itself
    return cosine.item(), sims[same & other].mean().item(), sims[~same].mean().item()


def stage_name(i: int) -> str:
    """The ladder's name of ``run.hidden[i]``: ``"embedding"`` (i = 0, the input of layer 0),
    ``"after 1 layer"``, ``"after 2 layers"``, … (the output of layer i − 1, the input of
    layer i)."""
    return "embedding" if i == 0 else f"after {i} layer{'s' if i > 1 else ''}"


STAGES = ["one-hot", "static", "bag of words"] + [stage_name(i) for i in range(7)]


def stage_vectors(
    model: MiniLM, data: SenseData | None = None, run: Run | None = None
) -> dict[str, torch.Tensor]:
    """One vector per sense sentence at every stage of the ladder: ``{stage: (n, d)}``."""
    data = load_senses() if data is None else data
    run = sense_run(model) if run is None else run
    n = len(data.texts)
    pos = target_positions(run.tokens, data.words)  # (n,)
    rows = torch.arange(n)  # (n,)
    vocab = Vocabulary(w for text in data.texts for w in tokenize(text))
    word_ids = run.ids[rows, pos]  # (n,) WordPiece id of the word
    static = model.word_embeddings.weight  # (V, d_model) the input lookup table
    inner = run.real.clone()  # (n, T) the sentence's own tokens: not [CLS], [SEP], padding
    inner[:, 0] = False
    inner[rows, run.lengths - 1] = False
    bag = (static[run.ids] * inner[..., None]).sum(1) / inner.sum(1, keepdim=True)  # (n, d_model)
    vectors = {
        "one-hot": one_hot(vocab.encode(data.words), len(vocab)),  # (n, V)
        "static": static[word_ids],  # (n, d_model) the same row in every sentence
        "bag of words": bag,
    }
    for i, h in enumerate(run.hidden):
        vectors[stage_name(i)] = h[rows, pos]  # (n, d_model)
    return vectors


def ladder(
    model: MiniLM, data: SenseData | None = None, run: Run | None = None
) -> dict[str, dict[str, SenseScore]]:
    """``{stage: {word: SenseScore, …, "all": mean over words}}`` for every stage of
    :data:`STAGES`."""
    data = load_senses() if data is None else data
    vectors = stage_vectors(model, data, run)
    words = list(data.sense_names)
    rows = torch.stack([data.rows(w) for w in words])  # (words, n_word)
    table = {}
    for stage in STAGES:
        X = vectors[stage][rows]  # (words, n_word, d) every word's probe at once
        accuracy = probe_accuracy(X, data.label[rows], data.fold[rows])  # (words,)
        scores = {
            w: SenseScore(accuracy[i].item(), *sense_cosines(X[i], data.label[rows[i]]))
            for i, w in enumerate(words)
        }
        mean = [
            sum(getattr(s, f) for s in scores.values()) / len(words)
            for f in SenseScore.__dataclass_fields__
        ]
        scores["all"] = SenseScore(*mean)
        table[stage] = {
            w: SenseScore(*(round(v, 4) for v in vars(s).values())) for w, s in scores.items()
        }
    return table


# --------------------------------------------------------------------------- head roles

RELATIONS = ("previous", "next", "self", "[CLS]", "[SEP]", "punctuation", "same word")


def head_roles(run: Run) -> dict[str, torch.Tensor]:
    """``{relation: (n_layers, h)}``: each head's mean attention weight on one kind of key.

    Queries are the sentence's own tokens (every real token but [CLS] and [SEP]), each counted
    once, pooled over all sentences of ``run``. Per query token i, the weight on:
    ``previous`` token i-1 and ``next`` token i+1 (only where that is a token of the sentence,
    not [CLS]/[SEP]); ``self`` i; ``[CLS]``; ``[SEP]``; ``punctuation`` all tokens with no letter
    or digit (summed); ``same word`` every other position holding the same WordPiece token
    (summed; only queries whose token occurs again count; "the" counts too). A query with no
    key of a relation (the first word has no previous word) is left out of that relation's mean.

    In all-MiniLM-L6-v2 many heads put most of their weight on [CLS] whatever the sentence
    (measured: 34 of 72 heads ≥ 0.5 over the sense sentences): a resting place more than a
    role, as [SEP] is in BERT (Clark et al. 2019, "What does BERT look at?").
    """
    B, T = run.ids.shape
    inner = run.real.clone()  # (B, T) queries: not [CLS], [SEP], padding
    inner[:, 0] = False
    inner[torch.arange(B), run.lengths - 1] = False
    at = torch.arange(T)
    keys = {  # relation -> (B, T, T) which key j counts for query i
        "previous": (at[None, :, None] - 1 == at[None, None, :]) & inner[:, None, :],
        "next": (at[None, :, None] + 1 == at[None, None, :]) & inner[:, None, :],
        "self": (at[:, None] == at[None, :]).expand(B, T, T),
        "[CLS]": (at[None, None, :] == 0).expand(B, T, T),
        "[SEP]": (at[None, None, :] == (run.lengths - 1)[:, None, None]).expand(B, T, T),
    }
    padded = [toks + ["[PAD]"] * (T - len(toks)) for toks in run.tokens]
    punct = [[not any(c.isalnum() for c in t) for t in toks] for toks in padded]
    punct = torch.tensor(punct)  # (B, T) no letter, no digit
    keys["punctuation"] = (punct & inner)[:, None, :].expand(B, T, T)
    ids = run.ids
    same = (ids[:, :, None] == ids[:, None, :]) & ~torch.eye(T, dtype=torch.bool)  # (B, T, T)
    keys["same word"] = same & inner[:, None, :]
    A = torch.stack(run.attentions, 1)  # (B, n_layers, h, T, T)
    roles = {}
    for relation in RELATIONS:
        k = keys[relation] & inner[:, :, None]  # (B, T, T) only real queries
        queries = k.any(-1)  # (B, T) queries that have such a key
        weight = torch.einsum("bij,blhij->lh", k.float(), A)  # (n_layers, h) summed over queries
        roles[relation] = weight / queries.sum()  # (n_layers, h) mean per query
    return roles


def clearest_heads(
    roles: dict[str, torch.Tensor], threshold: float = 0.5
) -> list[tuple[int, int, str, float]]:
    """Every head whose strongest relation gets a mean weight ≥ ``threshold``, as
    ``(layer, head, relation, weight)`` (layers and heads counted from 0), strongest first.
    The heads not listed have no clear role by this measure."""
    names = list(roles)
    stacked = torch.stack([roles[r] for r in names])  # (relations, n_layers, h)
    best, which = stacked.max(0)  # (n_layers, h)
    found = [
        (layer, head, names[which[layer, head]], round(best[layer, head].item(), 4))
        for layer in range(best.shape[0])
        for head in range(best.shape[1])
        if best[layer, head] >= threshold
    ]
    return sorted(found, key=lambda row: -row[3])


# -------------------------------------------------------------------- one word, twelve subspaces


def head_queries(model: MiniLM, run: Run, positions: torch.Tensor, layer: int) -> torch.Tensor:
    """``(n, h, d_k)``: the query vector of token ``positions[b]`` of sentence b in layer ``layer``,
    q = W_Q(x) with x = ``run.hidden[layer]`` (the layer's input), cut into its h heads."""
    n = len(positions)
    x = run.hidden[layer][torch.arange(n), positions]  # (n, d_model) the layer's input at the word
    with torch.no_grad():
        q = model.attention(layer).W_Q(x)  # (n, d_model)
    return q.view(n, model.h, model.d_k)  # (n, h, d_k) one d_k-wide slice per head


def head_sense_accuracy(
    model: MiniLM, data: SenseData | None = None, run: Run | None = None
) -> torch.Tensor:
    """``(words, n_layers, h)``: held-out sense-probe accuracy of the word's query vector in each
    head's own d_k = 32 dimensions (words in the order of ``data.sense_names``)."""
    data = load_senses() if data is None else data
    run = sense_run(model) if run is None else run
    pos = target_positions(run.tokens, data.words)  # (n,)
    rows = torch.stack([data.rows(w) for w in data.sense_names])  # (words, n_word)
    q = [head_queries(model, run, pos, layer) for layer in range(model.n_layers)]  # L × (n, h, d_k)
    q = torch.stack(q)  # (L, n, h, d_k)
    X = q[:, rows].permute(
        1, 0, 3, 2, 4
    )  # (words, L, h, n_word, d_k) a probe per word, layer, head
    y = data.label[rows][:, None, None, :]  # (words, 1, 1, n_word)
    fold = data.fold[rows][:, None, None, :]  # (words, 1, 1, n_word)
    return probe_accuracy(X, y, fold)  # (words, L, h)


def query_sense_accuracy(
    model: MiniLM, data: SenseData | None = None, run: Run | None = None
) -> torch.Tensor:
    """``(words, n_layers)``: the same probe on the word's whole query vector in each layer,
    all h · d_k = 384 dimensions (every head's slice at once), to compare one head's 32 with."""
    data = load_senses() if data is None else data
    run = sense_run(model) if run is None else run
    pos = target_positions(run.tokens, data.words)  # (n,)
    rows = torch.stack([data.rows(w) for w in data.sense_names])  # (words, n_word)
    q = [head_queries(model, run, pos, layer) for layer in range(model.n_layers)]  # L × (n, h, d_k)
    q = torch.stack(q).flatten(2)  # (L, n, d_model) the heads side by side again
    X = q[:, rows].transpose(0, 1)  # (words, L, n_word, d_model)
    y = data.label[rows][:, None, :]  # (words, 1, n_word)
    fold = data.fold[rows][:, None, :]  # (words, 1, n_word)
    return probe_accuracy(X, y, fold)  # (words, L)


RANDOM_SEED = 0  # the random projections of random_projection_accuracy


def random_projection_accuracy(
    model: MiniLM,
    data: SenseData | None = None,
    run: Run | None = None,
    n: int | None = None,
    seed: int = RANDOM_SEED,
) -> torch.Tensor:
    """``(words, n_layers, n)``: the same probe on ``n`` (default h) *random* d_k-dimensional
    projections of the vector a head's W_Q reads, the layer's input x = ``run.hidden[layer]`` at
    the word: a baseline for :func:`head_sense_accuracy`. If x tells the senses apart, does any
    32-d view of it, or only the heads' learned ones? Projections: Gaussian ``(d_model, d_k)``
    matrices from ``torch.Generator().manual_seed(seed)``, the same for every word."""
    data = load_senses() if data is None else data
    run = sense_run(model) if run is None else run
    n = model.h if n is None else n
    pos = target_positions(run.tokens, data.words)  # (n_sentences,)
    rows = torch.stack([data.rows(w) for w in data.sense_names])  # (words, n_word)
    x = torch.stack([h[torch.arange(len(pos)), pos] for h in run.hidden[: model.n_layers]])
    generator = torch.Generator().manual_seed(seed)
    R = torch.randn(model.n_layers, n, model.d_model, model.d_k, generator=generator)
    views = torch.einsum("lsd,lrdk->lrsk", x, R)  # (L, n, n_sentences, d_k)
    X = views[:, :, rows].permute(2, 0, 1, 3, 4)  # (words, L, n, n_word, d_k)
    y = data.label[rows][:, None, None, :]  # (words, 1, 1, n_word)
    fold = data.fold[rows][:, None, None, :]  # (words, 1, 1, n_word)
    return probe_accuracy(X, y, fold)  # (words, L, n)


def head_output_accuracy(
    model: MiniLM, data: SenseData | None = None, run: Run | None = None
) -> torch.Tensor:
    """``(words, n_layers, h)``: the same probe on each head's *output* at the word, its
    d_k-dimensional z_j = Σ_t weight_t · v_t (what the head hands to W_O, the place notebook 05
    drew), instead of its query."""
    data = load_senses() if data is None else data
    run = sense_run(model) if run is None else run
    pos = target_positions(run.tokens, data.words)  # (n,)
    rows = torch.stack([data.rows(w) for w in data.sense_names])  # (words, n_word)
    n, T = run.ids.shape
    z = []
    for layer in range(model.n_layers):
        with torch.no_grad():
            v = model.attention(layer).W_V(run.hidden[layer])  # (n, T, d_model)
        v = v.view(n, T, model.h, model.d_k).transpose(1, 2)  # (n, h, T, d_k)
        out = run.attentions[layer] @ v  # (n, h, T, d_k) every head's output at every token
        z.append(out[torch.arange(n), :, pos])  # (n, h, d_k) at the word
    z = torch.stack(z)  # (L, n, h, d_k)
    X = z[:, rows].permute(1, 0, 3, 2, 4)  # (words, L, h, n_word, d_k)
    y = data.label[rows][:, None, None, :]  # (words, 1, 1, n_word)
    fold = data.fold[rows][:, None, None, :]  # (words, 1, 1, n_word)
    return probe_accuracy(X, y, fold)  # (words, L, h)


def head_projections(
    model: MiniLM, word: str, layer: int, data: SenseData | None = None, run: Run | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(points (h, n_word, 2), senses (n_word,))``: the word's query vectors in each head's
    subspace, each head's cloud on its own top-2 principal axes (``helpers.geometry.pca``)."""
    data = load_senses() if data is None else data
    run = sense_run(model) if run is None else run
    r = data.rows(word)
    pos = target_positions([run.tokens[i] for i in r], [word] * len(r))  # (n_word,)
    sub = Run(run.sentences, run.tokens, run.ids[r], run.lengths[r], [h[r] for h in run.hidden], [])
    q = head_queries(model, sub, pos, layer)  # (n_word, h, d_k)
    points = torch.stack([pca(q[:, head], 2) for head in range(model.h)])  # (h, n_word, 2)
    return points, data.label[r]


# --------------------------------------------------------------------------- similarity


def similarity_scores(first: torch.Tensor, second: torch.Tensor, n_pairs: int) -> dict[str, float]:
    """Sentence-similarity quality from unit vectors of pairs.

    ``first``, ``second`` ``(2 · n_pairs, d)``: rows ``0 … n_pairs-1`` are paraphrase pairs,
    the rest unrelated pairs. ``auc``: share of (paraphrase, unrelated) pair combinations in
    which the paraphrase pair has the higher cosine; ``gap``: mean paraphrase cosine minus mean
    unrelated cosine; ``retrieval``: share of paraphrase first sentences whose nearest second
    sentence (among the n_pairs paraphrase seconds) is their own paraphrase.
    """
    cos = (first * second).sum(-1)  # (2 n_pairs,)
    para, unrelated = cos[:n_pairs], cos[n_pairs:]
    sims = first[:n_pairs] @ second[:n_pairs].T  # (n_pairs, n_pairs)
    return {
        "auc": (para[:, None] > unrelated[None, :]).float().mean().item(),
        "gap": (para.mean() - unrelated.mean()).item(),
        "retrieval": (sims.argmax(1) == torch.arange(n_pairs)).float().mean().item(),
    }


def pair_cosines(model: MiniLM, head_mask=None) -> dict[str, torch.Tensor]:
    """``{"paraphrase": (32,), "unrelated": (32,), "swapped": (10,)}``: the cosine of each
    shipped pair's sentence vectors (``model.embed``, mean pooling), with ``head_mask`` if given
    (all zeros: no attention at all)."""
    pairs = load_pairs()
    cosines = {}
    for kind, kind_pairs in pairs.items():
        emb = model.embed([s for pair in kind_pairs for s in pair], head_mask)  # (2 n, d_model)
        cosines[kind] = (emb[0::2] * emb[1::2]).sum(-1)  # (n,)
    return cosines


def retrained_probe(
    model: MiniLM,
    head_mask,
    data: SenseData | None = None,
    run: Run | None = None,
    folds: tuple[int, ...] = (0,),
) -> dict[str, float]:
    """The sense probe *retrained* on a model with heads removed (``head_mask``), to set beside
    :class:`Ablation`'s frozen probe, which was trained on the full model's vectors.

    The last layer's vectors at the word with ``head_mask``; per word a probe trained on the
    sentences outside ``folds`` and tested on those of ``folds`` (the ablation's held-out
    sentences): ``probe_accuracy``, ``probe_confidence`` pooled and per word (as
    :meth:`Ablation.measure` names them); and ``five_fold_accuracy`` (per word too), the
    ladder's probe (:func:`probe_accuracy`, every fold held out once) on the same vectors."""
    data = load_senses() if data is None else data
    run = sense_run(model) if run is None else run
    head_mask = model.check_head_mask(head_mask)
    n = len(data.texts)
    pos = target_positions(run.tokens, data.words)  # (n,)
    with torch.no_grad():
        hidden, _ = model.encode(run.hidden[0], run.lengths, head_mask)
    final = hidden[-1][torch.arange(n), pos]  # (n, d_model) the word, after the last layer
    held_out = torch.isin(data.fold, torch.tensor(folds))  # (n,)
    words = list(data.sense_names)
    scores = {}
    right, confidence, tested = 0, 0.0, 0
    for w in words:
        r = data.rows(w)
        X, y, test = final[r], data.label[r], held_out[r]
        probe = fit_probe(X, y, ~test[None, :])  # K = 1: trained on the other folds
        logits = probe.logits(X[test])[0]  # (n_test,)
        p = torch.sigmoid(logits)  # (n_test,) probability of sense 1
        word_right = ((logits > 0) == y[test].bool()).sum().item()
        word_confidence = torch.where(y[test].bool(), p, 1 - p).sum().item()
        scores[f"probe_accuracy/{w}"] = word_right / int(test.sum())
        scores[f"probe_confidence/{w}"] = word_confidence / int(test.sum())
        scores[f"five_fold_accuracy/{w}"] = probe_accuracy(X, y, data.fold[r]).item()
        right, confidence, tested = (
            right + word_right,
            confidence + word_confidence,
            tested + int(test.sum()),
        )
    scores["probe_accuracy"] = right / tested
    scores["probe_confidence"] = confidence / tested
    scores["five_fold_accuracy"] = sum(scores[f"five_fold_accuracy/{w}"] for w in words) / len(
        words
    )
    return scores


# --------------------------------------------------------------------------- ablation


class Ablation:
    """Remove heads (Michel et al. 2019) and measure what the model loses, cheaply.

    The ablation set: the sense sentences of ``folds`` (default fold 0: 40 sentences, 8 per
    word) and the 64 sentences of the pairs. Two measures:

    * sense probe: one probe per word, trained once on the *full* model's last-layer vectors of
      the other folds, then applied to the ablated model's vectors of the held-out sentences
      (the probe is not retrained: it measures whether the representation the rest of the
      network reads has moved). ``probe_accuracy`` and ``probe_confidence`` (mean probability
      given to the right sense), pooled over the words and per word (``probe_accuracy/bank``,
      ``probe_confidence/bank``, …): every word has as many held-out sentences, so the pooled
      value is the mean of the words'.
    * similarity: :func:`similarity_scores` of ``embed`` (mean over tokens, unit length):
      ``auc``, ``gap``, ``retrieval``.

    ``words`` (default: all five) and ``pairs=False`` make a small set, e.g.
    ``Ablation(model, words=["bank"], pairs=False)``: bank's 8 held-out sentences alone, whose
    numbers equal bank's share of the full set bit for bit (a word's sentences give the same
    numbers in any batch). ``run`` may pass the model's run over those words' sense sentences
    (``model.run(load_senses().only(*words).texts)``) when it is at hand already.

    The full model's input to every layer is kept, so removing a head in layer l re-runs only
    layers l … 5. Measured here (1 thread, MKL_CBWR=COMPATIBLE, 104 sentences): building it
    2-3 s; ``evaluate`` from layer 0 2.4 s, from layer 5 0.4 s; ``one_at_a_time`` 98 s;
    ``importance`` 6-9 s. Heads ranked and measured on the same sentences: a ranking chosen
    on them flatters a kept subset (in-sample).
    """

    def __init__(
        self,
        model: MiniLM,
        folds: tuple[int, ...] = (0,),
        words: list[str] | tuple[str, ...] | None = None,
        pairs: bool = True,
        run: Run | None = None,
    ):
        self.model = model
        data = load_senses()
        if words is not None:
            data = data.only(*words)
        if run is None:
            run = sense_run(model) if words is None else model.run(data.texts)
        elif run.sentences != data.texts:
            raise ValueError(
                f"run holds {len(run.sentences)} sentences, not the {len(data.texts)} sense "
                f"sentences of {list(data.sense_names)}; pass "
                "model.run(load_senses().only(*words).texts), or leave run out"
            )
        final = stage_vectors(model, data, run)[stage_name(model.n_layers)]  # (n, d_model)
        held_out = torch.isin(data.fold, torch.tensor(folds))  # (n,)
        self.words = list(data.sense_names)
        self.test_rows = {w: data.rows(w)[held_out[data.rows(w)]] for w in self.words}
        self.probes = {}
        for w in self.words:
            r = data.rows(w)
            self.probes[w] = fit_probe(final[r], data.label[r], ~held_out[r][None, :])  # K = 1
        test = torch.cat(list(self.test_rows.values()))  # (n_test,)
        self.test_label = {w: data.label[self.test_rows[w]] for w in self.words}
        shipped = load_pairs()
        both = shipped["paraphrase"] + shipped["unrelated"] if pairs else []
        self.n_pairs = len(shipped["paraphrase"]) if pairs else 0
        firsts = [a for a, _ in both]
        seconds = [b for _, b in both]
        unique = list(dict.fromkeys(firsts + seconds))
        self.first = torch.tensor([unique.index(s) for s in firsts], dtype=torch.long)
        self.second = torch.tensor([unique.index(s) for s in seconds], dtype=torch.long)
        sentences = [data.texts[i] for i in test.tolist()] + unique
        self.n_test = len(test)
        ids, self.lengths, tokens = model.tokenize(sentences)
        self.positions = target_positions(
            tokens[: self.n_test], [data.words[i] for i in test.tolist()]
        )
        with torch.no_grad():
            x = model.embed_tokens(ids)  # (B, T, d_model)
            hidden, _ = model.encode(x, self.lengths)
        self.inputs = [x, *hidden[:-1]]  # the full model's input of every layer
        self.full = self.measure(hidden[-1])

    def measure(self, final: torch.Tensor) -> dict[str, float]:
        """The measures from the last layer's output ``(B, T, d_model)`` of the ablation set:
        pooled probe scores, the similarity scores (with pairs), then the per-word scores."""
        vec = final[torch.arange(self.n_test), self.positions]  # (n_test, d_model) at the word
        right, confidence, start, per_word = 0, 0.0, 0, {}
        for w in self.words:
            n = len(self.test_rows[w])
            logits = self.probes[w].logits(vec[start : start + n])[0]  # (n,)
            y = self.test_label[w]
            p = torch.sigmoid(logits)  # (n,) probability of sense 1
            word_right = ((logits > 0) == y.bool()).sum().item()
            word_confidence = torch.where(y.bool(), p, 1 - p).sum().item()
            per_word[f"probe_accuracy/{w}"] = word_right / n
            per_word[f"probe_confidence/{w}"] = word_confidence / n
            right += word_right
            confidence += word_confidence
            start += n
        scores = {
            "probe_accuracy": right / self.n_test,
            "probe_confidence": confidence / self.n_test,
        }
        if self.n_pairs:
            n = self.n_test
            emb = mean_pool(final[n:], self.lengths[n:])  # (n_unique, d_model) one per sentence
            scores |= similarity_scores(emb[self.first], emb[self.second], self.n_pairs)
        return scores | per_word

    def evaluate(self, head_mask=None) -> dict[str, float]:
        """The measures with ``head_mask`` (``[6, 12]``, 0 = remove); re-runs the layers from the
        first one that loses a head."""
        if head_mask is None:
            return dict(self.full)
        head_mask = self.model.check_head_mask(head_mask)
        removed = (head_mask != 1).any(1).nonzero()
        if len(removed) == 0:
            return dict(self.full)
        start = int(removed[0])
        with torch.no_grad():
            hidden, _ = self.model.encode(self.inputs[start], self.lengths, head_mask, start=start)
        return self.measure(hidden[-1])

    def remove_one(self, layer: int, head: int) -> dict[str, float]:
        """The measures with only head ``head`` of layer ``layer`` removed."""
        mask = torch.ones(self.model.n_layers, self.model.h)
        mask[layer, head] = 0
        return self.evaluate(mask)

    def one_at_a_time(self) -> dict[str, torch.Tensor]:
        """``{measure: (n_layers, h)}``: each measure with that head alone removed. Slow: 72
        partial runs (about 3.5 full runs' worth of layers per layer's 12 heads)."""
        table = {}
        for layer in range(self.model.n_layers):
            for head in range(self.model.h):
                for key, value in self.remove_one(layer, head).items():
                    if key not in table:
                        table[key] = torch.zeros(self.model.n_layers, self.model.h)
                    table[key][layer, head] = value
        return table

    def importance(self) -> dict[str, torch.Tensor]:
        """``{"senses", "similarity"}: (n_layers, h)``, Michel et al.'s importance |∂L/∂ξ_h|:
        how fast a loss changes when head h's output is scaled by ξ_h (1 = kept, 0 = removed),
        from one forward and one backward pass. Losses: the fixed probes' logistic loss on the
        held-out sentences; minus the similarity gap (mean paraphrase minus mean unrelated
        cosine). (Michel et al. average |∂L(x)/∂ξ| per example; here the gradient is of the
        whole set's loss, since the similarity gap belongs to the set, not to one sentence.)"""
        xi = torch.ones(self.model.n_layers, self.model.h, requires_grad=True)  # (n_layers, h)
        with torch.enable_grad():
            hidden, _ = self.model.encode(self.inputs[0], self.lengths, xi)
            final = hidden[-1]  # (B, T, d_model)
            vec = final[torch.arange(self.n_test), self.positions]  # (n_test, d_model)
            losses, start = [], 0
            for w in self.words:
                n = len(self.test_rows[w])
                logits = self.probes[w].logits(vec[start : start + n])[0]  # (n,)
                y = self.test_label[w].float()  # (n,)
                losses.append(F.binary_cross_entropy_with_logits(logits, y, reduction="sum"))
                start += n
            sense_loss = torch.stack(losses).sum() / self.n_test
            g_sense = torch.autograd.grad(sense_loss, xi, retain_graph=True)[0]  # (n_layers, h)
            if not self.n_pairs:  # built with pairs=False: no similarity to lose
                return {"senses": g_sense.abs()}
            n = self.n_test
            emb = mean_pool(final[n:], self.lengths[n:])  # (n_unique, d_model)
            cos = (emb[self.first] * emb[self.second]).sum(-1)  # (2 n_pairs,)
            sim_loss = -(cos[: self.n_pairs].mean() - cos[self.n_pairs :].mean())
            g_sim = torch.autograd.grad(sim_loss, xi)[0]  # (n_layers, h)
        return {"senses": g_sense.abs(), "similarity": g_sim.abs()}

    def keep_top(self, k: int, score: torch.Tensor) -> torch.Tensor:
        """``(n_layers, h)`` head mask keeping the ``k`` heads with the highest ``score`` in every
        layer (ties: the lower head number) and removing the rest."""
        h = self.model.h
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= h:
            raise ValueError(f"k={k!r} must be a whole number from 0 to {h} (heads kept per layer)")
        order = score.argsort(dim=1, descending=True, stable=True)  # (n_layers, h)
        mask = torch.zeros(self.model.n_layers, h)
        mask.scatter_(1, order[:, :k], 1.0)
        return mask


# ------------------------------------------------------------------------ the stored measurements

MEASUREMENTS = "minilm_measurements.json"
COMMAND = "python -m helpers.senses --out assets/minilm_measurements.json"
# The arithmetic the file is made with (the Makefile's): the same bits on every x86 CPU.
REPRODUCIBLE = {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "avx2"}
# How the heads are ranked before keeping the top k per layer: Michel et al.'s importance for
# each measure, and one fixed random order (seed 0) to compare them with.
RANKINGS = ("importance for the senses", "importance for similarity", "random order")
KEEP_MEASURES = ("probe_accuracy", "probe_confidence", "auc", "gap", "retrieval")


def _round(value: float, digits: int = 4) -> float:
    return round(float(value), digits) + 0.0  # + 0.0: never "-0.0"


def _matrix(t: torch.Tensor, digits: int = 4) -> list[list[float]]:
    """A ``(n_layers, h)`` table as rows of rounded floats."""
    return [[_round(v, digits) for v in row] for row in t.tolist()]


def _significant(t: torch.Tensor, digits: int = 4) -> list[list[float]]:
    """A table of small positive numbers (gradients) to ``digits`` significant digits."""
    return [[float(f"{v:.{digits}g}") for v in row] for row in t.tolist()]


def ladder_part(
    model: MiniLM, data: SenseData | None = None, run: Run | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """``{stage: {word: {"accuracy", "cosine", "within", "between"}}}`` (with ``"all"``, the
    mean over the words): :func:`ladder` as stored."""
    table = ladder(model, data, run)
    return {stage: {w: dict(vars(s)) for w, s in row.items()} for stage, row in table.items()}


def roles_part(run: Run) -> dict[str, list[list[float]]]:
    """``{relation: [n_layers][h]}``: :func:`head_roles` of ``run``, rounded to 4 decimals."""
    return {relation: _matrix(weight) for relation, weight in head_roles(run).items()}


def subspace_part(model: MiniLM, data: SenseData | None = None, run: Run | None = None) -> dict:
    """``{"head_accuracy": {word: [n_layers][h]}, "query_accuracy": {word: [n_layers]},
    "random_accuracy": {word: [n_layers][h]}, "head_output_accuracy": {word: [n_layers][h]}}``:
    the sense probe in each head's own d_k dimensions of the query, in all of them at once, in
    h random d_k-dimensional projections of the layer's input, and in each head's output."""
    data = load_senses() if data is None else data
    heads = head_sense_accuracy(model, data, run)  # (words, L, h)
    whole = query_sense_accuracy(model, data, run)  # (words, L)
    random = random_projection_accuracy(model, data, run)  # (words, L, h)
    outputs = head_output_accuracy(model, data, run)  # (words, L, h)
    words = list(data.sense_names)
    return {
        "head_accuracy": {w: _matrix(heads[i]) for i, w in enumerate(words)},
        "query_accuracy": {w: [_round(v) for v in whole[i].tolist()] for i, w in enumerate(words)},
        "random_accuracy": {w: _matrix(random[i]) for i, w in enumerate(words)},
        "head_output_accuracy": {w: _matrix(outputs[i]) for i, w in enumerate(words)},
    }


def ablation_part(model: MiniLM, progress=None) -> dict:
    """Removing heads, over the full ablation set (:class:`Ablation`): the full model's
    measures; each head removed alone; Michel et al.'s importance; keeping the top k heads of
    every layer (k = 0 … h) in each ranking of :data:`RANKINGS`."""
    say = progress or (lambda message: None)
    ab = Ablation(model)
    say("ablation set built")
    one = ab.one_at_a_time()  # {measure: (L, h)}
    say("one head at a time")
    importance = ab.importance()
    say("importance")
    scores = {
        RANKINGS[0]: importance["senses"],
        RANKINGS[1]: importance["similarity"],
        RANKINGS[2]: torch.rand(
            model.n_layers, model.h, generator=torch.Generator().manual_seed(0)
        ),
    }
    h = model.h
    none_kept = ab.evaluate(torch.zeros(model.n_layers, h))  # k = 0: the same in every ranking
    retrained = retrained_probe(model, torch.zeros(model.n_layers, h))  # k = 0, probe retrained
    say("no attention, probe retrained")
    keep = {}
    for name, score in scores.items():
        rows = [none_kept] + [ab.evaluate(ab.keep_top(k, score)) for k in range(1, h)] + [ab.full]
        keep[name] = {m: [_round(row[m]) for row in rows] for m in KEEP_MEASURES}
        say(f"keep the top k: {name}")
    return {
        "full": {m: _round(v) for m, v in ab.full.items()},
        "one_at_a_time": {m: _matrix(t) for m, t in one.items()},
        "importance": {k: _significant(v) for k, v in importance.items()},
        "random_order": _matrix(scores[RANKINGS[2]]),
        "keep_top": {"k": list(range(h + 1)), **keep},
        "no_attention_retrained": {m: _round(v) for m, v in retrained.items()},
    }


def pair_cosines_part(model: MiniLM) -> dict[str, dict[str, list[float]]]:
    """``{"full": {kind: [cosine per pair]}, "no attention": {…}}``: :func:`pair_cosines` of the
    full model and of the model with every head removed, rounded to 4 decimals."""
    none = torch.zeros(model.n_layers, model.h)
    return {
        name: {
            kind: [_round(c) for c in cos.tolist()]
            for kind, cos in pair_cosines(model, mask).items()
        }
        for name, mask in (("full", None), ("no attention", none))
    }


def swapped_part(model: MiniLM) -> list[dict]:
    """The swapped pairs ("The dog bit the man." / "The man bit the dog."): the cosine of their
    sentence vectors (``embed``: the mean over the last layer's tokens, length 1)."""
    pairs = load_pairs()["swapped"]
    emb = model.embed([s for pair in pairs for s in pair])  # (2 n, d_model)
    cos = (emb[0::2] * emb[1::2]).sum(-1)  # (n,)
    return [
        {"pair": list(p), "cosine": _round(c)} for p, c in zip(pairs, cos.tolist(), strict=True)
    ]


def measurements(model: MiniLM, progress=None) -> dict:
    """Every number notebook 08 shows, measured on all the shipped sentences (minutes)."""
    say = progress or (lambda message: None)
    data = load_senses()
    run = sense_run(model)
    say("the model over the 200 sense sentences")
    words = list(data.sense_names)
    by_word = {w: model.run(data.only(w).texts) for w in words}  # what a live check runs
    say("each word's sentences on their own")
    result = {
        "about": (
            "all-MiniLM-L6-v2 measured on the shipped sentences for notebook 08: the ladder, "
            "head roles, the sense probe in each head's query subspace (beside random "
            "projections and each head's output), removing heads (and a probe retrained with "
            f"no attention), swapped pairs, the pairs' cosines. Made by {COMMAND} "
            "(helpers/senses.py)."
        ),
        "model": {"revision": REVISION, "sha256": WEIGHTS_SHA256},
        "words": data.sense_names,
        "stages": STAGES,
        "relations": list(RELATIONS),
        "ladder": ladder_part(model, data, run),
        "roles": roles_part(run),
        "roles_by_word": {w: roles_part(by_word[w]) for w in words},
        "roles_on_repeats": roles_part(model.run(data.repeats)),  # a noun twice per sentence
        **subspace_part(model, data, run),
    }
    say("ladder, roles, subspaces")
    result["ablation"] = ablation_part(model, say)
    result["swapped"] = swapped_part(model)
    result["pair_cosines"] = pair_cosines_part(model)
    say("pair cosines")
    return result


def format_measurements(result: dict) -> str:
    """The measurements as the file stores them: indented JSON, every list of numbers on one
    line (a ``[6, 12]`` table is 6 lines), a newline at the end."""
    text = json.dumps(result, indent=1, ensure_ascii=False)
    numbers = re.compile(r"\[[\s\d.,eE+-]*\]")  # a list of numbers only, over several lines
    return numbers.sub(lambda m: json.dumps(json.loads(m.group())), text) + "\n"


def measurements_json(model: MiniLM, progress=None) -> str:
    """The text of ``assets/minilm_measurements.json`` (:func:`measurements`, formatted)."""
    return format_measurements(measurements(model, progress))


def load_measurements(name: str = MEASUREMENTS) -> dict:
    """The stored measurements (``assets/minilm_measurements.json``, made by :data:`COMMAND`)."""
    return json.loads(asset_path(name).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure all-MiniLM-L6-v2 for notebook 08.")
    parser.add_argument("--out", type=Path, required=True, help="e.g. assets/" + MEASUREMENTS)
    args = parser.parse_args(argv)
    wrong = {k: os.environ.get(k) for k, v in REPRODUCIBLE.items() if os.environ.get(k) != v}
    if wrong:
        setting = " ".join(f"{k}={v}" for k, v in REPRODUCIBLE.items())
        print(
            f"refusing to measure: {wrong} differ from the Makefile's arithmetic; run\n"
            f"  {setting} {COMMAND}",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()

    def say(message: str) -> None:
        print(f"{time.perf_counter() - start:6.1f} s  {message}", file=sys.stderr)

    with torch_threads(1):
        text = measurements_json(load_minilm(), say)
    args.out.write_text(text, encoding="utf-8")
    say(f"wrote {args.out} ({len(text.encode()) / 1000:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

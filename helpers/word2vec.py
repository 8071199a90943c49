"""Skip-gram word2vec with negative sampling (Mikolov et al., 2013), small enough to train live.

Notebook 02 writes every step out and checks it equal to this module; later notebooks call

    wv = trained_vectors(dim=16, seed=0)      # trains once per (dim, seed): ~0.4 s on one CPU core
    X = wv[["the", "king", "rules"]]          # (3, 16) word vectors of a sentence
    wv.nearest("king", k=5)                   # [("queen", 0.93), ...]

The pieces, in the order the notebook teaches them:
``context_pairs`` (centre, context) ids from windows around every token;
``noise_distribution`` the unigram counts to the power 3/4, where negatives are drawn from;
``SkipGram`` two tables, ``W_in`` (the word vectors) and ``W_out`` (the context vectors),
and the loss ``-log σ(u_o·v_c) - Σ_k log σ(-u_k·v_c)``;
``train`` Adam over shuffled mini-batches, deterministic for a seed.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from helpers.checks import whole_number
from helpers.text import Vocabulary, load_corpus, sentences
from helpers.threads import torch_threads

WINDOW = 2
NEGATIVES = 5
EPOCHS = 8
BATCH_SIZE = 256
LR = 0.01


# -- data -------------------------------------------------------------------------------


def context_pairs(sentence_ids: Sequence[torch.Tensor], window: int = WINDOW) -> torch.Tensor:
    """Every (centre, context) pair with the context at most ``window`` tokens away, within a
    sentence, in reading order: an ``(N, 2)`` long tensor."""
    if window < 1:
        raise ValueError(f"window must be at least 1 (tokens on each side), got {window}")
    pairs = []
    for ids in sentence_ids:
        ids = ids.tolist()
        for i, centre in enumerate(ids):
            for j in range(max(0, i - window), min(len(ids), i + window + 1)):
                if j != i:
                    pairs.append((centre, ids[j]))
    return torch.tensor(pairs, dtype=torch.long).view(-1, 2)  # (N, 2)


def noise_distribution(counts: Sequence[int], power: float = 0.75) -> torch.Tensor:
    """P(word) ∝ count^power, the distribution negatives are drawn from: ``(V,)``, sums to 1."""
    weights = torch.tensor(counts, dtype=torch.float) ** power  # (V,)
    return weights / weights.sum()  # (V,)


@dataclass
class TrainingData:
    """What training needs from the corpus: the vocabulary, the pairs, the noise distribution."""

    vocab: Vocabulary
    pairs: torch.Tensor  # (N, 2) long: centre id, context id
    noise: torch.Tensor  # (V,) float, sums to 1


def corpus_data(window: int = WINDOW, min_count: int = 1, text: str | None = None) -> TrainingData:
    """The shipped corpus (or ``text``) as skip-gram training data."""
    sents = sentences(load_corpus() if text is None else text)
    vocab = Vocabulary((w for s in sents for w in s), min_count=min_count)
    ids = [vocab.encode([w for w in s if w in vocab]) for s in sents]
    return TrainingData(vocab, context_pairs(ids, window), noise_distribution(vocab.counts))


# -- the model --------------------------------------------------------------------------


class SkipGram(nn.Module):
    """Two embedding tables: ``W_in`` holds the word vectors v, ``W_out`` the context vectors u.

    Initialised as in the original word2vec: ``W_in`` uniform in ±0.5/dim, ``W_out`` zero,
    so before training every score is 0 and the loss is (1 + k)·ln 2.
    """

    def __init__(self, vocab_size: int, dim: int, generator: torch.Generator | None = None):
        super().__init__()
        if vocab_size < 2 or dim < 1:
            raise ValueError(
                f"need vocab_size >= 2 and dim >= 1, got vocab_size={vocab_size}, dim={dim}"
            )
        self.W_in = nn.Embedding(vocab_size, dim)
        self.W_out = nn.Embedding(vocab_size, dim)
        with torch.no_grad():
            self.W_in.weight.copy_((torch.rand(vocab_size, dim, generator=generator) - 0.5) / dim)
            self.W_out.weight.zero_()

    def forward(
        self, centre: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor
    ) -> torch.Tensor:
        """Mean negative-sampling loss: centre, context ``(B,)``, negatives ``(B, k)``"""
        v_c = self.W_in(centre)  # (B, d)
        u_o = self.W_out(context)  # (B, d)
        u_k = self.W_out(negatives)  # (B, k, d)
        positive = F.logsigmoid((u_o * v_c).sum(-1))  # (B,)
        negative = F.logsigmoid(-(u_k @ v_c.unsqueeze(-1)).squeeze(-1)).sum(-1)  # (B,)
        return -(positive + negative).mean()

    @property
    def vectors(self) -> torch.Tensor:
        """The learned word vectors: rows of ``W_in``, ``(V, d)``, detached."""
        return self.W_in.weight.detach().clone()


def initial_loss(negatives: int = NEGATIVES) -> float:
    """The loss of an untrained model (all scores 0): (1 + k)·ln 2."""
    return (1 + negatives) * math.log(2)


@torch_threads(1)  # tiny tensors: one thread is faster than several, and repeatable
def train(
    data: TrainingData,
    dim: int = 16,
    negatives: int = NEGATIVES,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    lr: float = LR,
    seed: int = 0,
    checkpoints: Sequence[int] | None = None,
) -> tuple[SkipGram, list[float]] | tuple[SkipGram, list[float], dict[int, torch.Tensor]]:
    """Train a SkipGram on ``data``; return it and the loss of every step.

    One ``torch.Generator`` seeded with ``seed`` draws, in this order, the initial ``W_in``,
    then per epoch a shuffle of the pairs, then per batch ``k`` negatives per pair.

    ``checkpoints`` (optional): step counts at which to keep a copy of the word vectors,
    0 = before the first step, :func:`steps` = after the last. Then a third value comes back,
    ``{step: (V, dim) tensor}``. Copying draws nothing from the generator, so the training,
    its losses and its final vectors are exactly those of the same call without checkpoints.
    """
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("negatives", negatives)):
        whole_number(name, value)
    total = steps(data, epochs, batch_size)
    wanted = set()
    if checkpoints is not None:
        wanted = set(checkpoints)
        outside = sorted(s for s in wanted if not (isinstance(s, int) and 0 <= s <= total))
        if outside or not wanted:
            raise ValueError(
                f"checkpoints={list(checkpoints)}: give steps between 0 (before training) "
                f"and {total} (the last of {epochs} epoch{'s' if epochs != 1 else ''} × "
                f"{math.ceil(len(data.pairs) / batch_size)} batches)"
                + (f"; {outside} are not" if outside else "")
            )
    g = torch.Generator().manual_seed(seed)
    model = SkipGram(len(data.vocab), dim, generator=g)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    snapshots = {0: model.vectors} if 0 in wanted else {}
    for _ in range(epochs):
        order = torch.randperm(len(data.pairs), generator=g)  # (N,)
        for start in range(0, len(order), batch_size):
            batch = data.pairs[order[start : start + batch_size]]  # (B, 2)
            noise = torch.multinomial(
                data.noise, len(batch) * negatives, replacement=True, generator=g
            )
            loss = model(batch[:, 0], batch[:, 1], noise.view(len(batch), negatives))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if len(losses) in wanted:
                snapshots[len(losses)] = model.vectors  # (V, dim) a copy
    if checkpoints is None:
        return model, losses
    return model, losses, snapshots


def steps(data: TrainingData, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE) -> int:
    """How many optimizer steps :func:`train` takes: one per mini-batch, every epoch."""
    return epochs * math.ceil(len(data.pairs) / batch_size)


# -- using the vectors ------------------------------------------------------------------


def cosine_matrix(vectors: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of every pair of rows: ``(n, d)`` -> ``(n, n)``."""
    unit = F.normalize(vectors, dim=-1)  # (n, d)
    return unit @ unit.T  # (n, n)


@dataclass
class WordVectors:
    """Trained word vectors with their vocabulary: ``wv["king"]``, ``wv[["the", "king"]]``."""

    vocab: Vocabulary
    vectors: torch.Tensor  # (V, d)

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __getitem__(self, words: str | Sequence[str]) -> torch.Tensor:
        if isinstance(words, str):
            return self.vectors[self.vocab.index(words)]  # (d,)
        return self.vectors[self.vocab.encode(words)]  # (T, d)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words."""
        return F.cosine_similarity(self[a], self[b], dim=0).item()

    def nearest(self, word: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` words with the highest cosine similarity to ``word`` (itself excluded)."""
        if not 1 <= k < len(self.vocab):
            raise ValueError(f"k must be between 1 and {len(self.vocab) - 1}, got {k}")
        sims = F.normalize(self.vectors, dim=-1) @ F.normalize(self[word], dim=0)  # (V,)
        sims[self.vocab.index(word)] = -math.inf
        top = sims.topk(k)
        return [
            (self.vocab.words[i], v)
            for v, i in zip(top.values.tolist(), top.indices.tolist(), strict=True)
        ]


def family_separation(wv: WordVectors, families: dict[str, list[str]]) -> tuple[float, float]:
    """Mean cosine over pairs of different words of the same family, and over pairs of
    words from different families: ``(within, between)``."""
    words = [w for members in families.values() for w in members]
    family = torch.tensor(
        [f for f, members in enumerate(families.values()) for _ in members]
    )  # (n,)
    sims = cosine_matrix(wv[words])  # (n, n)
    same = family[:, None] == family[None, :]  # (n, n)
    off_diagonal = ~torch.eye(len(words), dtype=torch.bool)  # (n, n)
    within = sims[same & off_diagonal].mean().item()
    between = sims[~same].mean().item()
    return within, between


@functools.lru_cache(maxsize=16)
def _trained(dim: int, seed: int) -> WordVectors:
    data = corpus_data()
    model, _ = train(data, dim=dim, seed=seed)
    return WordVectors(data.vocab, model.vectors)


def trained_vectors(dim: int = 16, seed: int = 0) -> WordVectors:
    """Word vectors trained on the shipped corpus with the defaults of :func:`train`.

    Trains once per ``(dim, seed)`` in a process (well under a second on 2 CPU cores; later
    calls are instant) and returns a fresh copy, so changing it changes nothing for others.
    """
    wv = _trained(dim, seed)
    return WordVectors(wv.vocab, wv.vectors.clone())

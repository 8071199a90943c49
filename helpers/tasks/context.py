"""The context task: one attention head learns which words to read, from the shipped corpus.

Every token of every sentence gets a new vector ``z = softmax(Q Kᵀ / √d_k) V`` from one head
(:class:`helpers.attention.SelfAttention`) over the sentence's word2vec vectors (notebook 02,
kept fixed), and a linear readout of ``z`` must predict **the other words of its sentence**
(a bag of words: each of them equally likely). A token can only do that by reading its
neighbours, so the head learns where to look: "bank" beside "money" and beside "river"
should look at those words, and its ``z`` should then differ between the two sentences.

All distinct sentences go in one batch (each weighted by how often the corpus has it),
padded to the longest; a padding mask (notebook 04) keeps every token from reading the
padding, and the padded positions do not count in the loss.
Training takes a few seconds on one CPU thread, the same numbers on every run.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from helpers.attention import SelfAttention, padding_mask
from helpers.text import load_corpus, sentences
from helpers.threads import torch_threads
from helpers.word2vec import WordVectors, trained_vectors

__all__ = ["ContextHead", "context_batch", "context_loss", "train_context_head"]


@dataclass(frozen=True)
class Batch:
    """Every distinct sentence, padded to ``T``: word vectors ``x [n, T, d_model]``, which keys
    are real ``mask [n, 1, T]`` (True = a real token), per token the distribution of the other
    words of its sentence ``target [n, T, V]`` (all zero at padding), and how often the corpus
    has each sentence ``count [n]``."""

    x: torch.Tensor
    mask: torch.Tensor
    target: torch.Tensor
    count: torch.Tensor


def context_batch(wv: WordVectors, text: str | None = None) -> Batch:
    """The corpus (or ``text``): its sentences whose words all have vectors, in one batch."""
    all_sentences = sentences(load_corpus() if text is None else text)
    counts = Counter(tuple(s) for s in all_sentences if all(w in wv.vocab for w in s))
    kept = sorted(counts)  # each distinct sentence once, weighted by its count
    if not kept:
        raise ValueError(
            "no sentence of the text has every word in the vocabulary; use the corpus' words"
        )
    lengths = torch.tensor([len(s) for s in kept])  # (n,)
    T = int(lengths.max())
    ids = torch.zeros(len(kept), T, dtype=torch.long)  # (n, T), padded with id 0
    for i, s in enumerate(kept):
        ids[i, : len(s)] = wv.vocab.encode(s)
    real = padding_mask(lengths, T)[:, 0]  # (n, 1, T) True at real tokens
    words = F.one_hot(ids, len(wv.vocab)).float() * real.transpose(1, 2)  # (n, T, V), 0 at padding
    others = words.sum(1, keepdim=True) - words  # (n, T, V): every word but the token's own
    target = others / others.sum(-1, keepdim=True) * real.transpose(1, 2)  # (n, T, V)
    return Batch(wv.vectors[ids], real, target, torch.tensor([float(counts[s]) for s in kept]))


class ContextHead(nn.Module):
    """One attention head and a readout from its output to the vocabulary."""

    def __init__(self, d_model: int, d_k: int, vocab_size: int):
        super().__init__()
        self.head = SelfAttention(d_model, d_k)
        self.readout = nn.Linear(d_k, vocab_size)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``x [n, T, d_model] -> (logits [n, T, V], z [n, T, d_k], weights [n, T, T])``."""
        z, weights = self.head(x, mask)  # (n, T, d_k), (n, T, T)
        return self.readout(z), z, weights  # (n, T, V)


def context_loss(model: ContextHead, batch: Batch) -> torch.Tensor:
    """Cross-entropy between each real token's prediction and the other words of its sentence,
    averaged over every real token of the corpus."""
    logits, _, _ = model(batch.x, batch.mask)  # (n, T, V)
    per_token = -(batch.target * F.log_softmax(logits, dim=-1)).sum(-1)  # (n, T), 0 at padding
    tokens = batch.mask[:, 0].sum(-1)  # (n,) real tokens per sentence
    return (batch.count * per_token.sum(-1)).sum() / (batch.count * tokens).sum()


@functools.lru_cache(maxsize=4)
@torch_threads(1)
def _train(d_k: int, steps: int, lr: float, seed: int) -> tuple[ContextHead, tuple[float, ...]]:
    wv = trained_vectors(dim=16, seed=0)  # notebook 02's vectors: the input, kept fixed
    batch = context_batch(wv)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ContextHead(wv.dim, d_k, len(wv.vocab))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):  # one step = the whole corpus
        loss = context_loss(model, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model.eval(), tuple(losses)


def train_context_head(
    d_k: int = 8, steps: int = 200, lr: float = 0.02, seed: int = 0
) -> tuple[ContextHead, list[float]]:
    """Train a :class:`ContextHead` on the shipped corpus (cached per setting); return it and
    the loss of every step. ``steps=0`` gives the same head untrained."""
    model, losses = _train(d_k, steps, lr, seed)
    return model, list(losses)

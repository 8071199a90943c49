"""The two-rule task: one softmax average cannot solve it, several heads can.

**The task.** A sequence of ``T = 8`` tokens. The first seven are *pairs* ``key value``
written as one token, e.g. ``C5`` (key ``C`` carrying value ``5``; keys A–H, values 0–7,
the seven keys of a sequence all different). The last token is a *question* ``?C``. The
answer has two parts, found by two different rules:

* ``prev``  — the value of the token just before the question (a rule by **position**);
* ``match`` — the value of the token whose key is the question's key (a rule by
  **content**: the question's query must meet that token's key).

The matched token is never the one just before the question, so every answer needs two
different positions. One head returns one softmax-weighted average of values; if it
splits its weight over both positions, both values are blurred into one vector — the
paper's "with a single attention head, averaging inhibits this".

**The model.** token embedding + position embedding → :class:`MultiHeadSelfAttention`
(``d_model``, ``h``) → a linear readout of the question's output vector into two sets of
8 logits (prev, match). Its parameter count does not depend on ``h`` (W_Q, W_K, W_V, W_O
are ``d_model × d_model`` whatever the cut), so every h gets the same parameters, the same
data and the same number of steps. The sweep over h is :mod:`helpers.tasks.sweep`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from helpers.attention import MultiHeadSelfAttention, check_heads
from helpers.encoder import EncoderLayer
from helpers.threads import torch_threads

__all__ = [
    "K_KEY",
    "K_VAL",
    "T",
    "PREV",
    "VOCAB",
    "Settings",
    "FULL",
    "QUICK",
    "Batch",
    "make_batch",
    "token_label",
    "LAYERS",
    "TwoRuleModel",
    "n_params",
    "evaluate",
    "held_out_batch",
    "train_model",
    "rule_weights",
]

K_KEY = 8  # keys A..H
K_VAL = 8  # values 0..7
T = 8  # 7 key-value tokens + 1 question
PREV = T - 2  # the position just before the question
VOCAB = K_KEY * K_VAL + K_KEY  # 64 key-value tokens + 8 questions
TEST_SEED = 2017  # one held-out set, the same for every model


@dataclass(frozen=True)
class Settings:
    """The training budget, identical for every h."""

    steps: int = 300
    batch: int = 128
    lr: float = 0.02
    n_test: int = 2000


FULL = Settings()
QUICK = Settings(steps=40, batch=64, lr=0.02, n_test=256)


# --------------------------------------------------------------------------- the task


@dataclass(frozen=True)
class Batch:
    """``tokens [n, T]`` and the two answers ``prev [n]``, ``match [n]``; ``where [n]`` is the
    position of the token whose key the question asks for."""

    tokens: torch.Tensor
    prev: torch.Tensor
    match: torch.Tensor
    where: torch.Tensor


def make_batch(n: int, generator: torch.Generator) -> Batch:
    """``n`` sequences of the two-rule task, drawn from ``generator``."""
    if n < 1:
        raise ValueError(f"n={n} must be >= 1 sequences")
    keys = torch.rand(n, K_KEY, generator=generator).argsort(dim=1)[:, : T - 1]  # (n, T-1) distinct
    values = torch.randint(0, K_VAL, (n, T - 1), generator=generator)  # (n, T-1)
    where = torch.randint(0, PREV, (n,), generator=generator)  # (n,) never PREV
    asked = keys.gather(1, where[:, None])  # (n, 1)
    pairs = keys * K_VAL + values  # (n, T-1) token ids 0..63
    question = K_KEY * K_VAL + asked  # (n, 1) token ids 64..71
    tokens = torch.cat([pairs, question], dim=1)  # (n, T)
    prev = values[:, PREV]  # (n,)
    match = values.gather(1, where[:, None])[:, 0]  # (n,)
    return Batch(tokens, prev, match, where)


def token_label(token: int) -> str:
    """``C5`` for key C carrying value 5, ``?C`` for the question about key C."""
    token = int(token)
    if not 0 <= token < VOCAB:
        raise ValueError(f"token={token} is not in the vocabulary 0..{VOCAB - 1}")
    if token >= K_KEY * K_VAL:
        return "?" + chr(ord("A") + token - K_KEY * K_VAL)
    return chr(ord("A") + token // K_VAL) + str(token % K_VAL)


# --------------------------------------------------------------------------- the model


LAYERS = ("attention", "encoder")


class TwoRuleModel(nn.Module):
    """Embedding + position → one layer → linear readout at the question.

    ``layer="attention"``: multi-head self-attention alone (the model of the sweep);
    ``layer="encoder"``: notebook 07's full encoder layer around it (residual connections,
    LayerNorm and a feed-forward network of width ``4 · d_model``). Either way the parameter
    count does not depend on ``h``.
    """

    def __init__(self, d_model: int, h: int, layer: str = "attention"):
        super().__init__()
        check_heads(d_model, h)
        if layer not in LAYERS:
            raise ValueError(f"layer={layer!r}; choose one of {', '.join(LAYERS)}")
        self.d_model = d_model
        self.h = h
        self.layer = layer
        self.embed = nn.Embedding(VOCAB, d_model)
        self.position = nn.Embedding(T, d_model)
        if layer == "encoder":
            self.block = EncoderLayer(d_model, h, 4 * d_model)
            self.attn = self.block.self_attn  # the same module: its heads, its weights
        else:
            self.attn = MultiHeadSelfAttention(d_model, h)
        self.readout = nn.Linear(d_model, 2 * K_VAL)

    def inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        """The vectors attention sees: token embedding + position embedding."""
        return self.embed(tokens) + self.position.weight  # (B, T, d_model)

    def forward(
        self, tokens: torch.Tensor, head_mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``tokens [B, T] -> (logits [B, 2, K_VAL], weights [B, h, T, T])``; ``head_mask``
        ``[h]`` (1 keep, 0 remove) zeroes heads' outputs before W_O."""
        x = self.inputs(tokens)  # (B, T, d_model)
        if self.layer == "encoder":
            z, weights = self.block(x, head_mask=head_mask)  # (B, T, d_model), (B, h, T, T)
        else:
            z, weights = self.attn(x, head_mask=head_mask)  # (B, T, d_model), (B, h, T, T)
        logits = self.readout(z[:, -1])  # (B, 2 * K_VAL)
        return logits.view(-1, 2, K_VAL), weights  # (B, 2, K_VAL)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def held_out_batch(n: int = FULL.n_test) -> Batch:
    """The held-out set: the same ``n`` sequences for every model, never trained on."""
    return make_batch(n, torch.Generator().manual_seed(TEST_SEED))


@torch.no_grad()
def evaluate(
    model: TwoRuleModel, batch: Batch, head_mask: torch.Tensor | None = None
) -> dict[str, float]:
    """Held-out accuracy: both parts right, and each rule on its own (``head_mask``: with
    some heads removed)."""
    logits, _ = model(batch.tokens, head_mask)  # (n, 2, K_VAL)
    guess = logits.argmax(dim=-1)  # (n, 2)
    ok_prev = guess[:, 0] == batch.prev  # (n,)
    ok_match = guess[:, 1] == batch.match  # (n,)
    return {
        "accuracy": (ok_prev & ok_match).float().mean().item(),
        "acc_prev": ok_prev.float().mean().item(),
        "acc_match": ok_match.float().mean().item(),
    }


def train_model(
    d_model: int,
    h: int,
    seed: int,
    quick: bool = False,
    budget: Settings | None = None,
    layer: str = "attention",
) -> tuple[TwoRuleModel, dict]:
    """Train one model (cached: asking again returns the same trained model at once).

    Returns ``(model, row)``; ``row`` holds h, d_k, seed, held-out accuracies, the
    parameter count and the budget. Seeds the model's initial weights and its training
    data from ``seed`` without touching the global random state. ``budget`` overrides the
    budget (default :data:`FULL`, or :data:`QUICK` with ``quick=True``); ``layer`` picks the
    model (:class:`TwoRuleModel`). ``train_model.cache_clear()`` forgets every trained model.
    """
    if budget is None:
        budget = QUICK if quick else FULL
    return _train(d_model, h, seed, budget, layer)


# one thread: the sums run in the same order every time, and it is the fastest here
@functools.lru_cache(maxsize=128)
@torch_threads(1)
def _train(
    d_model: int, h: int, seed: int, budget: Settings, layer: str
) -> tuple[TwoRuleModel, dict]:
    d_k = check_heads(d_model, h)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = TwoRuleModel(d_model, h, layer)
        data = make_batch(budget.steps * budget.batch, torch.Generator().manual_seed(seed))
        opt = torch.optim.Adam(model.parameters(), lr=budget.lr)
        for step in range(budget.steps):
            rows = slice(step * budget.batch, (step + 1) * budget.batch)
            logits, _ = model(data.tokens[rows])  # (batch, 2, K_VAL)
            answers = torch.stack([data.prev[rows], data.match[rows]], dim=1)  # (batch, 2)
            loss = F.cross_entropy(logits.reshape(-1, K_VAL), answers.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        scores = evaluate(model, held_out_batch(budget.n_test))
    row = {
        "h": h,
        "d_k": d_k,
        "seed": seed,
        **{k: round(v, 4) for k, v in scores.items()},
        "params": n_params(model),
        "steps": budget.steps,
    }
    return model, row


train_model.cache_clear = _train.cache_clear


@torch.no_grad()
def rule_weights(model: TwoRuleModel, batch: Batch) -> torch.Tensor:
    """``[h, 2]``: the mean attention weight the question puts, in each head, on the
    ``prev`` position (column 0) and on the ``match`` position (column 1)."""
    _, weights = model(batch.tokens)  # (n, h, T, T)
    question = weights[:, :, -1]  # (n, h, T)
    on_prev = question[:, :, PREV]  # (n, h)
    where = batch.where[:, None, None].expand(-1, model.h, 1)  # (n, h, 1)
    on_match = question.gather(2, where)[..., 0]  # (n, h)
    return torch.stack([on_prev.mean(0), on_match.mean(0)], dim=1)  # (h, 2)

"""The head-count experiment: a task one softmax average cannot solve, and a sweep over h.

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
data and the same number of steps.

Run the full sweep (every h dividing 16, five seeds) and store it::

    python -m helpers.experiments --full --out assets/head_sweep.json

``--full`` also stores the seed-0 model of every h in ``assets/head_models.json``, so the
notebook and ``subspace_explorer`` can show trained heads without training them again.
The same sweep with a 4× longer budget (does the ranking survive more training?)::

    python -m helpers.experiments --full --steps 1200 --out assets/head_sweep_1200.json
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from helpers import asset_path
from helpers.attention import MultiHeadSelfAttention, check_heads, valid_heads
from helpers.threads import torch_threads

__all__ = [
    "K_KEY",
    "K_VAL",
    "T",
    "PREV",
    "VOCAB",
    "PAPER_TABLE_3A",
    "Settings",
    "FULL",
    "QUICK",
    "Batch",
    "make_batch",
    "token_label",
    "TwoRuleModel",
    "evaluate",
    "held_out_batch",
    "train_model",
    "head_sweep",
    "summarize",
    "rule_weights",
    "save_models",
    "load_models",
    "main",
]

K_KEY = 8  # keys A..H
K_VAL = 8  # values 0..7
T = 8  # 7 key-value tokens + 1 question
PREV = T - 2  # the position just before the question
VOCAB = K_KEY * K_VAL + K_KEY  # 64 key-value tokens + 8 questions
TEST_SEED = 2017  # one held-out set, the same for every model

# "Attention Is All You Need", Table 3 row (A): English→German dev set, same compute per row.
PAPER_TABLE_3A = [
    {"h": 1, "d_k": 512, "ppl": 5.29, "bleu": 24.9},
    {"h": 4, "d_k": 128, "ppl": 5.00, "bleu": 25.5},
    {"h": 8, "d_k": 64, "ppl": 4.92, "bleu": 25.8},
    {"h": 16, "d_k": 32, "ppl": 4.91, "bleu": 25.8},
    {"h": 32, "d_k": 16, "ppl": 5.01, "bleu": 25.4},
]


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


class TwoRuleModel(nn.Module):
    """Embedding + position → multi-head self-attention → linear readout at the question."""

    def __init__(self, d_model: int, h: int):
        super().__init__()
        check_heads(d_model, h)
        self.d_model = d_model
        self.h = h
        self.embed = nn.Embedding(VOCAB, d_model)
        self.position = nn.Embedding(T, d_model)
        self.attn = MultiHeadSelfAttention(d_model, h)
        self.readout = nn.Linear(d_model, 2 * K_VAL)

    def inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        """The vectors attention sees: token embedding + position embedding."""
        return self.embed(tokens) + self.position.weight  # (B, T, d_model)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``tokens [B, T] -> (logits [B, 2, K_VAL], weights [B, h, T, T])``."""
        x = self.inputs(tokens)  # (B, T, d_model)
        z, weights = self.attn(x)  # (B, T, d_model), (B, h, T, T)
        logits = self.readout(z[:, -1])  # (B, 2 * K_VAL)
        return logits.view(-1, 2, K_VAL), weights  # (B, 2, K_VAL)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def held_out_batch(n: int = FULL.n_test) -> Batch:
    """The held-out set: the same ``n`` sequences for every model, never trained on."""
    return make_batch(n, torch.Generator().manual_seed(TEST_SEED))


@torch.no_grad()
def evaluate(model: TwoRuleModel, batch: Batch) -> dict[str, float]:
    """Held-out accuracy: both parts right, and each rule on its own."""
    logits, _ = model(batch.tokens)  # (n, 2, K_VAL)
    guess = logits.argmax(dim=-1)  # (n, 2)
    ok_prev = guess[:, 0] == batch.prev  # (n,)
    ok_match = guess[:, 1] == batch.match  # (n,)
    return {
        "accuracy": (ok_prev & ok_match).float().mean().item(),
        "acc_prev": ok_prev.float().mean().item(),
        "acc_match": ok_match.float().mean().item(),
    }


def train_model(
    d_model: int, h: int, seed: int, quick: bool = False, budget: Settings | None = None
) -> tuple[TwoRuleModel, dict]:
    """Train one model (cached: asking again returns the same trained model at once).

    Returns ``(model, row)``; ``row`` holds h, d_k, seed, held-out accuracies, the
    parameter count and the budget. Seeds the model's initial weights and its training
    data from ``seed`` without touching the global random state. ``budget`` overrides the
    budget (default :data:`FULL`, or :data:`QUICK` with ``quick=True``).
    ``train_model.cache_clear()`` forgets every trained model.
    """
    if budget is None:
        budget = QUICK if quick else FULL
    return _train(d_model, h, seed, budget)


@functools.lru_cache(maxsize=64)
def _train(d_model: int, h: int, seed: int, budget: Settings) -> tuple[TwoRuleModel, dict]:
    d_k = check_heads(d_model, h)
    with torch_threads(1), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = TwoRuleModel(d_model, h)
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


def head_sweep(
    d_model: int, heads, seeds, quick: bool = False, budget: Settings | None = None
) -> list[dict]:
    """Train one model per (h, seed) with the same d_model, parameters, data and steps.

    Returns one dict per model: ``{h, d_k, seed, accuracy, acc_prev, acc_match, params,
    steps}``. ``quick=True`` uses a tiny budget (seconds, for tests); ``budget`` any other.
    """
    heads = list(heads)
    seeds = list(seeds)
    if not heads or not seeds:
        raise ValueError(f"heads={heads} and seeds={seeds} must both be non-empty")
    for h in heads:
        check_heads(d_model, h)
    rows = [train_model(d_model, h, seed, quick, budget)[1] for h in heads for seed in seeds]
    counts = {row["params"] for row in rows}
    assert len(counts) == 1, f"parameter counts differ across h: {sorted(counts)}"
    return rows


def summarize(rows: list[dict], key: str = "accuracy") -> list[dict]:
    """Mean and (sample) standard deviation of ``key`` over seeds, one dict per h."""
    out = []
    for h in sorted({row["h"] for row in rows}):
        vals = [row[key] for row in rows if row["h"] == h]
        out.append({
            "h": h,
            "d_k": next(row["d_k"] for row in rows if row["h"] == h),
            "mean": statistics.fmean(vals),
            "std": statistics.stdev(vals) if len(vals) > 1 else 0.0,
            "n": len(vals),
        })
    return out


@torch.no_grad()
def rule_weights(model: TwoRuleModel, batch: Batch) -> torch.Tensor:
    """``[h, 2]``: the mean attention weight the question puts, in each head, on the
    ``prev`` position (column 0) and on the ``match`` position (column 1)."""
    _, weights = model(batch.tokens)  # (n, h, T, T)
    question = weights[:, :, -1]  # (n, h, T)
    on_prev = question[:, :, PREV]  # (n, h)
    on_match = question.gather(2, batch.where[:, None, None].expand(-1, model.h, 1))[..., 0]  # (n, h)
    return torch.stack([on_prev.mean(0), on_match.mean(0)], dim=1)  # (h, 2)


# --------------------------------------------------------------------------- stored models


def save_models(models: dict[int, TwoRuleModel], path: Path) -> None:
    """Write trained models (h → model, one d_model) as JSON: every float32 exactly."""
    table = {
        "d_model": next(iter(models.values())).d_model,
        "models": {
            str(h): {
                name: {"shape": list(p.shape), "values": [float(f"{v:.9g}") for v in p.flatten().tolist()]}
                for name, p in m.state_dict().items()
            }
            for h, m in sorted(models.items())
        },
    }
    path.write_text(json.dumps(table, separators=(",", ":")) + "\n", encoding="utf-8")


@functools.lru_cache(maxsize=4)
def load_models(path: Path | None = None) -> dict[int, TwoRuleModel]:
    """Models written by :func:`save_models`, h → model (read once, then cached); by default
    the sweep's seed-0 models in ``assets/head_models.json``."""
    path = asset_path("head_models.json") if path is None else Path(path)
    table = json.loads(path.read_text(encoding="utf-8"))
    models = {}
    for h, state in table["models"].items():
        model = TwoRuleModel(table["d_model"], int(h))
        model.load_state_dict({
            k: torch.tensor(v["values"], dtype=torch.float32).view(v["shape"]) for k, v in state.items()
        })
        models[int(h)] = model.eval()
    return models


# --------------------------------------------------------------------------- the script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the head-count sweep and store it as JSON.")
    parser.add_argument("--full", action="store_true", help="every h dividing d_model, 5 seeds")
    parser.add_argument("--d-model", type=int, default=16)
    parser.add_argument("--heads", type=int, nargs="*", help="head counts (default: all valid)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1")
    parser.add_argument("--quick", action="store_true", help="the tiny test budget")
    parser.add_argument("--steps", type=int, help=f"train this many steps instead of {FULL.steps}")
    parser.add_argument("--out", type=Path, help="write the table here (JSON)")
    parser.add_argument("--models-out", type=Path, help="write the seed-0 models here (JSON)")
    args = parser.parse_args(argv)
    heads = args.heads or valid_heads(args.d_model)
    seeds = range(5 if args.full else args.seeds)
    start = time.perf_counter()
    budget = QUICK if args.quick else FULL
    if args.steps is not None:
        budget = replace(budget, steps=args.steps)
    rows = head_sweep(args.d_model, heads, seeds, budget=budget)
    seconds = time.perf_counter() - start
    for row in rows:
        print(" ".join(f"{k}={v}" for k, v in row.items()))
    for s in summarize(rows):
        print(f"h={s['h']:2d} d_k={s['d_k']:2d}  accuracy {s['mean']:.3f} ± {s['std']:.3f}  (n={s['n']})")
    print(f"{len(rows)} models in {seconds:.1f} s")
    if args.out is not None:
        table = {
            "command": "python -m helpers.experiments " + " ".join(argv if argv is not None else sys.argv[1:]),
            "d_model": args.d_model,
            "settings": asdict(budget),
            "rows": rows,
        }
        args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    models_out = args.models_out
    if models_out is None and args.full and args.out is not None and budget == FULL:
        models_out = args.out.with_name("head_models.json")
    if models_out is not None:
        save_models({h: train_model(args.d_model, h, 0, budget=budget)[0] for h in heads}, models_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

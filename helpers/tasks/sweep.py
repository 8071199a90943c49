"""The head-count sweep on the two-rule task, its stored table, and the stored trained models.

Run the full sweep (every h dividing 16, five seeds) and store it::

    python -m helpers.tasks.sweep --full --out assets/head_sweep.json

``--full`` also stores the seed-0 model of every h in ``assets/head_models.safetensors``, so
the notebook and ``subspace_explorer`` can show trained heads without training them again.
The same sweep with a 4× longer budget (does the ranking survive more training?)::

    python -m helpers.tasks.sweep --full --steps 1200 --out assets/head_sweep_1200.json
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from helpers import asset_path
from helpers.attention import check_heads, valid_heads
from helpers.tasks.two_rule import FULL, QUICK, Settings, TwoRuleModel, train_model

__all__ = ["PAPER_TABLE_3A", "head_sweep", "summarize", "save_models", "load_models", "main"]

# "Attention Is All You Need", Table 3 row (A): English→German dev set, same compute per row.
PAPER_TABLE_3A = [
    {"h": 1, "d_k": 512, "ppl": 5.29, "bleu": 24.9},
    {"h": 4, "d_k": 128, "ppl": 5.00, "bleu": 25.5},
    {"h": 8, "d_k": 64, "ppl": 4.92, "bleu": 25.8},
    {"h": 16, "d_k": 32, "ppl": 4.91, "bleu": 25.8},
    {"h": 32, "d_k": 16, "ppl": 5.01, "bleu": 25.4},
]
MODELS = "head_models.safetensors"


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
        out.append(
            {
                "h": h,
                "d_k": next(row["d_k"] for row in rows if row["h"] == h),
                "mean": statistics.fmean(vals),
                "std": statistics.stdev(vals) if len(vals) > 1 else 0.0,
                "n": len(vals),
            }
        )
    return out


# --------------------------------------------------------------------------- stored models


def save_models(models: dict[tuple[int, int], TwoRuleModel], path: Path) -> None:
    """Write trained models, keyed ``(d_model, h)``, as one safetensors file (float32, exact)."""
    tensors = {
        f"d_model={d_model}/h={h}/{name}": p.detach().contiguous()
        for (d_model, h), model in sorted(models.items())
        for name, p in model.state_dict().items()
    }
    save_file(tensors, str(path), metadata={"format": "pt"})


@functools.lru_cache(maxsize=4)
def _stored(path: Path) -> dict[tuple[int, int], TwoRuleModel]:
    tensors = load_file(str(path))  # safetensors: plain arrays, nothing is unpickled
    states: dict[tuple[int, int], dict[str, torch.Tensor]] = {}
    for key, tensor in tensors.items():
        d_model, h, name = key.split("/", 2)
        states.setdefault((int(d_model.split("=")[1]), int(h.split("=")[1])), {})[name] = tensor
    models = {}
    for (d_model, h), state in sorted(states.items()):
        model = TwoRuleModel(d_model, h)
        model.load_state_dict(state)
        models[d_model, h] = model.eval()
    return models


def load_models(d_model: int = 16, path: Path | None = None) -> dict[int, TwoRuleModel]:
    """The stored seed-0 models of width ``d_model``, h → model (read once, then cached);
    by default from ``assets/head_models.safetensors``."""
    stored = _stored(asset_path(MODELS) if path is None else Path(path))
    widths = sorted({d for d, _ in stored})
    if d_model not in widths:
        raise ValueError(f"d_model={d_model} has no stored models; choose d_model from {widths}")
    return {h: model for (d, h), model in stored.items() if d == d_model}


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
    parser.add_argument(
        "--models-out", type=Path, help="write the seed-0 models here (safetensors)"
    )
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
        print(
            f"h={s['h']:2d} d_k={s['d_k']:2d}  accuracy {s['mean']:.3f} ± {s['std']:.3f}  (n={s['n']})"
        )
    print(f"{len(rows)} models in {seconds:.1f} s")
    if args.out is not None:
        command = "python -m helpers.tasks.sweep " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        table = {
            "command": command,
            "d_model": args.d_model,
            "settings": asdict(budget),
            "rows": rows,
        }
        args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    models_out = args.models_out
    if models_out is None and args.full and args.out is not None and budget == FULL:
        models_out = args.out.with_name(MODELS)
    if models_out is not None:
        trained = {
            (args.d_model, h): train_model(args.d_model, h, 0, budget=budget)[0] for h in heads
        }
        save_models(trained, models_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

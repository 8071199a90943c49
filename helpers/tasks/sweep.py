"""The head-count sweep on the two-rule task, its stored table, and the stored trained models.

Run the full sweep (every h dividing 16, five seeds) and store it::

    python -m helpers.tasks.sweep --full --out assets/head_sweep.json

The same sweep with a 4× longer budget (does the ranking survive more training?), and with
notebook 07's full encoder layer in place of attention alone (is it the missing residual and
feed-forward block that fails one head?)::

    python -m helpers.tasks.sweep --full --steps 1200 --out assets/head_sweep_1200.json
    python -m helpers.tasks.sweep --full --layer encoder --out assets/head_sweep_encoder.json

The trained models that notebook 05 and ``subspace_explorer`` draw — seed 0, the sweep's
budget, every d_model in :data:`GRID_WIDTHS` with every power-of-two h that divides it, and
h = 16 at d_model = 16 trained 1,200 steps too (how sixteen 1-D heads find the match) —
stored once, so nothing is trained behind a slider::

    python -m helpers.tasks.sweep --grid --models-out assets/head_models.safetensors
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
from helpers.tasks.two_rule import FULL, LAYERS, QUICK, Settings, TwoRuleModel, train_model

__all__ = [
    "PAPER_TABLE_3A",
    "GRID_WIDTHS",
    "grid",
    "head_sweep",
    "summarize",
    "save_models",
    "stored_models",
    "load_models",
    "main",
]

# "Attention Is All You Need", Table 3 row (A): English→German dev set, same compute per row.
PAPER_TABLE_3A = [
    {"h": 1, "d_k": 512, "ppl": 5.29, "bleu": 24.9},
    {"h": 4, "d_k": 128, "ppl": 5.00, "bleu": 25.5},
    {"h": 8, "d_k": 64, "ppl": 4.92, "bleu": 25.8},
    {"h": 16, "d_k": 32, "ppl": 4.91, "bleu": 25.8},
    {"h": 32, "d_k": 16, "ppl": 5.01, "bleu": 25.4},
]
MODELS = "head_models.safetensors"
GRID_WIDTHS = (8, 16, 32, 64)  # the d_model values whose trained models are stored


LONG = (16, 16, 1200)  # also stored: h = 16 trained 4× longer


def grid(widths=GRID_WIDTHS) -> list[tuple[int, int, int]]:
    """Every ``(d_model, h, steps)`` of the stored models: each width with every power-of-two
    h that divides it (1, 2, 4, …, d_model) at the sweep's budget, and :data:`LONG`."""
    sizes = [(d, 2**i) for d in widths for i in range(d.bit_length()) if d % 2**i == 0]
    return [(d, h, FULL.steps) for d, h in sizes] + [LONG]


def head_sweep(
    d_model: int,
    heads,
    seeds,
    quick: bool = False,
    budget: Settings | None = None,
    layer: str = "attention",
) -> list[dict]:
    """Train one model per (h, seed) with the same d_model, parameters, data and steps.

    Returns one dict per model: ``{h, d_k, seed, accuracy, acc_prev, acc_match, params,
    steps}``. ``quick=True`` uses a tiny budget (seconds, for tests); ``budget`` any other;
    ``layer`` picks the model (attention alone, or the full encoder layer).
    """
    heads = list(heads)
    seeds = list(seeds)
    if not heads or not seeds:
        raise ValueError(f"heads={heads} and seeds={seeds} must both be non-empty")
    for h in heads:
        check_heads(d_model, h)
    rows = [train_model(d_model, h, seed, quick, budget, layer)[1] for h in heads for seed in seeds]
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


def save_models(models: dict[tuple[int, int, int], TwoRuleModel], path: Path) -> None:
    """Write trained models, keyed ``(d_model, h, steps)``, as one safetensors file (float32,
    exact)."""
    tensors = {
        f"d_model={d_model}/h={h}/steps={steps}/{name}": p.detach().contiguous()
        for (d_model, h, steps), model in sorted(models.items())
        for name, p in model.state_dict().items()
    }
    save_file(tensors, str(path), metadata={"format": "pt"})


def stored_models(
    path: Path | None = None, steps: int = FULL.steps
) -> dict[tuple[int, int], TwoRuleModel]:
    """Every stored model trained ``steps`` steps, ``(d_model, h)`` → model (read once, then
    cached); by default from ``assets/head_models.safetensors``."""
    stored = _stored(asset_path(MODELS) if path is None else Path(path))
    return {(d, h): model for (d, h, s), model in stored.items() if s == steps}


@functools.lru_cache(maxsize=4)
def _stored(path: Path) -> dict[tuple[int, int, int], TwoRuleModel]:
    tensors = load_file(str(path))  # safetensors: plain arrays, nothing is unpickled
    states: dict[tuple[int, int, int], dict[str, torch.Tensor]] = {}
    for key, tensor in tensors.items():
        d_model, h, steps, name = key.split("/", 3)
        size = tuple(int(part.split("=")[1]) for part in (d_model, h, steps))
        states.setdefault(size, {})[name] = tensor
    models = {}
    for (d_model, h, steps), state in sorted(states.items()):
        model = TwoRuleModel(d_model, h)
        model.load_state_dict(state)
        models[d_model, h, steps] = model.eval()
    return models


def load_models(
    d_model: int = 16, path: Path | None = None, steps: int = FULL.steps
) -> dict[int, TwoRuleModel]:
    """The stored seed-0 models of width ``d_model`` trained ``steps`` steps, h → model."""
    stored = stored_models(path, steps)
    widths = sorted({d for d, _ in stored})
    if d_model not in widths:
        raise ValueError(f"d_model={d_model} has no stored models; choose d_model from {widths}")
    return {h: model for (d, h), model in stored.items() if d == d_model}


# --------------------------------------------------------------------------- the script


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run the head-count sweep; store tables and models."
    )
    parser.add_argument("--full", action="store_true", help="every h dividing d_model, 5 seeds")
    parser.add_argument("--d-model", type=int, default=16)
    parser.add_argument("--heads", type=int, nargs="*", help="head counts (default: all valid)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1")
    parser.add_argument("--quick", action="store_true", help="the tiny test budget")
    parser.add_argument("--steps", type=int, help=f"train this many steps instead of {FULL.steps}")
    parser.add_argument(
        "--layer", choices=LAYERS, default="attention", help="the model's one layer"
    )
    parser.add_argument("--out", type=Path, help="write the table here (JSON)")
    parser.add_argument(
        "--grid", action="store_true", help=f"seed-0 models of d_model {GRID_WIDTHS}"
    )
    parser.add_argument(
        "--models-out", type=Path, help="write the --grid models here (safetensors)"
    )
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else FULL
    if args.steps is not None:
        budget = replace(budget, steps=args.steps)
    start = time.perf_counter()
    if args.grid:
        if args.models_out is None:
            parser.error("--grid needs --models-out PATH")
        trained = {
            (d, h, n): train_model(d, h, 0, budget=replace(budget, steps=n))[0]
            for d, h, n in grid()
        }
        save_models(trained, args.models_out)
        print(f"{len(trained)} models in {time.perf_counter() - start:.1f} s -> {args.models_out}")
        return 0
    heads = args.heads or valid_heads(args.d_model)
    seeds = range(5 if args.full else args.seeds)
    rows = head_sweep(args.d_model, heads, seeds, budget=budget, layer=args.layer)
    for row in rows:
        print(" ".join(f"{k}={v}" for k, v in row.items()))
    for s in summarize(rows):
        print(
            f"h={s['h']:2d} d_k={s['d_k']:2d}  "
            f"accuracy {s['mean']:.3f} ± {s['std']:.3f}  (n={s['n']})"
        )
    print(f"{len(rows)} models in {time.perf_counter() - start:.1f} s")
    if args.out is not None:
        command = "python -m helpers.tasks.sweep " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        table = {"command": command, "d_model": args.d_model, "layer": args.layer,
                 "settings": asdict(budget), "rows": rows}  # fmt: skip
        args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

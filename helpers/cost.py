"""What one multi-head self-attention layer costs: formulas in n, d_model and h, and measurements.

For a sequence of ``n`` tokens of width ``d_model`` split into ``h`` heads of ``d_k = d_model / h``:

- parameters: four ``d_model × d_model`` matrices W_Q, W_K, W_V, W_O (+ four ``d_model`` biases);
- multiply-adds: the projections ``4·n·d_model²`` (Q, K, V and O), the scores ``QKᵀ``
  ``h·n²·d_k = n²·d_model`` and the weighted sum ``AV`` another ``n²·d_model``;
- attention-weight memory: ``h·n²`` numbers per sequence (one ``n × n`` map per head).

A multiply-add is two floating point operations, the convention ``torch.utils.flop_counter``
uses, so ``flops = 2 · multiply-adds``. Only the matrix products are counted: softmax, the
``/√d_k`` and the bias additions are ``O(h·n²)`` and ``O(n·d_model)`` element-wise steps.

:func:`measure` runs :class:`helpers.attention.MultiHeadSelfAttention` under
``FlopCounterMode`` (on torch's shape-only ``meta`` device by default, so even a
5120-wide layer costs nothing to count) to check the formulas; :func:`median_seconds`
and :func:`sweep` time it on this machine.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.utils.benchmark import Timer
from torch.utils.flop_counter import FlopCounterMode

from helpers.attention import MultiHeadSelfAttention, check_heads
from helpers.checks import whole_number

__all__ = [
    "BYTES_FLOAT32",
    "PROJECTIONS",
    "SCORES",
    "WEIGHTED_SUM",
    "ATTENTION",
    "AttentionCost",
    "Measured",
    "Sweep",
    "parameter_count",
    "multiply_adds",
    "attention_weight_elements",
    "attention_cost",
    "measure",
    "devices",
    "median_seconds",
    "sweep",
    "loglog_slope",
]

BYTES_FLOAT32 = 4
PROJECTIONS = "projections"
SCORES = "scores QKᵀ"
WEIGHTED_SUM = "weighted sum AV"
ATTENTION = "attention QKᵀ + AV"


# --------------------------------------------------------------------------- checks


def _check(n: int, d_model: int, h: int, batch: int = 1) -> int:
    """Check the sizes of a cost question; return ``d_k``."""
    whole_number("n", n, hint="the number of tokens in a sequence, e.g. 32")
    whole_number("batch", batch, hint="the number of sequences, e.g. 1")
    return check_heads(d_model, h)


# --------------------------------------------------------------------------- formulas


def parameter_count(d_model: int, h: int, bias: bool = True) -> int:
    """Learned numbers in W_Q, W_K, W_V, W_O: ``4·d_model² (+ 4·d_model biases)``; no h in it."""
    check_heads(d_model, h)
    weights = 4 * d_model * d_model  # W_Q, W_K, W_V, W_O: d_model × d_model each
    biases = 4 * d_model if bias else 0  # one d_model vector per projection
    return weights + biases


def multiply_adds(n: int, d_model: int, h: int, batch: int = 1) -> dict[str, int]:
    """Multiply-adds of one forward pass, by term: projections, scores and weighted sum."""
    d_k = _check(n, d_model, h, batch)
    projections = 4 * n * d_model * d_model  # x W_Q, x W_K, x W_V, z W_O: (n, d) @ (d, d) each
    scores = h * n * n * d_k  # per head (n, d_k) @ (d_k, n): n²·d_model in all
    weighted_sum = h * n * n * d_k  # per head (n, n) @ (n, d_k): n²·d_model in all
    return {
        PROJECTIONS: batch * projections,
        SCORES: batch * scores,
        WEIGHTED_SUM: batch * weighted_sum,
    }


def attention_weight_elements(n: int, d_model: int, h: int, batch: int = 1) -> int:
    """Numbers in the attention weights ``[batch, h, n, n]``: ``h·n²`` per sequence."""
    _check(n, d_model, h, batch)
    return batch * h * n * n


@dataclass(frozen=True)
class AttentionCost:
    """Every formula for one setting ``(n, d_model, h)``, for ``batch`` sequences."""

    n: int
    d_model: int
    h: int
    batch: int = 1
    bias: bool = True
    bytes_per_element: int = BYTES_FLOAT32
    parameters: int = field(init=False)
    macs: dict[str, int] = field(init=False)
    weight_elements: int = field(init=False)

    def __post_init__(self):
        whole_number(
            "bytes_per_element", self.bytes_per_element, hint="4 for float32, 2 for float16"
        )
        set_ = object.__setattr__  # frozen: fill the derived fields once
        set_(self, "parameters", parameter_count(self.d_model, self.h, self.bias))
        set_(self, "macs", multiply_adds(self.n, self.d_model, self.h, self.batch))
        set_(
            self,
            "weight_elements",
            attention_weight_elements(self.n, self.d_model, self.h, self.batch),
        )

    @property
    def d_k(self) -> int:
        return self.d_model // self.h

    @property
    def total_macs(self) -> int:
        return sum(self.macs.values())

    @property
    def attention_macs(self) -> int:
        """The two n²·d terms together (what the paper's Table 1 counts)."""
        return self.macs[SCORES] + self.macs[WEIGHTED_SUM]

    @property
    def flops(self) -> int:
        """Floating point operations as torch's FlopCounterMode counts them: 2 per multiply-add."""
        return 2 * self.total_macs

    @property
    def weight_bytes(self) -> int:
        return self.weight_elements * self.bytes_per_element

    @property
    def parameter_bytes(self) -> int:
        return self.parameters * self.bytes_per_element

    @property
    def dominant(self) -> str:
        """Which term is larger: the projections (n < 2·d_model) or attention (n > 2·d_model)."""
        return PROJECTIONS if self.macs[PROJECTIONS] >= self.attention_macs else ATTENTION


def attention_cost(
    n: int,
    d_model: int,
    h: int,
    *,
    batch: int = 1,
    bias: bool = True,
    bytes_per_element: int = BYTES_FLOAT32,
) -> AttentionCost:
    """The formulas for one setting; raises ValueError for sizes that cannot work."""
    return AttentionCost(n, d_model, h, batch, bias, bytes_per_element)


# --------------------------------------------------------------------------- measured


@dataclass(frozen=True)
class Measured:
    """What torch itself reports for one forward pass of MultiHeadSelfAttention."""

    parameters: int
    flops_projections: int
    flops_attention: int
    weights_shape: list[int]
    weight_elements: int
    weight_bytes: int

    @property
    def flops(self) -> int:
        return self.flops_projections + self.flops_attention


def measure(
    n: int, d_model: int, h: int, *, batch: int = 1, bias: bool = True, device: str = "meta"
) -> Measured:
    """Count parameters, FLOPs (``FlopCounterMode``) and attention-weight size of one forward.

    On the ``meta`` device torch runs the same layer code on shapes only: nothing is
    computed or allocated, so a 5120-wide layer is counted at once. FLOPs inside the
    W_Q/W_K/W_V/W_O modules are the projections; the rest is QKᵀ and AV.
    """
    _check(n, d_model, h, batch)
    with torch.device(device):
        layer = MultiHeadSelfAttention(d_model, h, bias=bias)
        x = torch.randn(batch, n, d_model)  # (B, T, d_model)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        _, weights = layer(x)  # weights: (B, h, T, T)
    total = counter.get_total_flops()
    counts = counter.get_flop_counts()
    projections = sum(
        sum(counts.get(f"{type(layer).__name__}.{name}", {}).values())
        for name in ("W_Q", "W_K", "W_V", "W_O")
    )
    return Measured(
        parameters=sum(p.numel() for p in layer.parameters()),
        flops_projections=projections,
        flops_attention=total - projections,
        weights_shape=list(weights.shape),
        weight_elements=weights.numel(),
        weight_bytes=weights.numel() * weights.element_size(),
    )


# --------------------------------------------------------------------------- timed


def devices() -> list[str]:
    """Where this machine can time: always ``"cpu"``, plus ``"cuda"`` when a GPU is present."""
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def median_seconds(
    fns: Callable[[], object] | dict[str, Callable[[], object]],
    *,
    repeats: int = 7,
    min_run_time: float = 0.01,
    threads: int = 1,
) -> float | dict[str, float]:
    """Median seconds of one ``fn()`` call, measured by ``torch.utils.benchmark.Timer``.

    Each of ``repeats`` rounds takes one ``blocked_autorange`` sample (it repeats a fast
    ``fn`` until a block lasts ``min_run_time`` and divides by the calls; it synchronises a
    GPU). Given a dict of functions, the rounds take turns over them and a dict comes back,
    so a burst of load elsewhere hits every function alike. ``threads=1`` (the default)
    times torch on one CPU thread, which measures the arithmetic rather than threads waiting
    for each other.
    """
    whole_number("repeats", repeats, hint="e.g. 7")
    whole_number("threads", threads, hint="e.g. 1")
    named = fns if isinstance(fns, dict) else {"": fns}
    timers = {
        name: Timer(stmt="fn()", globals={"fn": fn}, num_threads=threads)
        for name, fn in named.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in named}
    for _ in range(repeats):
        for name, timer in timers.items():
            samples[name].append(timer.blocked_autorange(min_run_time=min_run_time).median)
    medians = {name: statistics.median(s) for name, s in samples.items()}
    return medians if isinstance(fns, dict) else medians[""]


def _forward(n: int, d_model: int, h: int, batch: int, device: str) -> Callable[[], object]:
    """A forward pass of a new ``MultiHeadSelfAttention(d_model, h)`` on ``[batch, n, d_model]``."""
    _check(n, d_model, h, batch)
    layer = MultiHeadSelfAttention(d_model, h).to(device).eval()
    x = torch.randn(batch, n, d_model, device=device)  # (B, T, d_model)

    def forward():
        with torch.inference_mode():
            return layer(x)

    return forward


@dataclass(frozen=True)
class Sweep:
    """Timings of the layer while one size (``"n"`` or ``"d_model"``) grows, the others fixed."""

    vary: str
    values: list[int]
    seconds: list[float]
    flops: list[int]
    fixed: dict[str, int]
    device: str = "cpu"

    @property
    def label(self) -> str:
        """E.g. ``"time vs n (d_model = 64, h = 1)"``."""
        fixed = ", ".join(
            f"{k} = {v}" for k, v in self.fixed.items() if not (k == "batch" and v == 1)
        )
        return f"time vs {self.vary} ({fixed})"

    @property
    def slope(self) -> float:
        """Measured: the exponent p in time ∝ size^p, fitted on log-log axes."""
        return loglog_slope(self.values, self.seconds)

    @property
    def formula_slope(self) -> float:
        """What the FLOP formula predicts over the same sizes."""
        return loglog_slope(self.values, self.flops)


def sweep(
    vary: str,
    values: list[int],
    *,
    n: int = 32,
    d_model: int = 64,
    h: int = 1,
    batch: int = 1,
    device: str = "cpu",
    repeats: int = 7,
    threads: int = 1,
) -> Sweep:
    """Time the layer for each value of ``vary`` (``"n"`` or ``"d_model"``), other sizes fixed."""
    if vary not in ("n", "d_model"):
        raise ValueError(f"vary={vary!r} must be 'n' or 'd_model'")
    if len(values) < 2:
        raise ValueError(f"values={values!r}: a slope needs at least two sizes")
    sizes = [dict(n=n, d_model=d_model, h=h) | {vary: v} for v in values]
    forwards = {
        f"{vary}={v}": _forward(**s, batch=batch, device=device)
        for v, s in zip(values, sizes, strict=True)
    }
    timed = median_seconds(forwards, repeats=repeats, threads=threads)
    seconds = [timed[f"{vary}={v}"] for v in values]
    flops = [attention_cost(**size, batch=batch).flops for size in sizes]
    fixed = {k: v for k, v in dict(n=n, d_model=d_model, h=h, batch=batch).items() if k != vary}
    return Sweep(vary, list(values), seconds, flops, fixed, device)


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x): p in y ∝ x^p."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError(
            f"need two equally long lists of at least 2 values, got {len(xs)} and {len(ys)}"
        )
    if min(xs) <= 0 or min(ys) <= 0:
        raise ValueError("log-log slopes need positive values")
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])

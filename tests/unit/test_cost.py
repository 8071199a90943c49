"""helpers.cost: the formulas against torch's own counts, the timing tools, errors."""

import math

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from helpers.attention import MultiHeadSelfAttention
from helpers.cost import (
    PROJECTIONS,
    SCORES,
    WEIGHTED_SUM,
    attention_cost,
    attention_weight_elements,
    loglog_slope,
    measure,
    median_seconds,
    multiply_adds,
    parameter_count,
    sweep,
)

SETTINGS = [  # (n, d_model, h, batch): h = 1, h = d_model, odd sizes, batches
    (4, 16, 8, 3),
    (4, 16, 1, 1),
    (4, 16, 16, 2),
    (1, 8, 2, 1),
    (7, 12, 3, 2),
    (9, 18, 6, 1),
    (32, 64, 8, 2),
    (5, 30, 5, 4),
]


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("d_model, h", [(16, 8), (16, 1), (12, 3), (64, 8), (512, 8), (768, 12)])
@pytest.mark.parametrize("bias", [True, False])
def test_parameter_count_equals_torch_exactly(d_model, h, bias):
    with torch.device("meta"):
        ours = MultiHeadSelfAttention(d_model, h, bias=bias)
        theirs = nn.MultiheadAttention(d_model, h, bias=bias)
    expected = parameter_count(d_model, h, bias)
    assert expected == sum(p.numel() for p in ours.parameters())
    assert expected == sum(p.numel() for p in theirs.parameters())
    assert expected == 4 * d_model * d_model + (4 * d_model if bias else 0)


def test_parameter_count_does_not_depend_on_h():
    assert len({parameter_count(512, h) for h in (1, 2, 4, 8, 16, 64, 512)}) == 1


# --------------------------------------------------------------------------- FLOPs


@pytest.mark.parametrize("n, d_model, h, batch", SETTINGS)
def test_flops_equal_flop_counter_on_cpu(n, d_model, h, batch):
    torch.manual_seed(0)
    layer = MultiHeadSelfAttention(d_model, h)
    x = torch.randn(batch, n, d_model)
    with FlopCounterMode(display=False) as counter:
        layer(x)
    cost = attention_cost(n, d_model, h, batch=batch)
    assert counter.get_total_flops() == cost.flops == 2 * cost.total_macs
    assert cost.total_macs == batch * (4 * n * d_model**2 + 2 * n * n * d_model)


@pytest.mark.parametrize("n, d_model, h, batch", SETTINGS + [(80, 5120, 8, 1), (2048, 512, 8, 2)])
def test_measure_splits_projections_and_attention(n, d_model, h, batch):
    cost = attention_cost(n, d_model, h, batch=batch)
    seen = measure(n, d_model, h, batch=batch)  # meta device
    assert seen.flops_projections == 2 * cost.macs[PROJECTIONS]
    assert seen.flops_attention == 2 * (cost.macs[SCORES] + cost.macs[WEIGHTED_SUM])
    assert seen.flops == cost.flops
    assert seen.parameters == cost.parameters
    assert seen.weights_shape == [batch, h, n, n]
    assert seen.weight_elements == cost.weight_elements == batch * h * n * n
    assert seen.weight_bytes == cost.weight_bytes == 4 * batch * h * n * n


def test_measure_on_cpu_equals_meta():
    assert measure(12, 48, 4, batch=2, device="cpu") == measure(12, 48, 4, batch=2, device="meta")


def test_measure_without_bias():
    assert (
        measure(6, 16, 4, bias=False).parameters
        == parameter_count(16, 4, bias=False)
        == 4 * 16 * 16
    )


def test_flops_do_not_depend_on_h_but_weight_memory_does():
    flops = {h: measure(64, 256, h).flops for h in (1, 2, 4, 8, 16, 32)}
    memory = {h: measure(64, 256, h).weight_elements for h in (1, 2, 4, 8, 16, 32)}
    assert len(set(flops.values())) == 1
    assert all(memory[h] == h * 64 * 64 for h in memory)


def test_multiply_adds_terms():
    macs = multiply_adds(32, 512, 8)
    assert macs == {
        PROJECTIONS: 4 * 32 * 512**2,
        SCORES: 32 * 32 * 512,
        WEIGHTED_SUM: 32 * 32 * 512,
    }
    assert multiply_adds(32, 512, 8, batch=3) == {k: 3 * v for k, v in macs.items()}
    assert attention_weight_elements(32, 512, 8, batch=2) == 2 * 8 * 32 * 32


def test_text_vs_video():
    text, video = attention_cost(32, 512, 8), attention_cost(80, 5120, 8)
    assert video.total_macs / text.total_macs == pytest.approx(244.318, abs=1e-3)
    assert video.macs[PROJECTIONS] / text.macs[PROJECTIONS] == 250
    assert video.attention_macs / text.attention_macs == 62.5
    assert video.weight_elements / text.weight_elements == 6.25
    assert text.dominant == video.dominant == PROJECTIONS


def test_dominant_term_switches_at_n_equals_2_d_model():
    assert attention_cost(1024, 512, 8).dominant == PROJECTIONS  # a tie counts as projections
    assert attention_cost(1025, 512, 8).dominant != PROJECTIONS
    assert (
        attention_cost(1025, 512, 8).attention_macs > attention_cost(1025, 512, 8).macs[PROJECTIONS]
    )


def test_bytes_per_element():
    half = attention_cost(10, 16, 4, bytes_per_element=2)
    assert half.weight_bytes == 2 * 4 * 100
    assert half.parameter_bytes == 2 * half.parameters


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "n, d_model, h, match",
    [
        (0, 16, 8, r"n=0 must be a whole number >= 1"),
        (-3, 16, 8, r"n=-3"),
        (2.5, 16, 8, r"n=2.5"),
        (True, 16, 8, r"n=True"),
        (4, 18, 8, r"d_model=18 is not divisible by h=8; choose h from 1, 2, 3, 6, 9, 18"),
        (4, 0, 1, r"d_model=0 must be"),
        (4, 16, 0, r"h=0 must be"),
    ],
)
def test_bad_sizes_raise_clear_errors(n, d_model, h, match):
    with pytest.raises(ValueError, match=match):
        attention_cost(n, d_model, h)
    with pytest.raises(ValueError, match=match):
        measure(n, d_model, h)


def test_other_bad_inputs():
    with pytest.raises(ValueError, match="batch=0"):
        multiply_adds(4, 16, 8, batch=0)
    with pytest.raises(ValueError, match="d_model=18 is not divisible by h=4"):
        parameter_count(18, 4)
    with pytest.raises(ValueError, match="bytes_per_element=0"):
        attention_cost(4, 16, 8, bytes_per_element=0)
    with pytest.raises(ValueError, match="vary='h' must be 'n' or 'd_model'"):
        sweep("h", [1, 2])
    with pytest.raises(ValueError, match="at least two sizes"):
        sweep("n", [8])
    with pytest.raises(ValueError, match="repeats=0"):
        median_seconds(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="positive"):
        loglog_slope([1, 2], [0, 1])
    with pytest.raises(ValueError, match="equally long"):
        loglog_slope([1, 2, 3], [1, 2])


# --------------------------------------------------------------------------- timing


def test_loglog_slope_recovers_exponents():
    xs = [2, 4, 8, 16, 32]
    assert loglog_slope(xs, [3 * x**2 for x in xs]) == pytest.approx(2.0)
    assert loglog_slope(xs, [0.5 * x for x in xs]) == pytest.approx(1.0)
    assert loglog_slope(xs, [7.0] * 5) == pytest.approx(0.0)


def test_median_seconds_single_and_interleaved_on_one_thread_then_restores():
    threads = torch.get_num_threads()
    seen = []
    one = median_seconds(
        lambda: seen.append(("a", torch.get_num_threads())), repeats=3, min_run_time=0.001
    )
    assert isinstance(one, float) and 0 < one < 0.001  # a list append takes far less than 1 ms
    assert {t for _, t in seen} == {1}, "timed on one CPU thread"
    seen.clear()
    many = median_seconds(
        {"a": lambda: seen.append("a"), "b": lambda: seen.append("b")},
        repeats=2,
        min_run_time=0.001,
    )
    assert set(many) == {"a", "b"}
    changes = sum(x != y for x, y in zip(seen, seen[1:], strict=False))
    assert changes >= 3, "the rounds take turns over the functions: a, b, a, b"
    assert torch.get_num_threads() == threads


def test_median_is_the_median_of_the_rounds(monkeypatch):
    """One slow round (a burst of load elsewhere) does not move the result."""
    import types

    import helpers.cost

    rounds = iter([1.0, 1.0, 9.0, 1.0, 1.0])

    class OneSamplePerRound:
        def __init__(self, **kw):
            pass

        def blocked_autorange(self, min_run_time):
            return types.SimpleNamespace(median=next(rounds))

    monkeypatch.setattr(helpers.cost, "Timer", OneSamplePerRound)
    assert median_seconds(lambda: None, repeats=5) == 1.0


def test_sweep_times_each_size_and_fits_slopes():
    s = sweep("d_model", [16, 32, 64], n=8, h=4, repeats=2)
    assert s.values == [16, 32, 64] and len(s.seconds) == 3 and all(t > 0 for t in s.seconds)
    assert s.fixed == {"n": 8, "h": 4, "batch": 1}
    assert s.flops == [attention_cost(8, d, 4).flops for d in (16, 32, 64)]
    assert s.label == "time vs d_model (n = 8, h = 4)"
    assert math.isfinite(s.slope)
    assert s.formula_slope == pytest.approx(loglog_slope(s.values, s.flops))

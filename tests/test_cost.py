"""helpers.cost: the formulas against torch's own counts, the timing tools, the figures, errors."""

import math

import plotly.graph_objects as go
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from helpers.attention import MultiHeadSelfAttention
from helpers.cost import (
    PROJECTIONS,
    SCORES,
    WEIGHTED_SUM,
    Sweep,
    attention_cost,
    attention_weight_elements,
    devices,
    loglog_slope,
    measure,
    median_seconds,
    multiply_adds,
    parameter_count,
    sweep,
    time_layer,
)
from helpers.figures.cost import (
    cost_breakdown_figure,
    implementations_figure,
    scale_comparison_figure,
    si,
    timing_figure,
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
    assert measure(6, 16, 4, bias=False).parameters == parameter_count(16, 4, bias=False) == 4 * 16 * 16


def test_flops_do_not_depend_on_h_but_weight_memory_does():
    flops = {h: measure(64, 256, h).flops for h in (1, 2, 4, 8, 16, 32)}
    memory = {h: measure(64, 256, h).weight_elements for h in (1, 2, 4, 8, 16, 32)}
    assert len(set(flops.values())) == 1
    assert all(memory[h] == h * 64 * 64 for h in memory)


def test_multiply_adds_terms():
    macs = multiply_adds(32, 512, 8)
    assert macs == {PROJECTIONS: 4 * 32 * 512**2, SCORES: 32 * 32 * 512, WEIGHTED_SUM: 32 * 32 * 512}
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
    assert attention_cost(1025, 512, 8).attention_macs > attention_cost(1025, 512, 8).macs[PROJECTIONS]


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


def test_median_seconds_single_and_interleaved_and_restores_threads():
    threads = torch.get_num_threads()
    calls = []
    one = median_seconds(lambda: calls.append("a"), repeats=3, warmup=1, min_sample=0)
    assert isinstance(one, float) and one >= 0
    assert calls == ["a"] * 5  # warmup, one call to size the samples, 3 samples
    calls.clear()
    many = median_seconds(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=2, warmup=0, min_sample=0
    )
    assert set(many) == {"a", "b"}
    assert calls == ["a", "b", "a", "b", "a", "b"]  # sizing, then interleaved rounds
    assert torch.get_num_threads() == threads


def test_fast_calls_are_repeated_within_a_sample():
    calls = []
    median_seconds(lambda: calls.append(1), repeats=3, warmup=0, min_sample=0.001)
    assert len(calls) > 3 * 10  # a list append takes far less than 0.1 ms


def test_median_is_the_median():
    import time

    sleeps = iter([0.0, 0.0, 0.0, 0.03, 0.0, 0.0])  # sizing call, then one slow sample of five
    seconds = median_seconds(lambda: time.sleep(next(sleeps)), repeats=5, warmup=0, min_sample=0)
    assert seconds < 0.02


def test_devices_always_has_cpu():
    assert devices()[0] == "cpu"
    assert ("cuda" in devices()) == torch.cuda.is_available()


def test_time_layer_and_sweep_shapes():
    assert time_layer(8, 16, 4, repeats=2) > 0
    s = sweep("d_model", [16, 32, 64], n=8, h=4, repeats=2)
    assert s.values == [16, 32, 64] and len(s.seconds) == 3 and all(t > 0 for t in s.seconds)
    assert s.fixed == {"n": 8, "h": 4, "batch": 1}
    assert s.flops == [attention_cost(8, d, 4).flops for d in (16, 32, 64)]
    assert s.label == "time vs d_model (n = 8, h = 4)"
    assert math.isfinite(s.slope)
    assert s.formula_slope == pytest.approx(loglog_slope(s.values, s.flops))


# --------------------------------------------------------------------------- figures


def test_si():
    assert si(1_050_624) == "1.05 M"
    assert si(8_454_144_000) == "8.45 G"
    assert si(32_768, "B") == "32.8 KB"
    assert si(512) == "512"


def test_cost_breakdown_figure_shows_the_formulas():
    cost = attention_cost(32, 512, 8)
    fig = cost_breakdown_figure(cost)
    assert isinstance(fig, go.Figure)
    assert list(fig.data[0].x) == [PROJECTIONS, SCORES, WEIGHTED_SUM]
    assert list(fig.data[0].y) == list(cost.macs.values())
    assert list(fig.data[1].y) == [cost.parameter_bytes, cost.weight_bytes]
    assert "projections dominate" in fig.layout.title.text
    assert "h = 8" in fig.layout.title.text


def test_scale_comparison_figure_annotates_ratios():
    fig = scale_comparison_figure({"text": attention_cost(32, 512, 8), "video": attention_cost(80, 5120, 8)})
    assert len(fig.data) == 2
    ratios = [a.text for a in fig.layout.annotations]
    assert ratios == ["<b>× 250</b>", "<b>× 62.5</b>", "<b>× 6.25</b>", "<b>× 99.8</b>"]
    with pytest.raises(ValueError, match="at least two"):
        scale_comparison_figure({"text": attention_cost(32, 512, 8)})


def test_timing_figure_one_panel_per_setting_and_devices_overlaid():
    flops = [attention_cost(n, 64, 1).flops for n in (8, 16, 32)]
    cpu = Sweep("n", [8, 16, 32], [1e-4, 4e-4, 1.6e-3], flops, {"d_model": 64, "h": 1, "batch": 1}, "cpu")
    gpu = Sweep("n", [8, 16, 32], [1e-5, 2e-5, 4e-5], flops, {"d_model": 64, "h": 1, "batch": 1}, "cuda")
    other = Sweep("d_model", [16, 32], [1e-4, 4e-4], [1, 4], {"n": 8, "h": 1, "batch": 1}, "cpu")
    fig = timing_figure([cpu, gpu, other])
    names = [t.name for t in fig.data]
    assert names[0] == "cpu: measured slope 2.00" and names[1] == "cuda: measured slope 1.00"
    assert sum("FLOP formula" in n for n in names) == 2
    assert [a.text for a in fig.layout.annotations] == [cpu.label, other.label]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert list(fig.layout.xaxis.tickvals) == [8, 16, 32]  # the measured sizes, not 2-3-4-5… minor ticks
    assert set(fig.layout.yaxis.tickvals) <= {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0}
    with pytest.raises(ValueError):
        timing_figure([])


def test_implementations_figure():
    fig = implementations_figure({"ours": 0.002, "torch": 0.001})
    assert list(fig.data[0].y) == ["ours", "torch"]
    assert list(fig.data[0].text) == ["1.00 × ours", "0.50 × ours"]
    fig = implementations_figure({"a": 1.0, "b": 2.0, "c": 3.0, "d": 1.5}, compare_with={"d": "c"})
    assert list(fig.data[0].text) == ["1.00 × a", "2.00 × a", "3.00 × a", "0.50 × c"]
    with pytest.raises(ValueError):
        implementations_figure({})

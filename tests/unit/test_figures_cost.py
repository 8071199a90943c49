"""helpers.figures.cost: the cost breakdown, text vs video, time vs size, implementations."""

import plotly.graph_objects as go
import pytest

from helpers.cost import PROJECTIONS, SCORES, WEIGHTED_SUM, Sweep, attention_cost
from helpers.figures.cost import (
    cost_breakdown_figure,
    implementations_figure,
    scale_comparison_figure,
    si,
    term_share_figure,
    timing_figure,
)


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
    fig = scale_comparison_figure(
        {"text": attention_cost(32, 512, 8), "video": attention_cost(80, 5120, 8)}
    )
    assert len(fig.data) == 2
    ratios = [a.text for a in fig.layout.annotations]
    assert ratios == ["<b>× 250</b>", "<b>× 62.5</b>", "<b>× 6.25</b>", "<b>× 99.8</b>"]
    with pytest.raises(ValueError, match="at least two"):
        scale_comparison_figure({"text": attention_cost(32, 512, 8)})


def test_timing_figure_one_panel_per_setting_and_devices_overlaid():
    flops = [attention_cost(n, 64, 1).flops for n in (8, 16, 32)]
    cpu = Sweep(
        "n", [8, 16, 32], [1e-4, 4e-4, 1.6e-3], flops, {"d_model": 64, "h": 1, "batch": 1}, "cpu"
    )
    gpu = Sweep(
        "n", [8, 16, 32], [1e-5, 2e-5, 4e-5], flops, {"d_model": 64, "h": 1, "batch": 1}, "cuda"
    )
    other = Sweep("d_model", [16, 32], [1e-4, 4e-4], [1, 4], {"n": 8, "h": 1, "batch": 1}, "cpu")
    fig = timing_figure([cpu, gpu, other])
    names = [t.name for t in fig.data]
    assert names[0] == "cpu: measured slope 2.00" and names[1] == "cuda: measured slope 1.00"
    assert sum("FLOP formula" in n for n in names) == 2
    assert [a.text for a in fig.layout.annotations] == [cpu.label, other.label]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert list(fig.layout.xaxis.tickvals) == [
        8,
        16,
        32,
    ]  # the measured sizes, not 2-3-4-5… minor ticks
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


def test_term_share_figure_crosses_50_percent_at_n_equal_2_d_model():
    curves = {d: [attention_cost(n, d, 8) for n in (64, 2 * d, 8 * d)] for d in (512, 5120)}
    fig = term_share_figure(curves, marks={"video": attention_cost(80, 5120, 8)})
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines] == ["d_model = 512", "d_model = 5120"]
    assert [t.y[1] for t in lines] == [50.0, 50.0]  # at n = 2·d_model the two terms are equal
    assert lines[0].y[0] > 50 > lines[0].y[2]
    assert [s.x0 for s in fig.layout.shapes if s.x0 is not None and s.x0 > 1] == [1024, 10240]
    video = [t for t in fig.data if t.mode == "markers"][0]
    assert video.name == "video: n = 80, d_model = 5120, 99.2 %"
    assert video.showlegend is not False  # named in the legend
    with pytest.raises(ValueError, match=r"curves\[512\] must hold costs with d_model = 512"):
        term_share_figure({512: [attention_cost(64, 256, 8)]})

"""What attention costs, drawn: the cost breakdown of one setting, text vs video, time vs size."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from helpers.cost import PROJECTIONS, SCORES, WEIGHTED_SUM, AttentionCost, Sweep
from helpers.figures.style import base_layout, color, panels, styled

__all__ = [
    "si",
    "cost_breakdown_figure",
    "scale_comparison_figure",
    "term_share_figure",
    "timing_figure",
    "implementations_figure",
]

FORMULA = {  # hover text: the formula behind each bar
    PROJECTIONS: "4·n·d_model²  (x W_Q, x W_K, x W_V, z W_O)",
    SCORES: "h·n²·d_k = n²·d_model",
    WEIGHTED_SUM: "h·n²·d_k = n²·d_model",
    "parameters": "4·d_model² weights + 4·d_model biases",
    "attention weights": "h·n² numbers per sequence",
}


def si(x: float, unit: str = "") -> str:
    """A count in a short readable form: 1.05 M, 8.45 G, 32.8 KB (powers of 1000)."""
    for power, prefix in ((12, "T"), (9, "G"), (6, "M"), (3, "k" if not unit else "K")):
        if abs(x) >= 10**power:
            return f"{x / 10**power:.3g} {prefix}{unit}"
    return f"{x:.3g} {unit}".rstrip()


def cost_breakdown_figure(cost: AttentionCost) -> go.Figure:
    """Two panels for one setting: multiply-adds by term, and memory (parameters, weights).

    Built as one plain layout rather than with ``make_subplots``: it sits behind the cost
    explorer's sliders, and ``make_subplots`` alone took longer than the 30 ms a redraw may take.
    """
    names = list(cost.macs)
    memory = {"parameters": cost.parameter_bytes, "attention weights": cost.weight_bytes}
    elements = {"parameters": cost.parameters, "attention weights": cost.weight_elements}
    compute = go.Bar(
        x=names,
        y=list(cost.macs.values()),
        marker_color=[color(i) for i in range(len(names))],
        text=[si(v) for v in cost.macs.values()],
        textposition="outside",
        customdata=[FORMULA[k] for k in names],
        name="multiply-adds",
        showlegend=False,
        hovertemplate="%{x}: %{y:,} multiply-adds<br>%{customdata}<extra></extra>",
        xaxis="x",
        yaxis="y",
    )
    stored = go.Bar(
        x=list(memory),
        y=list(memory.values()),
        marker_color=[color(4), color(3)],
        text=[si(v, "B") for v in memory.values()],
        textposition="outside",
        customdata=[[f"{elements[k]:,}", FORMULA[k]] for k in memory],
        name="bytes",
        showlegend=False,
        hovertemplate="%{x}: %{y:,} bytes = %{customdata[0]} numbers<br>%{customdata[1]}"
        "<extra></extra>",
        xaxis="x2",
        yaxis="y2",
    )
    title = (
        f"n = {cost.n}, d_model = {cost.d_model}, h = {cost.h} (d_k = {cost.d_k})"
        + (f", batch = {cost.batch}" if cost.batch > 1 else "")
        + f": {cost.dominant} dominate"
    )
    # margins: where the tick labels push them (1.2G, 600M, …); room above the tallest bar
    layout = base_layout(title, height=400, margin=dict(l=72, t=90))
    grid = panels(
        1,
        2,
        [
            f"compute: {si(cost.total_macs)} multiply-adds",
            f"memory ({cost.bytes_per_element} bytes per number)",
        ],
        h_gap=0.12,
        col_widths=[0.6, 0.4],
        title_size=16,
    )
    grid["yaxis"] |= dict(
        title="multiply-adds", range=[0, 1.2 * max(cost.macs.values())], exponentformat="SI"
    )
    grid["yaxis2"] |= dict(
        title="bytes", range=[0, 1.2 * max(memory.values())], exponentformat="SI"
    )
    # room above the tallest bar for its label (the ranges); ticks 1G like the labels (not 1B)
    layout.update(grid)
    return go.Figure(data=[compute, stored], layout=layout)


def scale_comparison_figure(costs: dict[str, AttentionCost]) -> go.Figure:
    """Grouped bars on a log axis, one group per quantity, one colour per case (e.g. text, video).

    Above each group: how many times the last case needs compared with the first.
    """
    if len(costs) < 2:
        raise ValueError(f"compare at least two settings, got {list(costs)}")
    quantities = {
        "multiply-adds:<br>projections": lambda c: c.macs[PROJECTIONS],
        "multiply-adds:<br>QKᵀ + AV": lambda c: c.attention_macs,
        "attention weights<br>(numbers)": lambda c: c.weight_elements,
        "parameters": lambda c: c.parameters,
    }
    fig = go.Figure()
    for i, (name, cost) in enumerate(costs.items()):
        values = [f(cost) for f in quantities.values()]
        fig.add_trace(
            go.Bar(
                name=f"{name}: n = {cost.n}, d_model = {cost.d_model}, h = {cost.h}",
                x=list(quantities),
                y=values,
                marker_color=color(i),
                text=[si(v) for v in values],
                textposition="outside",
                hovertemplate=f"{name}<br>%{{x}}: %{{y:,}}<extra></extra>",
            )
        )
    first, last = list(costs.values())[0], list(costs.values())[-1]
    top = max(f(c) for c in costs.values() for f in quantities.values())
    for label, f in quantities.items():
        fig.add_annotation(
            x=label,
            y=math.log10(top) + 1.0,
            showarrow=False,
            font=dict(size=14),
            text=f"<b>× {f(last) / f(first):.3g}</b>",
        )
    fig.update_yaxes(
        type="log", title="count (log scale)", range=[3, math.log10(top) + 1.3], exponentformat="SI"
    )  # 1G, like the bars (plotly default: 1B)
    names = list(costs)
    styled(fig, f"{names[-1]} vs {names[0]}: how many times more", height=460)
    return fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.18))


PROJECTIONS_WIN = "▲ the projections, 4·n·d², dominate"
ATTENTION_WIN = "▼ QKᵀ + AV, 2·n²·d, dominate"


def term_share_figure(
    curves: dict[int, list[AttentionCost]], marks: dict[str, AttentionCost] | None = None
) -> go.Figure:
    """The projections' share of the multiply-adds against ``n`` (log axis), one line per
    ``d_model`` (``curves[d_model]``: the costs of a range of ``n``). A dashed line marks where
    each crosses 50 %, at ``n = 2·d_model``; ``marks`` ring named settings (e.g. text, video).
    """
    if not curves:
        raise ValueError("term_share_figure needs at least one d_model with its costs")

    def share(c: AttentionCost) -> float:
        return round(100 * c.macs[PROJECTIONS] / c.total_macs, 3)

    traces, shapes, notes = [], [], []
    for i, (d_model, costs) in enumerate(curves.items()):
        if not costs or any(c.d_model != d_model for c in costs):
            raise ValueError(f"curves[{d_model}] must hold costs with d_model = {d_model}")
        costs = sorted(costs, key=lambda c: c.n)
        traces.append(
            go.Scatter(
                x=[c.n for c in costs],
                y=[share(c) for c in costs],
                mode="lines",
                name=f"d_model = {d_model}",
                line=dict(color=color(i), width=3),
                hovertemplate=f"d_model = {d_model}, n = %{{x}}<br>projections: %{{y:.1f}} %"
                "<extra></extra>",
            )
        )
        shapes.append(
            dict(
                type="line",
                x0=2 * d_model,
                x1=2 * d_model,
                y0=0,
                y1=100,
                line=dict(color=color(i), dash="dash", width=1.5),
            )
        )
        notes.append(
            dict(
                x=math.log10(2 * d_model),
                y=100,
                yanchor="bottom",
                showarrow=False,
                font=dict(color=color(i)),
                text=f"n = 2·{d_model} = {2 * d_model}",
            )
        )
    for k, (name, c) in enumerate((marks or {}).items()):
        label = f"{name}: n = {c.n}, d_model = {c.d_model}, {share(c):.1f} %"
        traces.append(
            go.Scatter(
                x=[c.n],
                y=[share(c)],
                mode="markers",
                name=label,
                marker=dict(
                    size=13,
                    symbol=["circle-open", "diamond-open", "square-open"][k % 3],
                    color="black",
                    line=dict(width=2),
                ),
                hovertemplate=label + "<extra></extra>",
            )
        )
    notes += [
        dict(
            xref="paper",
            x=0.01,
            xanchor="left",
            y=50,
            yanchor="bottom",
            yshift=4,
            showarrow=False,
            text=PROJECTIONS_WIN,
        ),
        dict(
            xref="paper",
            x=0.01,
            xanchor="left",
            y=50,
            yanchor="top",
            yshift=-4,
            showarrow=False,
            text=ATTENTION_WIN,
        ),
    ]
    shapes.append(
        dict(type="line", xref="paper", x0=0, x1=1, y0=50, y1=50, line=dict(color="#999"))
    )
    layout = base_layout("Which term does the work: the projections' share of the multiply-adds")
    layout |= dict(
        xaxis=dict(title="n (tokens or steps in a sequence)", type="log", exponentformat="SI"),
        yaxis=dict(title="projections' share (%)", range=[0, 108], ticksuffix=" %"),
        shapes=shapes,
        annotations=notes,
        legend=dict(orientation="h", y=-0.25),
        height=480,
    )
    return go.Figure(data=traces, layout=layout)


def _ticks_125(low: float, high: float) -> list[float]:
    """Log-axis ticks 1, 2, 5, 10, 20, 50, … covering [low, high]: few, round labels."""
    ticks = [m * 10.0**e for e in range(-4, 7) for m in (1, 2, 5)]
    return [round(t, 4) for t in ticks if low / 2 <= t <= high * 2]


def timing_figure(sweeps: list[Sweep]) -> go.Figure:
    """Log-log time vs size, one panel per setting, each device a line with its fitted slope.

    The dashed line is the FLOP formula scaled to the measurements: where the points run
    parallel to it, time grows as the formula says.
    """
    if not sweeps:
        raise ValueError("timing_figure needs at least one Sweep")
    panels: dict[str, list[Sweep]] = {}
    for s in sweeps:
        panels.setdefault(s.label, []).append(s)
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=list(panels), horizontal_spacing=0.07
    )
    devices = sorted({s.device for s in sweeps})
    for col, group in enumerate(panels.values(), start=1):
        for s in group:
            k = devices.index(s.device)
            fig.add_trace(
                go.Scatter(
                    x=s.values,
                    y=[round(t * 1e3, 4) for t in s.seconds],
                    mode="markers+lines",
                    marker=dict(size=8, color=color(k)),
                    line=dict(color=color(k)),
                    name=f"{s.device}: measured slope {s.slope:.2f}",
                    legendgroup=f"{col}",
                    legendgrouptitle_text=s.label if s is group[0] else None,
                    hovertemplate=f"{s.vary} = %{{x}}<br>%{{y:.3g}} ms (median)"
                    f"<extra>{s.device}</extra>",
                ),
                row=1,
                col=col,
            )
        ref = group[0]
        # the formula, scaled so that its geometric mean meets the measurements'
        scale = math.exp(
            sum(
                math.log(t * 1e3) - math.log(f) for t, f in zip(ref.seconds, ref.flops, strict=True)
            )
            / len(ref.flops)
        )
        fig.add_trace(
            go.Scatter(
                x=ref.values,
                y=[round(f * scale, 4) for f in ref.flops],
                mode="lines",
                line=dict(color="#555555", dash="dash"),
                legendgroup=f"{col}",
                name=f"FLOP formula: slope {ref.formula_slope:.2f}",
                hovertemplate=f"{ref.vary} = %{{x}}<br>formula (scaled)<extra></extra>",
            ),
            row=1,
            col=col,
        )
        ms = [t * 1e3 for s in group for t in s.seconds] + [f * scale for f in ref.flops]
        fig.update_xaxes(type="log", title=ref.vary, tickvals=list(ref.values), row=1, col=col)
        fig.update_yaxes(type="log", tickvals=_ticks_125(min(ms), max(ms)), row=1, col=col)
    fig.update_yaxes(title="ms per forward pass (median)", row=1, col=1)
    styled(fig, "Time on this machine, log-log: slope p means time ∝ size^p", height=440)
    return fig.update_layout(legend=dict(orientation="h", y=-0.25), margin=dict(t=90, b=40))


def implementations_figure(
    seconds: dict[str, float], compare_with: dict[str, str] | None = None, device: str = "cpu"
) -> go.Figure:
    """Median time per call of each implementation, each bar labelled with a ratio.

    ``compare_with`` names, for a bar, the bar its ratio is taken against (default: the first).
    """
    if not seconds:
        raise ValueError("implementations_figure needs at least one timing")
    names = list(seconds)
    base = {name: (compare_with or {}).get(name, names[0]) for name in names}
    fig = go.Figure(
        go.Bar(
            x=[round(t * 1e3, 4) for t in seconds.values()],
            y=names,
            orientation="h",
            marker_color=[color(i) for i in range(len(names))],
            text=[f"{seconds[k] / seconds[base[k]]:.2f} × {base[k]}" for k in names],
            textposition="auto",
            hovertemplate="%{y}: %{x:.3g} ms (median)<extra></extra>",
        )
    )
    fig.update_xaxes(title="ms per call (median)", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    return styled(
        fig, f"Same result, different code paths ({device})", height=120 + 60 * len(names)
    )

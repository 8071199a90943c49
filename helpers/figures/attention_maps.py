"""Attention as pictures: the weights as a heatmap with token labels, a head's Q/K points,
and why scores are divided by √d_k (the numbers: :mod:`helpers.scaling`)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from helpers.figures.style import HEATMAP, LIGHT_GREY, PALETTE, base_layout, panels

__all__ = [
    "attention_trace",
    "attention_heatmap",
    "masked_attention_figure",
    "head_figure",
    "sqrt_dk_figure",
]


def _check_square(weights: torch.Tensor, tokens: list[str]) -> None:
    if weights.dim() != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(
            f"weights must be one [T, T] matrix (query × key), got shape {list(weights.shape)}; "
            "pick one batch element and one head first, e.g. weights[0, head]"
        )
    if len(tokens) != weights.shape[0]:
        raise ValueError(
            f"{len(tokens)} tokens for a {weights.shape[0]} × {weights.shape[0]} "
            "attention matrix; "
            "pass one label per token"
        )


def attention_trace(
    weights: torch.Tensor, tokens: list[str], colorbar: dict | None = None
) -> go.Heatmap:
    """The series' attention heatmap trace for one ``[T, T]`` matrix: weights written in the
    cells (2 decimals), hover naming the query and key tokens, colour 0 … 1."""
    T = len(tokens)
    w = weights.detach().float().round(decimals=2)  # (T, T)
    return go.Heatmap(
        z=w.tolist(),
        x=list(range(T)),
        y=list(range(T)),
        colorscale=HEATMAP,
        zmin=0,
        zmax=1,
        text=[[f"{v:.2f}" for v in row] for row in w.tolist()],
        texttemplate="%{text}",
        customdata=[[[tokens[i], tokens[j]] for j in range(T)] for i in range(T)],
        hovertemplate="query %{y} “%{customdata[0]}” looks at key %{x} “%{customdata[1]}”: "
        "weight %{text}<extra></extra>",
        colorbar=dict(title=dict(text="weight", side="right"), len=0.8) | (colorbar or {}),
    )


def _token_axes(tokens: list[str]) -> dict:
    """Layout for the first x/y axes labelled with the tokens, query rows top to bottom."""
    ticks = dict(tickvals=list(range(len(tokens))), ticktext=tokens)
    return dict(
        xaxis=dict(title="key (attended to)", **ticks),
        yaxis=dict(title="query (attending)", autorange="reversed", **ticks),
    )


def attention_heatmap(
    weights: torch.Tensor, tokens: list[str], title: str | None = None
) -> go.Figure:
    """One attention matrix ``[T, T]`` as a heatmap: row = query token, column = key token.

    Each row sums to 1. Tokens may repeat ("the … the"): the axes are positions, labelled
    with the tokens.
    """
    _check_square(weights, tokens)
    size = 160 + 45 * len(tokens)
    layout = base_layout(
        title or "Attention weights (each row sums to 1)", height=size + 40, width=size + 120
    )
    return go.Figure(attention_trace(weights, tokens), layout=layout | _token_axes(tokens))


def masked_attention_figure(
    maps: dict[str, tuple[torch.Tensor, torch.Tensor]],
    tokens: list[str],
    title: str = "Attention weights under a mask: grey × = may not attend",
) -> go.Figure:
    """Attention matrices side by side, one panel per named ``(weights [T, T], mask [T, T])``.

    Cells the mask allows (True) show their weight; cells it forbids (False) are grey with a
    ×, so a reader sees both what the mask hides and that the allowed weights of each row
    still sum to 1.
    """
    if not maps:
        raise ValueError("masked_attention_figure needs at least one (weights, mask) pair")
    T = len(tokens)
    traces = []
    for i, (name, (weights, mask)) in enumerate(maps.items()):
        _check_square(weights, tokens)
        if mask.dtype != torch.bool or list(mask.shape) != [T, T]:
            raise ValueError(
                f"{name}: mask must be a bool [T, T] = [{T}, {T}] matrix, got {mask.dtype} "
                f"{list(mask.shape)}; pick one sentence of a broadcast mask, e.g. mask[b, 0]"
            )
        axes = dict(xaxis=f"x{i + 1}" if i else "x", yaxis=f"y{i + 1}" if i else "y")
        allowed = mask.tolist()
        w = [[round(v, 2) for v in row] for row in weights.detach().float().tolist()]  # (T, T)
        traces.append(
            go.Heatmap(
                z=[
                    [v if ok else None for v, ok in zip(row, oks, strict=True)]
                    for row, oks in zip(w, allowed, strict=True)
                ],
                colorscale=HEATMAP,
                zmin=0,
                zmax=1,
                text=[
                    [f"{v:.2f}" if ok else "" for v, ok in zip(row, oks, strict=True)]
                    for row, oks in zip(w, allowed, strict=True)
                ],
                texttemplate="%{text}",
                customdata=[[[tokens[q], tokens[k]] for k in range(T)] for q in range(T)],
                hovertemplate="query %{y} “%{customdata[0]}” looks at key %{x} "
                "“%{customdata[1]}”: weight %{text}<extra>" + name + "</extra>",
                showscale=i == 0,
                colorbar=dict(title=dict(text="weight", side="right"), len=0.8),
                **axes,
            )
        )
        traces.append(
            go.Heatmap(
                z=[[None if ok else 1 for ok in oks] for oks in allowed],
                colorscale=[[0, LIGHT_GREY], [1, LIGHT_GREY]],
                showscale=False,
                text=[["" if ok else "×" for ok in oks] for oks in allowed],
                texttemplate="%{text}",
                customdata=[[[tokens[q], tokens[k]] for k in range(T)] for q in range(T)],
                hovertemplate="query %{y} “%{customdata[0]}” may not look at key %{x} "
                "“%{customdata[1]}”<extra>" + name + "</extra>",
                **axes,
            )
        )
    n = len(maps)
    layout = base_layout(title, height=200 + 40 * T, width=max(420, n * (140 + 45 * T)))
    layout |= panels(1, n, list(maps), h_gap=0.06)
    ticks = dict(tickvals=list(range(T)), ticktext=tokens)
    for i in range(n):
        suffix = str(i + 1) if i else ""
        layout[f"xaxis{suffix}"] |= dict(title="key", **ticks)
        layout[f"yaxis{suffix}"] |= dict(autorange="reversed", **ticks)
    layout["yaxis"] |= dict(title="query")
    return go.Figure(data=traces, layout=layout)


def _qk_traces(
    q2: torch.Tensor, k2: torch.Tensor, tokens: list[str], **axes: str
) -> list[go.Scatter]:
    traces = []
    for name, one, pts, symbol, colour in (
        ("queries Q", "query", q2, "circle", PALETTE[0]),
        ("keys K", "key", k2, "diamond", PALETTE[1]),
    ):
        pts = pts.round(decimals=3).tolist()
        traces.append(
            go.Scatter(
                x=[p[0] for p in pts],
                y=[p[1] for p in pts],
                mode="markers+text",
                name=name,
                text=tokens,
                textposition="top center",
                marker=dict(symbol=symbol, size=11, color=colour),
                hovertemplate=f"{one} of “%{{text}}”: (%{{x}}, %{{y}})<extra></extra>",
                **axes,
            )
        )
    return traces


def head_figure(
    weights: torch.Tensor,
    q2: torch.Tensor,
    k2: torch.Tensor,
    tokens: list[str],
    *,
    head: int | None = None,
    d_k: int = 2,
    kept: float = 1.0,
) -> go.Figure:
    """One head: its attention heatmap beside its query and key points.

    ``q2``, ``k2`` are the head's queries and keys ``[T, 2]`` on a plane
    (``helpers.geometry.qk_plane``: exact for d_k ≤ 2, else keeping the share ``kept``).
    A query looks hardest at the keys whose points lie in its direction (big q·k).
    """
    _check_square(weights, tokens)
    name = "one head" if head is None else f"head {head}"
    heatmap = attention_trace(weights, tokens, colorbar=dict(x=0.41, thickness=12))
    points = _qk_traces(q2, k2, tokens, xaxis="x2", yaxis="y2")
    plane = (
        "the 2 dimensions of the head"
        if kept == 1.0
        else f"2 of {d_k} dims, keeping {kept:.0%} of the squared lengths of Q and K"
    )
    layout = base_layout(
        f"What {name} attends to, and why: big q·k ⇒ big weight",
        height=470,
        margin=dict(l=62, b=103),  # where the token labels and the legend push them
    )
    layout |= panels(1, 2, [f"{name}: attention weights", f"{name}: Q and K points"], h_gap=0.2)
    for axis, labels in _token_axes(tokens).items():
        layout[axis] |= labels
    layout["xaxis2"] |= dict(title=f"direction 1 ({plane})", zeroline=True)
    layout["yaxis2"] |= dict(
        title="direction 2", zeroline=True, scaleanchor="x2", scaleratio=1
    )  # true angles
    layout["legend"] = dict(orientation="h", x=0.6, y=-0.2)
    return go.Figure(data=[heatmap, *points], layout=layout)


# --------------------------------------------------------------------------- √d_k


def sqrt_dk_figure(stats: dict[str, list], d_k: int) -> go.Figure:
    """Three panels for one d_k of ``stats`` (``helpers.scaling.scaling_stats``): one query's
    weights, the score spread vs d_k, and how peaked the softmax gets vs d_k."""
    if d_k not in stats["d_k"]:
        raise ValueError(f"d_k={d_k} was not measured; choose one of {stats['d_k']}")
    i = stats["d_k"].index(d_k)
    T = len(stats["weights_scaled"][i])
    looks = {
        "unscaled": dict(color=PALETTE[3], name="q·k"),
        "scaled": dict(color=PALETTE[0], name="q·k / √d_k"),
    }
    traces = []
    for kind, look in looks.items():
        traces.append(
            go.Bar(
                x=list(range(T)),
                y=stats[f"weights_{kind}"][i],
                name=look["name"],
                marker_color=look["color"],
                legendgroup=kind,
                hovertemplate="key %{x}: weight %{y:.3f}<extra>" + look["name"] + "</extra>",
            )
        )
        traces.append(
            go.Scatter(
                x=stats["d_k"],
                y=stats[f"std_{kind}"],
                mode="lines+markers",
                name=look["name"],
                line=dict(color=look["color"]),
                legendgroup=kind,
                showlegend=False,
                xaxis="x2",
                yaxis="y2",
                hovertemplate="d_k=%{x}: std %{y:.2f}<extra>" + look["name"] + "</extra>",
            )
        )
        for stat, dash, label in (
            ("max", "solid", "largest weight"),
            ("entropy", "dot", f"entropy / ln {T}"),
        ):
            y = stats[f"{stat}_{kind}"]
            y = y if stat == "max" else [round(v / math.log(T), 4) for v in y]
            traces.append(
                go.Scatter(
                    x=stats["d_k"],
                    y=y,
                    mode="lines+markers",
                    name=f"{label}, {look['name']}",
                    line=dict(color=look["color"], dash=dash),
                    legendgroup=kind,
                    xaxis="x3",
                    yaxis="y3",
                    hovertemplate="d_k=%{x}: %{y:.3f}<extra>" + f"{label}, {look['name']}</extra>",
                )
            )
    for axis, key in (("2", "std"), ("3", "max")):  # ring the chosen d_k
        traces.append(
            go.Scatter(
                x=[d_k, d_k],
                y=[stats[f"{key}_unscaled"][i], stats[f"{key}_scaled"][i]],
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
                marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(color="black", width=2)),
            )
        )
    layout = panels(
        1,
        3,
        [
            f"one query's weights over {T} keys (d_k={d_k})",
            "spread of the scores q·k",
            "how peaked the softmax is",
        ],
        h_gap=0.09,
    )
    layout["xaxis"].update(title="key", dtick=1)
    layout["yaxis"].update(title="softmax weight", range=[0, 1])
    d_ks = (
        stats["d_k"] if len(stats["d_k"]) <= 6 else stats["d_k"][::2]
    )  # few ticks: readable labels
    stds = stats["std_unscaled"] + stats["std_scaled"]
    std_ticks = [v for v in (0.5, 1, 2, 4, 8, 16, 32, 64) if min(stds) / 2 <= v <= max(stds) * 2]
    layout["xaxis2"].update(title="d_k", type="log", tickvals=d_ks)
    layout["yaxis2"].update(title="std of scores", type="log", tickvals=std_ticks)
    layout["xaxis3"].update(title="d_k", type="log", tickvals=d_ks)
    layout["yaxis3"].update(title=f"largest weight; entropy / ln {T}", range=[0, 1.05])
    title = (
        f"Why divide by √d_k: at d_k={d_k} the unscaled scores have std "
        f"{stats['std_unscaled'][i]:.1f}, the scaled ones {stats['std_scaled'][i]:.1f}"
    )
    # margins: where the tick labels and the legend below push them
    layout |= base_layout(title, height=440, margin=dict(l=58, b=142)) | dict(
        barmode="group", legend=dict(orientation="h", y=-0.25)
    )
    return go.Figure(data=traces, layout=layout)

"""Attention as pictures: the weights as a heatmap with token labels, a head's Q/K points,
and why scores are divided by √d_k."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch

from helpers.figures.style import HEATMAP, PALETTE, base_layout

__all__ = [
    "attention_heatmap",
    "head_figure",
    "plane_basis",
    "qk_plane",
    "scaling_stats",
    "sqrt_dk_figure",
]


def _check_square(weights: torch.Tensor, tokens: list[str]) -> None:
    if weights.dim() != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(f"weights must be one [T, T] matrix (query × key), got shape {list(weights.shape)}; "
                         "pick one batch element and one head first, e.g. weights[0, head]")
    if len(tokens) != weights.shape[0]:
        raise ValueError(f"{len(tokens)} tokens for a {weights.shape[0]} × {weights.shape[0]} attention matrix; "
                         "pass one label per token")


def _heatmap_trace(weights: torch.Tensor, tokens: list[str], colorbar: dict | None = None) -> go.Heatmap:
    T = len(tokens)
    w = weights.detach().float().round(decimals=2)  # (T, T)
    return go.Heatmap(
        z=w.tolist(), x=list(range(T)), y=list(range(T)), colorscale=HEATMAP, zmin=0, zmax=1,
        text=[[f"{v:.2f}" for v in row] for row in w.tolist()], texttemplate="%{text}",
        customdata=[[[tokens[i], tokens[j]] for j in range(T)] for i in range(T)],
        hovertemplate="query %{y} “%{customdata[0]}” looks at key %{x} “%{customdata[1]}”: "
                      "weight %{text}<extra></extra>",
        colorbar=dict(title=dict(text="weight", side="right"), len=0.8) | (colorbar or {}),
    )


def _token_axes(tokens: list[str]) -> dict:
    """Layout for the first x/y axes labelled with the tokens, query rows top to bottom."""
    ticks = dict(tickvals=list(range(len(tokens))), ticktext=tokens)
    return dict(xaxis=dict(title="key (attended to)", **ticks),
                yaxis=dict(title="query (attending)", autorange="reversed", **ticks))


def attention_heatmap(weights: torch.Tensor, tokens: list[str], title: str | None = None) -> go.Figure:
    """One attention matrix ``[T, T]`` as a heatmap: row = query token, column = key token.

    Each row sums to 1. Tokens may repeat ("the … the"): the axes are positions, labelled
    with the tokens.
    """
    _check_square(weights, tokens)
    size = 160 + 45 * len(tokens)
    layout = base_layout(title or "Attention weights (each row sums to 1)", height=size + 40, width=size + 120)
    return go.Figure(_heatmap_trace(weights, tokens), layout=layout | _token_axes(tokens))


def plane_basis(vectors: torch.Tensor) -> tuple[torch.Tensor, float]:
    """A ``[d_k, 2]`` basis to draw a head's d_k-dim space on paper, and the share of
    ``vectors`` (``[N, d_k]``) it keeps.

    d_k = 2: the head's own axes. d_k = 1: the one axis (drawn on y = 0). d_k > 2: the two
    top singular directions (PCA without centring, so q·k stays a dot product through the
    origin), each signed so that its largest entry is positive.
    """
    d_k = vectors.shape[1]
    if d_k <= 2:
        return torch.eye(d_k, 2), 1.0
    _, s, vh = torch.linalg.svd(vectors, full_matrices=False)  # vh: (d_k, d_k)
    basis = vh[:2].T.clone()  # (d_k, 2)
    sign = basis.gather(0, basis.abs().argmax(0, keepdim=True)).sign()  # (1, 2)
    kept = float((s[:2] ** 2).sum() / (s**2).sum())
    return basis * sign, kept


def qk_plane(q: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Q and K ``[T, d_k]`` as 2-D points that keep their dot products as well as 2-D can.

    Projects both onto the two directions that carry most of ``[Q; K]`` (SVD, not centred,
    so the origin stays the origin and q·k ≈ the dot product of the 2-D points; exact when
    d_k ≤ 2). Returns ``(q2, k2, kept)`` with ``kept`` the share of ‖[Q; K]‖² kept.
    """
    if q.dim() != 2 or q.shape != k.shape:
        raise ValueError(f"q and k must both be [T, d_k], got {list(q.shape)} and {list(k.shape)}")
    both = torch.cat([q, k]).detach().float()  # (2T, d_k)
    basis, kept = plane_basis(both)  # (d_k, 2)
    plane = both @ basis  # (2T, 2)
    return plane[: len(q)], plane[len(q):], kept


def _qk_traces(q: torch.Tensor, k: torch.Tensor, tokens: list[str], **axes: str) -> tuple[list[go.Scatter], float]:
    q2, k2, kept = qk_plane(q, k)
    traces = []
    for name, one, pts, symbol, colour in (("queries Q", "query", q2, "circle", PALETTE[0]),
                                           ("keys K", "key", k2, "diamond", PALETTE[1])):
        pts = pts.round(decimals=3).tolist()
        traces.append(go.Scatter(
            x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers+text", name=name,
            text=tokens, textposition="top center", marker=dict(symbol=symbol, size=11, color=colour),
            hovertemplate=f"{one} of “%{{text}}”: (%{{x}}, %{{y}})<extra></extra>", **axes,
        ))
    return traces, kept


def _panels(titles: list[str], gap: float) -> dict:
    """Layout for panels side by side, each with its own x/y axes and a title.

    Plain layout dicts: ``make_subplots`` does the same but costs ~25 ms per figure, which
    a slider feels.
    """
    n = len(titles)
    width = (1 - gap * (n - 1)) / n
    layout: dict = {"annotations": []}
    for i, title in enumerate(titles):
        suffix = "" if i == 0 else str(i + 1)
        left = i * (width + gap)
        layout[f"xaxis{suffix}"] = dict(domain=[round(left, 4), min(1, round(left + width, 4))], anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}")
        layout["annotations"].append(dict(text=title, x=left + width / 2, y=1, xref="paper", yref="paper",
                                          xanchor="center", yanchor="bottom", showarrow=False, font=dict(size=14)))
    return layout


def head_figure(weights: torch.Tensor, q: torch.Tensor, k: torch.Tensor, tokens: list[str],
                head: int | None = None) -> go.Figure:
    """One head: its attention heatmap beside its query and key points.

    A query looks hardest at the keys whose points lie in its direction (big q·k).
    """
    _check_square(weights, tokens)
    name = "one head" if head is None else f"head {head}"
    heatmap = _heatmap_trace(weights, tokens, colorbar=dict(x=0.41, thickness=12))
    points, kept = _qk_traces(q, k, tokens, xaxis="x2", yaxis="y2")
    plane = "the 2 dimensions of the head" if kept == 1.0 else f"2 of {q.shape[1]} dims, {kept:.0%} of ‖Q;K‖² kept"
    layout = base_layout(f"What {name} attends to, and why: big q·k ⇒ big weight", height=470)
    layout |= _panels([f"{name}: attention weights", f"{name}: Q and K points"], gap=0.2)
    for axis, labels in _token_axes(tokens).items():
        layout[axis] |= labels
    layout["xaxis2"] |= dict(title=f"direction 1 ({plane})", zeroline=True)
    layout["yaxis2"] |= dict(title="direction 2", zeroline=True, scaleanchor="x2", scaleratio=1)  # true angles
    layout["legend"] = dict(orientation="h", x=0.6, y=-0.2)
    return go.Figure(data=[heatmap, *points], layout=layout)


# --------------------------------------------------------------------------- √d_k


def scaling_stats(d_ks: list[int], T: int = 8, n: int = 256, seed: int = 0) -> dict[str, list[float]]:
    """How spread the scores q·k are, and how peaked their softmax is, with and without /√d_k.

    For each d_k: ``n`` queries and ``n × T`` keys with independent N(0, 1) entries;
    a query's scores against its T keys, then softmax. Returns, per d_k (same order):
    score std, mean largest weight and mean entropy (nats; uniform = ln T), unscaled and
    scaled, plus one query's weights (``weights_*``, ``T`` numbers per d_k). Every d_k
    draws from a generator seeded with ``seed``, so ``scaling_stats([256])`` repeats the
    256 row of any longer list.
    """
    out: dict[str, list] = {key: [] for key in (
        "d_k", "std_unscaled", "std_scaled", "max_unscaled", "max_scaled",
        "entropy_unscaled", "entropy_scaled", "weights_unscaled", "weights_scaled")}
    for d_k in d_ks:
        g = torch.Generator().manual_seed(seed)  # each d_k on its own: a row does not depend on the others
        q = torch.randn(n, 1, d_k, generator=g)  # (n, 1, d_k)
        k = torch.randn(n, T, d_k, generator=g)  # (n, T, d_k)
        scores = (q * k).sum(-1)  # (n, T)
        out["d_k"].append(d_k)
        for name, s in (("unscaled", scores), ("scaled", scores / math.sqrt(d_k))):
            w = s.softmax(dim=-1)  # (n, T)
            entropy = -(w * w.clamp_min(1e-12).log()).sum(-1)  # (n,)
            out[f"std_{name}"].append(round(float(s.std()), 4))
            out[f"max_{name}"].append(round(float(w.max(-1).values.mean()), 4))
            out[f"entropy_{name}"].append(round(float(entropy.mean()), 4))
            out[f"weights_{name}"].append([round(float(v), 4) for v in w[0]])
    return out


def sqrt_dk_figure(stats: dict[str, list], d_k: int) -> go.Figure:
    """Three panels for one d_k of ``stats`` (from :func:`scaling_stats`): one query's
    weights, the score spread vs d_k, and how peaked the softmax gets vs d_k."""
    if d_k not in stats["d_k"]:
        raise ValueError(f"d_k={d_k} was not measured; choose one of {stats['d_k']}")
    i = stats["d_k"].index(d_k)
    T = len(stats["weights_scaled"][i])
    looks = {"unscaled": dict(color=PALETTE[3], name="q·k"), "scaled": dict(color=PALETTE[0], name="q·k / √d_k")}
    traces = []
    for kind, look in looks.items():
        traces.append(go.Bar(x=list(range(T)), y=stats[f"weights_{kind}"][i], name=look["name"],
                             marker_color=look["color"], legendgroup=kind,
                             hovertemplate="key %{x}: weight %{y:.3f}<extra>" + look["name"] + "</extra>"))
        traces.append(go.Scatter(x=stats["d_k"], y=stats[f"std_{kind}"], mode="lines+markers", name=look["name"],
                                 line=dict(color=look["color"]), legendgroup=kind, showlegend=False,
                                 xaxis="x2", yaxis="y2",
                                 hovertemplate="d_k=%{x}: std %{y:.2f}<extra>" + look["name"] + "</extra>"))
        for stat, dash, label in (("max", "solid", "largest weight"), ("entropy", "dot", "entropy / ln T")):
            y = stats[f"{stat}_{kind}"]
            y = y if stat == "max" else [round(v / math.log(T), 4) for v in y]
            traces.append(go.Scatter(x=stats["d_k"], y=y, mode="lines+markers", name=f"{label}, {look['name']}",
                                     line=dict(color=look["color"], dash=dash), legendgroup=kind,
                                     xaxis="x3", yaxis="y3",
                                     hovertemplate="d_k=%{x}: %{y:.3f}<extra>" + f"{label}, {look['name']}</extra>"))
    for axis, key in (("2", "std"), ("3", "max")):  # ring the chosen d_k
        traces.append(go.Scatter(x=[d_k, d_k], y=[stats[f"{key}_unscaled"][i], stats[f"{key}_scaled"][i]],
                                 mode="markers", showlegend=False, hoverinfo="skip", xaxis=f"x{axis}", yaxis=f"y{axis}",
                                 marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(color="black", width=2))))
    layout = _panels([f"one query's weights over {T} keys (d_k={d_k})", "spread of the scores q·k",
                      "how peaked the softmax is"], gap=0.09)
    layout["xaxis"].update(title="key", dtick=1)
    layout["yaxis"].update(title="softmax weight", range=[0, 1])
    d_ks = stats["d_k"] if len(stats["d_k"]) <= 6 else stats["d_k"][::2]  # few ticks: readable labels
    stds = stats["std_unscaled"] + stats["std_scaled"]
    std_ticks = [v for v in (0.5, 1, 2, 4, 8, 16, 32, 64) if min(stds) / 2 <= v <= max(stds) * 2]
    layout["xaxis2"].update(title="d_k", type="log", tickvals=d_ks)
    layout["yaxis2"].update(title="std of scores", type="log", tickvals=std_ticks)
    layout["xaxis3"].update(title="d_k", type="log", tickvals=d_ks)
    layout["yaxis3"].update(title="largest weight; entropy / ln T", range=[0, 1.05])
    title = (f"Why divide by √d_k: at d_k={d_k} the unscaled scores have std "
             f"{stats['std_unscaled'][i]:.1f}, the scaled ones {stats['std_scaled'][i]:.1f}")
    layout |= base_layout(title, height=440) | dict(barmode="group", legend=dict(orientation="h", y=-0.25))
    return go.Figure(data=traces, layout=layout)

"""Per-head subspaces: each head's query/key plane, its attention, and the head-count sweep."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from helpers.attention import MultiHeadSelfAttention, check_input, split_heads
from helpers.figures.attention_maps import plane_basis
from helpers.figures.style import HEATMAP, TEMPLATE, base_layout, color, styled

GREY = "#9E9E9E"
# The series' look plus what every head panel shares (bare equal axes, small titles), set
# once here instead of on each of up to 16 panels: fewer plotly properties, a faster figure.
_PANELS = go.layout.Template(TEMPLATE).update(
    layout=dict(
        xaxis=dict(zeroline=True, showticklabels=False),
        yaxis=dict(zeroline=True, showticklabels=False),
        annotationdefaults=dict(xref="paper", yref="paper", showarrow=False, font=dict(size=12)),
    ),
    data=dict(scatter=[dict(  # every head's keys
        textposition="top center", textfont=dict(size=9), hoverinfo="text", showlegend=False,
        marker=dict(line=dict(width=0.5, color="white")),
    )]),
)


# --------------------------------------------------------------------------- geometry


def head_queries_keys(
    attn: MultiHeadSelfAttention, x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For inputs ``x [B, T, d_model]``: per-head queries, keys ``[B, h, T, d_k]`` and the
    attention weights ``[B, h, T, T]``."""
    check_input(x, attn.d_model)
    with torch.no_grad():
        q = split_heads(attn.W_Q(x), attn.h)  # (B, h, T, d_k)
        k = split_heads(attn.W_K(x), attn.h)  # (B, h, T, d_k)
        _, weights = attn(x)  # (B, h, T, T)
    return q, k, weights


def head_planes(
    attn: MultiHeadSelfAttention, fit: torch.Tensor, query: int = -1
) -> list[tuple[torch.Tensor, float]]:
    """Per head, the ``[d_k, 2]`` basis that draws it on paper and the share of spread it keeps,
    fitted on the keys and the ``query`` position's queries of ``fit [N, T, d_model]``.

    Depends only on the model and ``fit``, so an explorer computes it once per model.
    """
    q_fit, k_fit, _ = head_queries_keys(attn, fit)  # (N, h, T, d_k)
    return [
        plane_basis(torch.cat([k_fit[:, j].reshape(-1, attn.d_k), q_fit[:, j, query]]))  # (N·T + N, d_k)
        for j in range(attn.h)
    ]


def _panel_title(j: int, d_k: int, kept: float) -> str:
    if d_k == 1:
        return f"head {j}: 1-D (a line)"
    if d_k == 2:
        return f"head {j}: its 2-D plane"
    return f"head {j}: PCA of {d_k}-D ({kept:.0%})"


def _grid(n: int, cols: int, h_gap: float, v_gap: float) -> list[tuple[list[float], list[float]]]:
    """Paper domains ``([x0, x1], [y0, y1])`` of n panels in rows of ``cols``, filled from the
    top left (the layout ``make_subplots`` would compute, without its cost)."""
    rows = math.ceil(n / cols)
    width = (1 - h_gap * (cols - 1)) / cols
    height = (1 - v_gap * (rows - 1)) / rows
    domains = []
    for j in range(n):
        r, c = divmod(j, cols)
        x0 = c * (width + h_gap)
        y1 = 1 - r * (height + v_gap)
        domains.append(([round(x0, 4), round(x0 + width, 4)], [round(y1 - height, 4), round(y1, 4)]))
    return domains


def subspace_figure(
    attn: MultiHeadSelfAttention,
    x: torch.Tensor,
    labels: list[str],
    roles: dict[int, str] | None = None,
    fit: torch.Tensor | None = None,
    query: int = -1,
) -> go.Figure:
    """One small panel per head: every token's key (a point) and one token's query (an
    arrow from the origin) in that head's own query/key space.

    ``x [T, d_model]`` is one sentence's input vectors and ``labels`` its T token names.
    The score of a key is the dot product of its point with the arrow (divided by √d_k);
    marker size is the attention weight the query gives it. ``roles`` names and colours
    positions of interest (e.g. ``{6: "prev", 2: "match"}``). For d_k > 2 each head's
    plane is fitted on ``fit [N, T, d_model]`` (default: ``x`` alone).
    """
    if x.dim() != 2:
        raise ValueError(f"x must be one sentence [T, d_model], got shape {list(x.shape)}")
    T = x.shape[0]
    if len(labels) != T:
        raise ValueError(f"labels has {len(labels)} names for T={T} tokens")
    q, k, weights = head_queries_keys(attn, x[None])  # (1, h, T, d_k) ×2, (1, h, T, T)
    planes = head_planes(attn, x[None] if fit is None else fit, query)
    return head_planes_figure(q[0], k[0], weights[0], planes, labels, roles, query)


def head_planes_figure(
    q: torch.Tensor,
    k: torch.Tensor,
    weights: torch.Tensor,
    planes: list[tuple[torch.Tensor, float]],
    labels: list[str],
    roles: dict[int, str] | None = None,
    query: int = -1,
) -> go.Figure:
    """:func:`subspace_figure` drawn from numbers computed beforehand: one sentence's per-head
    queries and keys ``[h, T, d_k]``, attention ``[h, T, T]`` and ``head_planes(...)``."""
    h, T, d_k = k.shape
    if len(labels) != T:
        raise ValueError(f"labels has {len(labels)} names for T={T} tokens")
    if len(planes) != h:
        raise ValueError(f"planes has {len(planes)} entries for h={h} heads; pass head_planes(attn, fit)")
    roles = roles or {}
    q_row = q[:, query]  # (h, d_k)
    w_row = weights[:, query]  # (h, T)
    scores = (k @ q_row[:, :, None])[..., 0] / math.sqrt(d_k)  # (h, T)
    basis = torch.stack([b for b, _ in planes])  # (h, d_k, 2)
    keys_2d = (k @ basis).round(decimals=3).tolist()  # (h, T, 2)
    query_2d = (q_row[:, None] @ basis)[:, 0].round(decimals=3).tolist()  # (h, 2)
    sizes = (6 + 22 * w_row.double()).tolist()  # (h, T)
    scores, w_row = scores.tolist(), w_row.tolist()

    colours = {name: color(i + 1) for i, name in enumerate(sorted(set(roles.values())))}
    key_colours = [colours.get(roles.get(t), GREY) for t in range(T)]
    names = [f"{labels[t]} (position {t}{', ' + roles[t] if t in roles else ''})" for t in range(T)]
    rows = math.ceil(h / min(h, 4))
    domains = _grid(h, min(h, 4), 0.06, 0.12 if rows > 1 else 0.1)
    traces, layout, notes = [], {}, []
    for j, ((x_dom, y_dom), (_, kept)) in enumerate(zip(domains, planes, strict=True)):
        ax = str(j + 1) if j else ""  # panel j draws on axes x{ax}, y{ax}
        traces.append(dict(
            type="scatter", x=[p[0] for p in keys_2d[j]], y=[p[1] for p in keys_2d[j]],
            mode="markers+text", text=labels, marker=dict(size=sizes[j], color=key_colours),
            hovertext=[
                f"{names[t]}<br>score q·k/√d_k = {scores[j][t]:.2f}<br>weight = {w_row[j][t]:.2f}"
                for t in range(T)
            ],
            name=f"keys, head {j}", xaxis=f"x{ax}", yaxis=f"y{ax}",
        ))
        notes.append(dict(  # the query: an arrow from the origin (annotations are cheaper than traces)
            x=query_2d[j][0], y=query_2d[j][1], ax=0, ay=0, xref=f"x{ax}", yref=f"y{ax}",
            axref=f"x{ax}", ayref=f"y{ax}", text="", showarrow=True, arrowhead=2,
            arrowsize=1.2, arrowwidth=2, arrowcolor="black",
        ))
        # equal scales, so angles and lengths (hence q·k) read true
        layout[f"xaxis{ax}"] = dict(domain=x_dom, anchor=f"y{ax}")
        layout[f"yaxis{ax}"] = dict(domain=y_dom, anchor=f"x{ax}", scaleanchor=f"x{ax}")
        notes.append(dict(text=_panel_title(j, d_k, kept), x=(x_dom[0] + x_dom[1]) / 2, y=y_dom[1],
                          xanchor="center", yanchor="bottom"))
    for name, col in colours.items():  # legend entries for the roles
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", name=f"key at {name}",
                           marker=dict(color=col, size=9), showlegend=True))
    traces.append(dict(type="scatter", x=[None], y=[None], mode="lines", name=f"query of {labels[query]}",
                       line=dict(color="black"), showlegend=True))
    title = (
        f"h = {h} heads, d_k = {d_k}: keys (points, size = attention weight) and the query (arrow)"
        + ("; d_k > 2 drawn as a 2-D PCA (% of spread kept)" if d_k > 2 else "")
    )
    layout.update(base_layout(title, height=150 + 230 * rows), template=_PANELS, annotations=notes)
    return go.Figure(data=traces, layout=layout)


# --------------------------------------------------------------------------- attention


def question_attention_figure(
    weights: dict[int, torch.Tensor], labels: list[list[str]], title: str
) -> go.Figure:
    """Heatmaps of where the last token's query looks: one row of panels per model (h → its
    weights ``[n, h, T]``), one column per input; in a panel rows = heads, columns =
    positions, colour = attention weight. ``labels``: n lists of T token names."""
    if not weights:
        raise ValueError("weights is empty: pass {h: tensor [n, h, T]} for at least one model")
    n = len(labels)
    for h, w in weights.items():
        if w.dim() != 3 or w.shape[0] != n or w.shape[1] != h or any(len(lab) != w.shape[2] for lab in labels):
            raise ValueError(
                f"weights[{h}] has shape {list(w.shape)}; expected [{n}, {h}, T] with {n} label lists of T names"
            )
    hs = list(weights)
    fig = make_subplots(
        rows=len(hs), cols=n, horizontal_spacing=0.03, vertical_spacing=0.1,
        row_heights=[h + 1 for h in hs],
        subplot_titles=[f"h = {h}, input {i}" for h in hs for i in range(n)],
    )
    for r, h in enumerate(hs, start=1):
        for i in range(n):
            z = [[round(float(v), 2) for v in row] for row in weights[h][i]]
            fig.add_trace(go.Heatmap(
                z=z, x=labels[i], y=[f"head {j}" for j in range(h)], zmin=0, zmax=1,
                colorscale=HEATMAP, showscale=r == 1 and i == n - 1, colorbar=dict(title="weight"),
                texttemplate="%{z:.2f}", textfont=dict(size=9),
                hovertemplate=f"h = {h}, %{{y}} → %{{x}}: weight %{{z:.2f}}<extra></extra>",
                xgap=1, ygap=1,
            ), row=r, col=i + 1)
            fig.update_xaxes(tickangle=-45, tickfont=dict(size=10), showticklabels=r == len(hs),
                             row=r, col=i + 1)
            fig.update_yaxes(autorange="reversed", showticklabels=i == 0, row=r, col=i + 1)
    return styled(fig, title, height=190 + sum(34 + 22 * h for h in hs))


# --------------------------------------------------------------------------- the sweep


def sweep_figure(summary: list[dict], rows: list[dict], paper: list[dict]) -> go.Figure:
    """Left: our held-out accuracy against h (every seed a dot, mean ± std a bar).
    Right: the paper's Table 3 (A), BLEU against h. ``summary`` comes from
    ``helpers.experiments.summarize``; ``paper`` from ``PAPER_TABLE_3A``."""
    fig = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.12,
        subplot_titles=(
            f"this task, d_model = {rows[0]['d_k'] * rows[0]['h']}: accuracy (mean ± std)",
            "paper, Table 3 (A), d_model = 512: BLEU (dev)",
        ),
    )
    name = {s["h"]: f"h={s['h']} (d_k={s['d_k']})" for s in summary}
    fig.add_trace(go.Scatter(
        x=[name[r["h"]] for r in rows], y=[r["accuracy"] for r in rows], mode="markers",
        marker=dict(color=color(9), size=7, opacity=0.7), name="one seed",
        hovertext=[f"seed {r['seed']}: accuracy {r['accuracy']:.3f}" for r in rows],
        hoverinfo="text",
    ), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=[name[s["h"]] for s in summary], y=[round(s["mean"], 4) for s in summary],
        error_y=dict(type="data", array=[round(s["std"], 4) for s in summary], visible=True),
        mode="lines+markers", marker=dict(color=color(0), size=11), name="mean ± std over seeds",
        hovertext=[f"h={s['h']}: {s['mean']:.3f} ± {s['std']:.3f} (n={s['n']})" for s in summary],
        hoverinfo="text",
    ), row=1, col=1)
    fig.add_trace(go.Scatter(
        x=[f"h={p['h']} (d_k={p['d_k']})" for p in paper], y=[p["bleu"] for p in paper],
        mode="lines+markers", marker=dict(color=color(1), size=11), name="paper BLEU",
        hovertext=[f"h={p['h']}, d_k={p['d_k']}: BLEU {p['bleu']}, PPL {p['ppl']}" for p in paper],
        hoverinfo="text",
    ), row=1, col=2)
    fig.update_yaxes(title="held-out accuracy (both parts right)", range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(title="BLEU (higher is better)", row=1, col=2)
    fig.update_xaxes(title="heads (width of one head)", type="category")
    return styled(fig, "More heads at a fixed d_model: this experiment beside the paper", height=460)

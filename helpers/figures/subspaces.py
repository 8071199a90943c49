"""Per-head subspaces: each head's query/key plane, its attention, and the head-count sweep."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from helpers.figures.style import GREY, HEATMAP, TEMPLATE, base_layout, color, panels, styled
from helpers.geometry import HeadView, ValueView

# The series' look plus what every head panel shares (bare equal axes, small titles), set
# once here instead of on each of up to 16 panels: fewer plotly properties, a faster figure.
_PANELS = go.layout.Template(TEMPLATE).update(
    layout=dict(
        xaxis=dict(zeroline=True, showticklabels=False),
        yaxis=dict(zeroline=True, showticklabels=False),
        annotationdefaults=dict(xref="paper", yref="paper", showarrow=False, font=dict(size=12)),
    ),
    data=dict(
        scatter=[
            dict(  # every head's keys
                textposition="top center",
                textfont=dict(size=9),
                hoverinfo="text",
                showlegend=False,
                marker=dict(line=dict(width=0.5, color="white")),
            )
        ]
    ),
)


def _panel_title(j: int, d_k: int, kept: float, what: str = "") -> str:
    if d_k == 1:
        return f"head {j}: 1-D (a line){what}"
    if d_k == 2:
        return f"head {j}: its 2-D plane{what}"
    return f"head {j}: PCA of {d_k}-D ({kept:.0%}){what}"


def _head_grid(
    points: torch.Tensor,
    sizes: list[list[float]],
    hovers: list[list[str]],
    labels: list[str],
    roles: dict[int, str],
    titles: list[str],
    title: str,
) -> tuple[list[dict], dict]:
    """The panels both figures share: per head, every token as a point (coloured by its role,
    sized by ``sizes``), equal axis scales, a title; and a legend of the roles. Returns the
    traces and the layout; the caller adds what it marks in each panel."""
    h, T, _ = points.shape
    pts = points.round(decimals=3).tolist()  # (h, T, 2)
    colours = {name: color(i + 1) for i, name in enumerate(sorted(set(roles.values())))}
    point_colours = [colours.get(roles.get(t), GREY) for t in range(T)]
    cols = min(h, 4)
    rows = math.ceil(h / cols)
    # the figure grows 230 px a row: a gap of 0.12 of its height up to 4 rows, then the same
    # ~115 px (0.5 / rows), so that 16 rows (h = 64) still leave room for the panels
    v_gap = min(0.12, 0.5 / rows) if rows > 1 else 0.1
    layout = panels(rows, cols, titles, h_gap=0.06, v_gap=v_gap, count=h, title_size=12)
    traces = []
    for j in range(h):
        ax = str(j + 1) if j else ""  # panel j draws on axes x{ax}, y{ax}
        traces.append(dict(
            type="scatter", x=[p[0] for p in pts[j]], y=[p[1] for p in pts[j]], mode="markers+text",
            text=labels, marker=dict(size=sizes[j], color=point_colours), hovertext=hovers[j],
            name=f"tokens, head {j}", xaxis=f"x{ax}", yaxis=f"y{ax}",
        ))  # fmt: skip
        layout[f"yaxis{ax}"]["scaleanchor"] = f"x{ax}"  # equal scales: angles and lengths read true
    for name, col in colours.items():  # legend entries for the roles
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", name=name,
                           marker=dict(color=col, size=9), showlegend=True))  # fmt: skip
    # margins: where the roles' legend pushes them
    layout.update(base_layout(title, height=150 + 230 * rows, margin=dict(r=160)), template=_PANELS)
    return traces, layout


def _names(labels: list[str], roles: dict[int, str], T: int) -> list[str]:
    if len(labels) != T:
        raise ValueError(f"labels has {len(labels)} names for T={T} tokens")
    return [
        f"{lab} (position {t}{', ' + roles[t] if t in roles else ''})"
        for t, lab in enumerate(labels)
    ]


def head_planes_figure(
    view: HeadView, labels: list[str], roles: dict[int, str] | None = None
) -> go.Figure:
    """One small panel per head: every token's key (a point) and one token's query (an
    arrow from the origin) in that head's own query/key space.

    ``view`` holds the points (``helpers.geometry.head_view``) and ``labels`` the T token
    names. The score of a key is the dot product of its point with the arrow (divided by
    √d_k); marker size is the attention weight the query gives it. ``roles`` names and
    colours positions of interest (e.g. ``{6: "prev", 2: "match"}``).
    """
    roles = roles or {}
    h, T, _ = view.keys.shape
    names = _names(labels, roles, T)
    scores, weights = view.scores.tolist(), view.weights.tolist()
    hovers = [
        [
            f"key of {names[t]}<br>score q·k/√d_k = {scores[j][t]:.2f}"
            f"<br>weight = {weights[j][t]:.2f}"
            for t in range(T)
        ]
        for j in range(h)
    ]
    title = (
        f"h = {h} heads, d_k = {view.d_k}: keys (points, size = attention weight) "
        "and the query (arrow)"
    )
    if view.d_k > 2:
        title += "; d_k > 2 drawn as a 2-D PCA (% of spread kept)"
    titles = [_panel_title(j, view.d_k, kept) for j, kept in enumerate(view.kept)]
    sizes = (6 + 22 * view.weights.double()).tolist()  # (h, T)
    traces, layout = _head_grid(view.keys, sizes, hovers, labels, roles, titles, title)
    query = view.query.round(decimals=3).tolist()  # (h, 2)
    arrows = [
        dict(
            x=query[j][0],
            y=query[j][1],
            ax=0,
            ay=0,
            xref=f"x{j + 1 if j else ''}",
            yref=f"y{j + 1 if j else ''}",
            axref=f"x{j + 1 if j else ''}",
            ayref=f"y{j + 1 if j else ''}",
            text="",
            showarrow=True,
            arrowhead=2,
            arrowsize=1.2,
            arrowwidth=2,
            arrowcolor="black",
        )
        for j in range(h)
    ]  # fmt: skip  (annotations are cheaper than traces)
    layout["annotations"] = [*arrows, *layout["annotations"]]
    legend = f"query of {labels[view.position]}"
    traces.append(dict(type="scatter", x=[None], y=[None], mode="lines", showlegend=True,
                       name=legend, line=dict(color="black")))  # fmt: skip
    for trace in traces[:h]:
        trace["name"] = trace["name"].replace("tokens", "keys")
    return go.Figure(data=traces, layout=layout)


def value_space_figure(
    view: ValueView, labels: list[str], roles: dict[int, str] | None = None
) -> go.Figure:
    """One small panel per head: every token's value (a point) and one token's output
    ``z = Σ_t w_t v_t`` (a black star) in that head's value space.

    ``z`` is a weighted average of the points, so it lies inside them: on a point when the
    head looks at one token, between points when it splits its weight. ``view`` comes from
    ``helpers.geometry.value_view``; the panel title gives z's distance (in all d_k
    dimensions) to the values of the positions ``roles`` names.
    """
    roles = roles or {}
    h, T, _ = view.values.shape
    names = _names(labels, roles, T)
    dist = view.distances.tolist()  # (h, T)
    hovers = [
        [f"value of {names[t]}<br>‖z − v‖ = {dist[j][t]:.2f}" for t in range(T)] for j in range(h)
    ]
    near = sorted(roles.items())
    titles = [
        _panel_title(
            j,
            view.d_k,
            kept,
            "<br>" + ", ".join(f"{n.split()[0]} {dist[j][t]:.2f}" for t, n in near),
        )
        for j, kept in enumerate(view.kept)
    ]
    title = (
        f"h = {h} heads, d_k = {view.d_k}: values (points) and the output z of "
        f"{labels[view.position]} (star); panel titles: ‖z − v‖"
    )
    traces, layout = _head_grid(view.values, [[8] * T] * h, hovers, labels, roles, titles, title)
    layout["margin"] = dict(layout["margin"], t=110)  # panel titles take two lines
    z = view.z.round(decimals=3).tolist()  # (h, 2)
    for j in range(h):
        ax = str(j + 1) if j else ""
        star = dict(symbol="star-open", size=16, color="black", line=dict(width=2))
        traces.append(dict(type="scatter", x=[z[j][0]], y=[z[j][1]], mode="markers",
                           xaxis=f"x{ax}", yaxis=f"y{ax}", marker=star,
                           hovertext=[f"output z of {labels[view.position]}, head {j}"],
                           name=f"z, head {j}"))  # fmt: skip
    traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", showlegend=True,
                       name=f"output z of {labels[view.position]}",
                       marker=dict(symbol="star-open", size=12, color="black")))  # fmt: skip
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
        if (
            w.dim() != 3
            or w.shape[0] != n
            or w.shape[1] != h
            or any(len(lab) != w.shape[2] for lab in labels)
        ):
            raise ValueError(
                f"weights[{h}] has shape {list(w.shape)}; "
                f"expected [{n}, {h}, T] with {n} label lists of T names"
            )
    hs = list(weights)
    fig = make_subplots(
        rows=len(hs),
        cols=n,
        horizontal_spacing=0.03,
        vertical_spacing=0.1,
        row_heights=[h + 1 for h in hs],
        subplot_titles=[f"h = {h}, input {i}" for h in hs for i in range(n)],
    )
    for r, h in enumerate(hs, start=1):
        for i in range(n):
            z = [[round(float(v), 2) for v in row] for row in weights[h][i]]
            fig.add_trace(
                go.Heatmap(
                    z=z,
                    x=labels[i],
                    y=[f"head {j}" for j in range(h)],
                    zmin=0,
                    zmax=1,
                    colorscale=HEATMAP,
                    showscale=r == 1 and i == n - 1,
                    colorbar=dict(title="weight"),
                    texttemplate="%{z:.2f}",
                    textfont=dict(size=9),
                    hovertemplate=f"h = {h}, %{{y}} → %{{x}}: weight %{{z:.2f}}<extra></extra>",
                    xgap=1,
                    ygap=1,
                ),
                row=r,
                col=i + 1,
            )
            fig.update_xaxes(
                tickangle=-45, tickfont=dict(size=10), showticklabels=r == len(hs), row=r, col=i + 1
            )
            fig.update_yaxes(autorange="reversed", showticklabels=i == 0, row=r, col=i + 1)
    return styled(fig, title, height=190 + sum(34 + 22 * h for h in hs))


# --------------------------------------------------------------------------- the sweep


def sweep_figure(summary: list[dict], rows: list[dict], paper: list[dict]) -> go.Figure:
    """Left: our held-out accuracy against h (every seed a dot; the mean, its bar spanning the
    lowest to the highest seed). Right: the paper's Table 3 (A), BLEU against h. Both x axes
    are h on a log scale with the same ticks, so the same h sits at the same place. ``summary``
    comes from ``helpers.tasks.sweep.summarize``; ``paper`` from ``PAPER_TABLE_3A``."""
    d_model = rows[0]["d_k"] * rows[0]["h"]
    seeds = {s["h"]: [r["accuracy"] for r in rows if r["h"] == s["h"]] for s in summary}
    means = [round(s["mean"], 4) for s in summary]
    highs = [round(max(seeds[s["h"]]) - s["mean"], 4) for s in summary]
    lows = [round(s["mean"] - min(seeds[s["h"]]), 4) for s in summary]
    layout = base_layout(
        "More heads at a fixed d_model: this experiment beside the paper", height=460
    )
    titles = [
        f"this task, d_model = {d_model}: held-out accuracy",
        "paper, Table 3 (A), d_model = 512: BLEU (dev)",
    ]
    layout |= panels(1, 2, titles, h_gap=0.12)
    hs = sorted({s["h"] for s in summary} | {p["h"] for p in paper})
    for axis in ("xaxis", "xaxis2"):
        layout[axis] |= dict(type="log", tickvals=hs, ticktext=[str(h) for h in hs],
                             title="heads h (log scale)")  # fmt: skip
    layout["yaxis"] |= dict(title="held-out accuracy (both parts right)", range=[0, 1.05])
    layout["yaxis2"] |= dict(title="BLEU (higher is better)")
    seed_text = [
        f"h={r['h']} (d_k={r['d_k']}), seed {r['seed']}: {r['accuracy']:.3f}" for r in rows
    ]
    mean_text = [
        f"h={s['h']} (d_k={s['d_k']}): mean {s['mean']:.3f} ± {s['std']:.3f} (n={s['n']})"
        for s in summary
    ]
    paper_text = [f"h={p['h']}, d_k={p['d_k']}: BLEU {p['bleu']}, PPL {p['ppl']}" for p in paper]
    data = [
        dict(type="scatter", x=[r["h"] for r in rows], y=[r["accuracy"] for r in rows],
             mode="markers", marker=dict(color=color(9), size=7, opacity=0.7), name="one seed",
             hovertext=seed_text, hoverinfo="text"),
        dict(type="scatter", x=[s["h"] for s in summary], y=means, mode="lines+markers",
             error_y=dict(type="data", symmetric=False, array=highs, arrayminus=lows, visible=True),
             marker=dict(color=color(0), size=11), name="mean over seeds (bar: lowest to highest)",
             hovertext=mean_text, hoverinfo="text"),
        dict(type="scatter", x=[p["h"] for p in paper], y=[p["bleu"] for p in paper],
             mode="lines+markers", marker=dict(color=color(1), size=11), name="paper BLEU",
             xaxis="x2", yaxis="y2", hovertext=paper_text, hoverinfo="text"),
    ]  # fmt: skip
    return go.Figure(data=data, layout=layout)

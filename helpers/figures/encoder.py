"""The encoder stack in pictures: positional encoding, the flow chart, the layer × head grid."""

from __future__ import annotations

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from helpers.figures.attention_maps import attention_trace
from helpers.figures.style import DIVERGING, HEATMAP, base_layout, color, panels, styled

__all__ = [
    "positional_encoding_figure",
    "encoder_flow_figure",
    "attention_grid_figure",
    "layer_head_figure",
]


# --------------------------------------------------------------------------- positions


def positional_encoding_figure(pe: torch.Tensor) -> go.Figure:
    """Heatmap of a ``[T, d_model]`` positional encoding: one row per position."""
    if pe.dim() != 2:
        raise ValueError(f"pe must be [T, d_model], got shape {list(pe.shape)}")
    T, d_model = pe.shape
    fig = go.Figure(
        go.Heatmap(
            z=pe.detach().float().round(decimals=3).numpy(),  # numpy: stored compactly
            colorscale=DIVERGING,
            zmin=-1,
            zmax=1,
            colorbar=dict(title="value"),
            hovertemplate="position %{y}, feature %{x}<br>PE = %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="feature of the token vector (even: sin, odd: cos; frequency falls →)")
    fig.update_yaxes(title="position in the sequence", autorange="reversed")
    return styled(
        fig, f"Sinusoidal positional encoding: {T} positions × d_model = {d_model}", height=420
    )


# --------------------------------------------------------------------------- flow chart


def _tint(hex_color: str, alpha: float = 0.2) -> str:
    """``"#4C78A8"`` -> ``"rgba(76, 120, 168, 0.2)"`` (plotly 5 takes no 8-digit hex)."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _box(fig, x0, y0, x1, y1, text, hover, fill="#ffffff", line="#555555", size=12, dash=None):
    fig.add_shape(
        type="rect",
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        fillcolor=fill,
        line=dict(color=line, width=1.5, dash=dash),
        layer="below",
    )
    fig.add_annotation(
        x=(x0 + x1) / 2, y=(y0 + y1) / 2, text=text, showarrow=False, font=dict(size=size)
    )
    return ((x0 + x1) / 2, (y0 + y1) / 2, hover)


def _arrow(fig, x0, y0, x1, y1, text="", color="#555555"):
    fig.add_annotation(
        x=x1,
        y=y1,
        ax=x0,
        ay=y0,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text=text,
        showarrow=True,
        arrowhead=2,
        arrowsize=1,
        arrowwidth=1.3,
        arrowcolor=color,
        font=dict(size=11),
    )


def encoder_flow_figure(h: int = 8, d_model: int = 512, n_layers: int = 6) -> go.Figure:
    """The flow chart: X → per-head W_Q/W_K/W_V → Z0 … Z(h-1) → concat → W_O → Z (left),
    inside a stack where encoder #1 reads encoder #0's output (right). Hover for shapes."""
    if not 1 <= h <= 16 or d_model % h != 0:
        raise ValueError(f"h={h} must divide d_model={d_model} and be at most 16 to draw")
    if n_layers < 2:
        raise ValueError(f"n_layers={n_layers} must be >= 2 to show one encoder reading another")
    d_k = d_model // h
    fig = go.Figure()
    hovers = []
    top, bottom = 9.0, 0.6
    row = (top - bottom) / h

    # left: inside one multi-head self-attention
    fig.add_shape(
        type="rect",
        x0=-0.3,
        y0=0.1,
        x1=10.9,
        y1=9.9,
        line=dict(color="#999", dash="dot"),
        layer="below",
    )
    fig.add_annotation(
        x=-0.2,
        y=9.6,
        xanchor="left",
        showarrow=False,
        font=dict(size=13),
        text="<b>inside the multi-head self-attention of every encoder</b>",
    )
    mid = (top + bottom) / 2
    hovers.append(
        _box(
            fig,
            0,
            mid - 0.6,
            1.4,
            mid + 0.6,
            f"X<br>[B, T, {d_model}]",
            f"X: the input of this encoder, [B, T, d_model={d_model}]",
        )
    )
    concat = _box(
        fig,
        7.0,
        bottom,
        7.9,
        top,
        "c<br>o<br>n<br>c<br>a<br>t",
        f"concatenate the {h} heads: [B, T, h·d_k = {h}·{d_k} = {d_model}]",
        fill="#f4f4f4",
    )
    hovers.append(concat)
    for j in range(h):
        y = top - (j + 0.5) * row
        half = min(0.38, row * 0.4)
        hovers.append(
            _box(
                fig,
                2.2,
                y - half,
                4.6,
                y + half,
                " ".join(f"W<sub>{m}</sub><sup>({j})</sup>" for m in "QKV"),
                f"head {j}: its own {d_model} × {d_k} projections W_Q, W_K, W_V "
                f"(= rows {j * d_k}–{(j + 1) * d_k - 1} of the big ones)",
                fill=_tint(color(j)),
                line=color(j),
                size=11,
            )
        )
        hovers.append(
            _box(
                fig,
                5.4,
                y - half,
                6.4,
                y + half,
                f"Z{j}",
                f"Z{j} = softmax(Q{j} K{j}ᵀ / √{d_k}) V{j}: [B, T, d_k={d_k}]",
                fill=_tint(color(j)),
                line=color(j),
                size=11,
            )
        )
        _arrow(fig, 1.4, mid, 2.2, y, color="#888")
        _arrow(fig, 4.6, y, 5.4, y, color=color(j))
        _arrow(fig, 6.4, y, 7.0, y, color=color(j))
    hovers.append(
        _box(
            fig,
            8.4,
            mid - 0.6,
            9.2,
            mid + 0.6,
            "W<sub>O</sub>",
            f"W_O: one {d_model} × {d_model} map that mixes the heads",
        )
    )
    hovers.append(
        _box(
            fig,
            9.5,
            mid - 0.6,
            10.7,
            mid + 0.6,
            f"Z<br>[B, T, {d_model}]",
            f"Z: the attention output, [B, T, d_model={d_model}], same shape as X",
        )
    )
    _arrow(fig, 7.9, mid, 8.4, mid)
    _arrow(fig, 9.2, mid, 9.5, mid)

    # right: the stack, read bottom to top as in the paper
    sx0, sx1 = 12.0, 15.6
    hovers.append(
        _box(
            fig,
            sx0,
            0.2,
            sx1,
            1.1,
            "token vectors + positional encoding",
            f"embedding of each token plus its sinusoidal position: [B, T, {d_model}]",
            fill="#f4f4f4",
            size=11,
        )
    )
    levels = [(1.7, 4.3, 0), (5.0, 7.6, 1)]
    for y0, y1, i in levels:
        fig.add_shape(
            type="rect",
            x0=sx0,
            y0=y0,
            x1=sx1,
            y1=y1,
            line=dict(color="#333", width=2),
            fillcolor="#fbfbfb",
            layer="below",
        )
        fig.add_annotation(
            x=sx0 + 0.1,
            y=y1 - 0.04,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            text=f"<b>encoder #{i}</b>",
            font=dict(size=12),
        )
        parts = ["multi-head self-attention", "add & norm", "feed-forward (d_ff)", "add & norm"]
        step = (y1 - y0 - 0.55) / len(parts)
        for k, part in enumerate(parts):
            py = y0 + 0.1 + (k + 0.5) * step
            fill = "#dbe7f3" if k == 0 else "#ffffff"
            hovers.append(
                _box(
                    fig,
                    sx0 + 0.3,
                    py - step * 0.38,
                    sx1 - 0.3,
                    py + step * 0.38,
                    part,
                    f"encoder #{i}: {part}; every step keeps [B, T, {d_model}]",
                    fill=fill,
                    size=10,
                )
            )
        if i == 1:
            zoom_y = y0 + 0.1 + 0.5 * step
    _arrow(fig, (sx0 + sx1) / 2, 1.1, (sx0 + sx1) / 2, 1.7)
    _arrow(fig, (sx0 + sx1) / 2, 4.3, (sx0 + sx1) / 2, 5.0, color="#E45756")
    fig.add_annotation(
        x=sx1 + 0.1,
        y=4.65,
        xanchor="left",
        showarrow=False,
        font=dict(size=11, color="#E45756"),
        text="output of #0<br>= input of #1",
    )
    fig.add_annotation(
        x=(sx0 + sx1) / 2,
        y=8.25,
        showarrow=False,
        font=dict(size=11),
        text=f"⋮ encoders #2 … #{n_layers - 1},<br>each reads the one below",
    )
    hovers.append(
        _box(
            fig,
            sx0,
            8.9,
            sx1,
            9.7,
            f"output [B, T, {d_model}]",
            f"the output of encoder #{n_layers - 1}: still [B, T, {d_model}]",
            fill="#f4f4f4",
            size=11,
        )
    )
    _arrow(fig, (sx0 + sx1) / 2, 7.6, (sx0 + sx1) / 2, 7.85)
    _arrow(fig, (sx0 + sx1) / 2, 8.65, (sx0 + sx1) / 2, 8.9)
    fig.add_shape(
        type="line", x0=10.9, y0=9.9, x1=sx0 + 0.3, y1=zoom_y, line=dict(color="#999", dash="dot")
    )
    fig.add_shape(
        type="line", x0=10.9, y0=0.1, x1=sx0 + 0.3, y1=zoom_y, line=dict(color="#999", dash="dot")
    )

    xs, ys, texts = zip(*hovers, strict=True)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            marker=dict(size=18, opacity=0),
            hovertext=texts,
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_xaxes(visible=False, range=[-0.4, 17.2])
    fig.update_yaxes(visible=False, range=[0, 10])
    return styled(
        fig,
        f"Multi-head attention (h = {h}) inside a stack of {n_layers} encoders",
        height=520,
        width=1000,
    )


# --------------------------------------------------------------------------- attention maps


def _check_maps(weights: list[torch.Tensor], labels: list[str]) -> tuple[int, int, int]:
    if not weights or any(w.dim() != 3 for w in weights):
        raise ValueError("weights must be a list with one [h, T, T] tensor per layer (one example)")
    h, T, _ = weights[0].shape
    if len(labels) != T:
        raise ValueError(f"labels has {len(labels)} entries but the maps have T={T} tokens")
    return len(weights), h, T


def _big_trace(w: torch.Tensor, labels: list[str], name: str) -> go.Heatmap:
    """One ``[T, T]`` map as the series' attention heatmap (numbers in the cells), on the
    shared colour axis."""
    trace = attention_trace(
        w, labels
    )  # the trace of attention_heatmap, without building its figure
    return trace.update(coloraxis="coloraxis", hovertemplate=f"{name}: " + trace.hovertemplate)


def _thumb_trace(w: torch.Tensor, labels: list[str], name: str, **axes) -> dict:
    """One small ``[T, T]`` map of the grid: weights only (2 decimals, stored compactly)."""
    return dict(
        type="heatmap",
        z=w.detach().float().round(decimals=2).numpy(),
        x=labels,
        y=labels,
        coloraxis="coloraxis",
        **axes,
        hovertemplate=f"{name}<br>query %{{y}} → key %{{x}}: weight %{{z:.2f}}<extra></extra>",
    )


def _grid_traces(fig, weights, labels, row0: int, col0: int) -> None:
    for layer, w in enumerate(weights):  # (h, T, T)
        for head in range(w.shape[0]):
            fig.add_trace(
                _thumb_trace(w[head], labels, f"layer {layer}, head {head}"),
                row=row0 + layer,
                col=col0 + head,
            )


def _shared_scale(fig: go.Figure) -> None:
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed")
    fig.update_layout(
        coloraxis=dict(colorscale=HEATMAP, cmin=0, cmax=1, colorbar=dict(title="weight", x=1.07))
    )


def attention_grid_figure(weights: list[torch.Tensor], labels: list[str]) -> go.Figure:
    """Every attention map of one example: rows = layers, columns = heads (BertViz's model view).

    ``weights`` is a list with one ``[h, T, T]`` tensor per layer; ``labels`` names the T tokens.
    """
    n_layers, h, T = _check_maps(weights, labels)
    fig = make_subplots(
        rows=n_layers,
        cols=h,
        horizontal_spacing=0.02,
        vertical_spacing=0.08,
        row_titles=[f"layer {i}" for i in range(n_layers)],
        column_titles=[f"head {j}" for j in range(h)],
    )
    _grid_traces(fig, weights, labels, 1, 1)
    _shared_scale(fig)
    # the token names once, on the outer maps: keys under the bottom row, queries left of column 0
    outer = dict(showticklabels=True, tickfont=dict(size=9))
    fig.update_xaxes(**outer, tickangle=-90, row=n_layers)
    fig.update_yaxes(**outer, col=1)
    return styled(
        fig,
        "Attention maps, layer × head (row = query token, column = key token)",
        height=180 + 170 * n_layers,
    )


def layer_head_figure(
    weights: list[torch.Tensor], labels: list[str], layer: int, head: int
) -> go.Figure:
    """One map large (``layer``, ``head``) beside the layer × head grid, that cell outlined.

    The grid is one heatmap: the ``n_layers × h`` small maps tiled with a blank row and
    column between them (one trace on one pair of axes: it sits behind two dropdowns, and
    plotly draws one subplot far faster than ``n_layers × h`` of them).
    """
    n_layers, h, T = _check_maps(weights, labels)
    if layer not in range(n_layers) or head not in range(h):
        raise ValueError(
            f"layer={layer}, head={head}: choose layer in 0…{n_layers - 1}, head in 0…{h - 1}"
        )
    big_x1 = 0.47  # the big map takes the left half; the grid the right half (paper units)
    ticks = dict(tickvals=list(range(T)), ticktext=labels, showticklabels=True)
    layout = panels(1, 2, h_gap=0.05, col_widths=[big_x1, 1 - big_x1 - 0.05])
    layout["xaxis"] |= dict(title="key (attended to)", **ticks)
    layout["yaxis"] |= dict(title="query (attending)", autorange="reversed", **ticks)
    step = T + 1  # a map and the blank line after it
    hidden = dict(showticklabels=False, showgrid=False, zeroline=False)
    layout["xaxis2"] |= dict(range=[-0.5, h * step - 1.5], **hidden)
    layout["yaxis2"] |= dict(range=[n_layers * step - 1.5, -0.5], **hidden)
    z = [[None] * (h * step - 1) for _ in range(n_layers * step - 1)]
    cells = [[None] * (h * step - 1) for _ in range(n_layers * step - 1)]
    for i, w in enumerate(weights):  # (h, T, T)
        maps = w.detach().float().round(decimals=2).tolist()
        for j in range(h):
            for q in range(T):
                row = i * step + q
                for k in range(T):
                    z[row][j * step + k] = maps[j][q][k]
                    cells[row][j * step + k] = [i, j, labels[q], labels[k]]
    grid = dict(
        type="heatmap",
        z=z,
        customdata=cells,
        coloraxis="coloraxis",
        hoverongaps=False,
        xaxis="x2",
        yaxis="y2",
        hovertemplate="layer %{customdata[0]}, head %{customdata[1]}<br>query "
        "%{customdata[2]} → key %{customdata[3]}: weight %{z:.2f}<extra></extra>",
    )
    traces = [_big_trace(weights[layer][head], labels, f"layer {layer}, head {head}"), grid]
    layout.update(
        base_layout(
            "One attention map, and where it sits in the layer × head grid",
            height=460,
            margin=dict(r=158, b=55),  # where the colour bar and the token labels push them
        ),
        coloraxis=dict(colorscale=HEATMAP, cmin=0, cmax=1, colorbar=dict(title="weight", x=1.07)),
        shapes=[
            dict(
                type="rect",
                xref="x2",
                yref="y2",
                line=dict(color="#E45756", width=3),
                x0=head * step - 0.5,
                x1=head * step + T - 0.5,
                y0=layer * step - 0.5,
                y1=layer * step + T - 0.5,
            )
        ],
        annotations=[
            dict(
                text=f"layer {layer}, head {head}",
                x=big_x1 / 2,
                y=1,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=16),
            ),
            dict(
                text=f"rows: layers 0…{n_layers - 1} · columns: heads 0…{h - 1}",
                x=1.0,
                y=1.02,
                xref="paper",
                yref="paper",
                xanchor="right",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=11),
            ),
        ],
    )
    return go.Figure(data=traces, layout=layout)

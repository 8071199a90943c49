"""Where the numbers of each head live: the cut of W_Q into heads, and merging heads back."""

from __future__ import annotations

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from helpers.figures.style import color, discrete_scale, styled


def projection_cut_figure(d_model: int, h: int) -> go.Figure:
    """W_Q.weight as a d_model × d_model grid, its output rows coloured by the head they feed.

    Head j uses output features j·d_k … (j+1)·d_k − 1: one big projection cut into h
    bands is h separate projections. ``nn.Linear`` stores its weight as out × in, so the
    paper's d_model × d_k matrix W_Q⁽ʲ⁾ is the d_k × d_model row block j of ``W_Q.weight``
    (transposed), plus bias entries j·d_k … (j+1)·d_k − 1.
    """
    d_k = d_model // h
    head_of_row = torch.arange(d_model) // d_k  # (d_model,)
    z = head_of_row[:, None].expand(d_model, d_model)  # (d_model out, d_model in)
    text = [[f"head {int(j)}" for _ in range(d_model)] for j in head_of_row]
    fig = go.Figure(
        go.Heatmap(
            z=z.tolist(),
            text=text,
            hovertemplate="output feature %{y}, input feature %{x}<br>%{text}<extra></extra>",
            colorscale=discrete_scale([color(j) for j in range(h)]),
            zmin=0,
            zmax=h,
            showscale=False,
            xgap=1,
            ygap=1,
        )
    )
    for j in range(h):
        fig.add_annotation(
            x=1.01,
            xref="paper",
            y=j * d_k + (d_k - 1) / 2,
            xanchor="left",
            showarrow=False,
            text=f"head {j}: rows {j * d_k}–{(j + 1) * d_k - 1}",
            font=dict(size=11),
        )
    fig.update_yaxes(autorange="reversed", title="output feature = row of W_Q.weight")
    fig.update_xaxes(title="input feature (column of x)")
    return styled(
        fig,
        f"One W_Q.weight ({d_model} × {d_model}) = {h} row blocks of {d_k} × {d_model}, "
        "one per head",
        height=460,
    ).update_layout(margin=dict(r=170))


def merge_figure(correct: torch.Tensor, wrong: torch.Tensor, d_k: int) -> go.Figure:
    """Side by side: which token each number of a merged ``[T, d_model]`` row came from.

    ``correct`` and ``wrong`` are ``[T, d_model, 2]`` integer tensors holding, for every
    position of the merged result, the (token, head) the number was computed for.
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.08,
        subplot_titles=(
            "transpose(1, 2) → contiguous() → view: each row is one token",
            "view straight from [h, T, d_k]: rows mix tokens",
        ),
    )
    T = correct.shape[0]
    for col, labels in ((1, correct), (2, wrong)):
        token = labels[..., 0]  # (T, d_model)
        head = labels[..., 1]  # (T, d_model)
        text = [
            [f"t{t}h{hh}" for t, hh in zip(tr, hr, strict=True)]
            for tr, hr in zip(token.tolist(), head.tolist(), strict=True)
        ]
        fig.add_trace(
            go.Heatmap(
                z=token.tolist(),
                text=text,
                texttemplate="%{text}",
                textfont=dict(size=9),
                colorscale=discrete_scale([color(t) for t in range(T)]),
                zmin=0,
                zmax=T,
                showscale=False,
                xgap=1,
                ygap=1,
                hovertemplate="row %{y}, column %{x}: token %{z}<extra>%{text}</extra>",
            ),
            row=1,
            col=col,
        )
    fig.update_yaxes(
        autorange="reversed", title=f"row of the merged [{T}, {correct.shape[1]}]", col=1
    )
    fig.update_yaxes(autorange="reversed", col=2)
    fig.update_xaxes(title=f"feature (head j owns columns j·{d_k} … j·{d_k}+{d_k - 1})", col=1)
    fig.update_xaxes(
        title=f"feature (head j no longer owns columns j·{d_k} … j·{d_k}+{d_k - 1})", col=2
    )
    styled(
        fig,
        "Merging heads: colour = the token a number belongs to; tNhM = token N, head M",
        height=340,
    )
    return fig.update_layout(margin=dict(t=90))

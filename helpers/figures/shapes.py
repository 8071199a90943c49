"""The shape walk of multi-head self-attention as one figure (numbers: :mod:`helpers.shape_walk`).

Each stage of ``MultiHeadSelfAttention.forward`` (input → ``W_V`` → ``view`` →
``transpose(1, 2)`` → attention per head → ``transpose(1, 2)`` → ``contiguous().view`` →
``W_O``) is one band of cells, labelled with its op and the shape torch produced, e.g.
``[3, 4, 8, 2]``. A band shows batch element 0: a 3-D stage ``[B, T, d_model]`` as a
T × d_model grid, a 4-D stage ``[B, a, b, c]`` as a blocks of b × c side by side. Every
cell is coloured by the token (or the head) its number belongs to, so one token's numbers
can be followed through ``view`` and ``transpose``.

The stage labels are the y-axis tick labels (SVG ``text`` in the ``ytick`` group) and are
also stored, machine-readable, in ``fig.layout.meta["stages"]``.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from helpers.figures.style import LIGHT_GREY, PALETTE, discrete_scale
from helpers.shape_walk import ShapeWalk

__all__ = ["COLOUR_BY", "shape_walk_figure"]

COLOUR_BY = ("token", "head")
MAX_BLOCKS = 16  # at most this many blocks (the a of [a, b, c]) drawn per stage
MAX_ROWS = 16  # at most this many rows per block
MAX_WIDTH = 48  # at most this many columns per stage, gaps included
CELL_PX = 18  # largest cell, in pixels
LABEL_PX = 330  # room on the left for the stage labels

# Which numbers each hover names, by stage: before W_V and after W_O a feature belongs
# to no head (W_V and W_O mix all of them).
_PER_HEAD = {
    "project",
    "cut into heads",
    "heads first",
    "attention per head",
    "tokens first again",
    "concatenate heads",
}


def _sample(n: int, most: int) -> tuple[np.ndarray, int]:
    """Every s-th index of ``range(n)`` so that at most ``most`` remain; returns (indices, s)."""
    step = max(1, math.ceil(n / most))
    return np.arange(0, n, step), step


def _band_colours(n: int) -> tuple[np.ndarray, int]:
    """Palette slot (1-based; 0 is grey) of labels 0..n-1: one colour each, or 16 bands."""
    slots = len(PALETTE)
    labels = np.arange(n)
    if n <= slots:
        return labels + 1, 1
    return labels * slots // n + 1, math.ceil(n / slots)


def _stage_grid(
    idx: np.ndarray, d_model: int, d_k: int, seq_len: int, h: int, colour_by: str, per_head: bool
):
    """One band: colour slots ``z`` and hover data ``[token, head, i, feature]`` per cell."""
    if idx.ndim == 2:  # [T, d_model] -> one block
        idx = idx[None]
    blocks, b_step = _sample(idx.shape[0], MAX_BLOCKS)
    rows, r_step = _sample(idx.shape[1], MAX_ROWS)
    per_block = max(1, MAX_WIDTH // len(blocks) - (1 if len(blocks) > 1 else 0))
    cols, c_step = _sample(idx.shape[2], per_block)
    shown = idx[np.ix_(blocks, rows, cols)]  # (blocks, rows, cols)
    token = (shown // d_model) % seq_len
    feature = shown % d_model
    head = feature // d_k
    if colour_by == "token":
        z = _band_colours(seq_len)[0][token]
    elif per_head:
        z = _band_colours(h)[0][head]
    else:
        z = np.zeros_like(token)
    gap = 1 if len(blocks) > 1 else 0
    n_b, n_r, n_c = shown.shape
    width = n_b * n_c + (n_b - 1) * gap
    grid = np.full((n_r, width), np.nan)
    data = np.zeros((n_r, width, 4))
    for j in range(n_b):  # blocks side by side, one empty column between them
        left = j * (n_c + gap)
        grid[:, left : left + n_c] = z[j]
        data[:, left : left + n_c] = np.stack([token[j], head[j], feature[j] % d_k, feature[j]], -1)
    return grid, data, (b_step, r_step, c_step)


def _hover(name: str, per_head: bool) -> str:
    if name == "attention per head":
        what = (
            "token %{customdata[0]}'s output in head %{customdata[1]}, number %{customdata[2]} "
            "(a weighted mix of every token's values)"
        )
    elif per_head:
        what = (
            "token %{customdata[0]}, head %{customdata[1]}, "
            "number %{customdata[2]} of the head (feature %{customdata[3]})"
        )
    else:
        what = "token %{customdata[0]}, feature %{customdata[3]} (belongs to no head)"
    return what + f"<extra>{name}</extra>"


def shape_walk_figure(walk: ShapeWalk, colour_by: str = "token") -> go.Figure:
    """The shape walk of one multi-head self-attention layer (``helpers.shape_walk.shape_walk``),
    one labelled band per stage.

    ``colour_by="token"`` colours every number by the token it belongs to (after
    attention: the query token whose output it is); ``"head"`` by the head it belongs to
    (grey where no head exists: the input and after ``W_O``). Bands show batch element 0;
    when a stage has more cells than fit, 1 block/row/column in s is drawn and the
    figure says so.
    """
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by={colour_by!r}; choose one of {', '.join(COLOUR_BY)}")
    batch, seq_len, d_model, h, d_k = walk.batch, walk.seq_len, walk.d_model, walk.h, walk.d_k
    n_labels = seq_len if colour_by == "token" else h
    slots, per_colour = _band_colours(n_labels)
    n_slots = int(slots.max()) + 1
    scale = discrete_scale([LIGHT_GREY] + PALETTE[: n_slots - 1])

    bands, sampled, stages = [], set(), []
    for step in walk.steps:
        idx = walk.where[step.name]
        per_head = step.name in _PER_HEAD
        grid, data, steps = _stage_grid(
            idx[0].numpy(), d_model, d_k, seq_len, h, colour_by, per_head
        )
        drawn = [
            f"1 {axis} in {s}"
            for axis, s in zip(("block", "row", "column"), steps, strict=True)
            if s > 1
        ]
        sampled.update(drawn)
        bands.append((step, grid, data, per_head, drawn))
        stages.append({"name": step.name, "op": step.op, "shape": step.shape})

    # bands top to bottom, two empty rows between; a colour key row on top
    width = max(max(grid.shape[1] for _, grid, *_ in bands), n_slots - 1)
    common = dict(x0=0, dx=1, dy=1, coloraxis="coloraxis", xgap=1, ygap=1, hoverongaps=False)
    key = [
        f"{colour_by[0]}{i * per_colour}"
        + (f"–{min(n_labels, (i + 1) * per_colour) - 1}" if per_colour > 1 else "")
        for i in range(n_slots - 1)
    ]
    cell = min(CELL_PX, (900 - LABEL_PX) / width)
    traces = [
        go.Heatmap(
            z=[list(range(1, n_slots))],
            y0=0,
            text=[key],
            texttemplate="%{text}" if per_colour == 1 and cell >= 14 else "",
            textfont=dict(size=10, color="white"),
            hovertemplate="%{text}<extra>colour key</extra>",
            **common,
        )
    ]
    bands_note = f" ({n_slots - 1} bands of {per_colour} {colour_by}s)" if per_colour > 1 else ""
    tickvals, ticktext = [0], [f"colour = {colour_by}{bands_note}"]
    y = 2
    for step, grid, data, per_head, drawn in bands:
        rows = grid.shape[0]
        traces.append(
            go.Heatmap(
                z=grid.astype(np.float32),
                customdata=data.astype(np.int16),
                y0=y,
                hovertemplate=_hover(step.name, per_head),
                name=step.name,
                **common,
            )
        )
        tickvals.append(y + (rows - 1) / 2)
        label = f"<b>{step.shape}</b>  {step.name}<br>{step.op}"
        if drawn:
            label += f"<br><span style='color:#888'>drawn: {', '.join(drawn)}</span>"
        ticktext.append(label)
        y += rows + 2
    height = y - 2

    note = f"batch element 0 of {batch} shown"
    if sampled:
        note += (
            "; d_model too large to draw every number: "
            "grey notes say what is drawn (hover for real indices)"
        )
    fig = go.Figure(
        data=traces,
        layout=dict(  # styled()'s look without plotly_white: that costs ~15 ms and ~11 KB a figure
            template="none",
            title=dict(
                text=f"Shape walk: d_model={d_model}, h={h}, d_k={d_k}<br><sup>{note}</sup>",
                x=0.01,
                xanchor="left",
            ),
            height=int(height * cell) + 110,
            width=LABEL_PX + int(width * cell) + 30,
            margin=dict(l=LABEL_PX, r=20, t=80, b=20),
            font=dict(size=13, color="#2a3f5f"),
            paper_bgcolor="white",
            plot_bgcolor="white",
            coloraxis=dict(colorscale=scale, cmin=-0.5, cmax=n_slots - 0.5, showscale=False),
            meta={"stages": stages, "sampled": sorted(sampled), "colour_by": colour_by},
            xaxis=dict(visible=False, range=[-0.5, width - 0.5], constrain="domain"),
            yaxis=dict(
                autorange="reversed",
                tickvals=tickvals,
                ticktext=ticktext,
                showgrid=False,
                zeroline=False,
                scaleanchor="x",
                tickfont=dict(size=11),
                ticks="outside",
                ticklen=8,
                tickcolor="rgba(0,0,0,0)",
            ),  # a gap before the squares
        ),
    )
    return fig

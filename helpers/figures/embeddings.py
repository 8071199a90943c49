"""Word vectors as pictures: one-hot matrices, similarity heatmaps, loss curves, the
embedding space projected to 2-D / 3-D and coloured by word family, a word's neighbours."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from helpers.figures.style import DIVERGING, HEATMAP, OTHER, base_layout, color, panels, styled


def _r(t: torch.Tensor, digits: int = 4) -> list:
    """A tensor as (nested) lists of rounded floats: small, stable plotly JSON."""

    def rounded(v):
        return [rounded(x) for x in v] if isinstance(v, list) else round(v, digits)

    return rounded(t.tolist())


def one_hot_figure(x: torch.Tensor, tokens: Sequence[str], words: Sequence[str]) -> go.Figure:
    """The one-hot matrix ``x [T, V]`` of a sentence: one row per token, one column per
    vocabulary word (``words``, in id order)."""
    if list(x.shape) != [len(tokens), len(words)]:
        raise ValueError(
            f"x has shape {list(x.shape)}; expected [T, V] = [{len(tokens)}, {len(words)}]"
        )
    rows = [f"{t}: {w}" for t, w in enumerate(tokens)]
    fig = go.Figure(
        go.Heatmap(
            z=x.int().tolist(),
            x=[f"{j}: {w}" for j, w in enumerate(words)],
            y=rows,
            colorscale=HEATMAP,
            zmin=0,
            zmax=1,
            xgap=1,
            ygap=2,
            hovertemplate="token %{y}<br>column %{x}<br>value %{z}<extra></extra>",
            colorbar=dict(title="value", tickvals=[0, 1]),
        )
    )
    fig.update_yaxes(autorange="reversed", title="token (position: word)")
    fig.update_xaxes(
        showticklabels=False, title=f"vocabulary id (0 … {len(words) - 1}, commonest word first)"
    )
    return styled(
        fig,
        f"One-hot matrix: {len(tokens)} tokens × {len(words)} vocabulary words",
        height=120 + 32 * len(tokens),
    )


def similarity_figure(
    words: Sequence[str], matrices: Mapping[str, torch.Tensor], title: str | None = None
) -> go.Figure:
    """Cosine-similarity heatmaps of the same words, side by side (one per named matrix)."""
    fig = make_subplots(
        rows=1, cols=len(matrices), subplot_titles=list(matrices), horizontal_spacing=0.12
    )
    for col, sims in enumerate(matrices.values(), start=1):
        values = _r(sims, 2)
        fig.add_trace(
            go.Heatmap(
                z=values,
                x=list(words),
                y=list(words),
                zmin=-1,
                zmax=1,
                colorscale=DIVERGING,
                text=[[f"{v:.2f}" for v in row] for row in values],
                texttemplate="%{text}",
                hovertemplate="cos(%{y}, %{x}) = %{z:.2f}<extra></extra>",
                colorbar=dict(title="cosine"),
                showscale=col == len(matrices),
            ),
            row=1,
            col=col,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=col)
    return styled(fig, title or "Cosine similarity between words", height=460)


def loss_figure(
    curves: Mapping[str, Sequence[float]], initial: float | None = None, every: int = 1
) -> go.Figure:
    """Training loss, one line per named run, each point the mean over ``every`` steps (a
    mini-batch loss is noisy, and fewer points keep the stored figure small); a dashed line
    at the untrained loss."""
    if every < 1:
        raise ValueError(f"every must be at least 1 (steps per point), got {every}")
    fig = go.Figure()
    for i, (name, losses) in enumerate(curves.items()):
        blocks = [losses[s : s + every] for s in range(0, len(losses), every)]
        fig.add_trace(
            go.Scatter(
                x=list(range(0, len(losses), every)),
                y=[round(sum(b) / len(b), 3) for b in blocks],
                mode="lines",
                name=name,
                line=dict(color=color(i)),
                hovertemplate=f"{name}<br>steps %{{x}}+<br>mean loss %{{y:.3f}}<extra></extra>",
            )
        )
    if initial is not None:
        fig.add_hline(
            y=round(initial, 4),
            line_dash="dash",
            line_color="grey",
            annotation_text=f"untrained: {initial:.3f}",
            annotation_position="top right",
        )
    fig.update_xaxes(title="training step (one mini-batch of pairs per step)")
    fig.update_yaxes(
        title="negative-sampling loss" + (f" (mean of {every} steps)" if every > 1 else "")
    )
    return styled(fig, "Skip-gram training loss", height=380)


def _family_of(words: Sequence[str], families: Mapping[str, Sequence[str]]) -> list[str | None]:
    lookup = {w: f for f, members in families.items() for w in members}
    return [lookup.get(w) for w in words]


def _scatter(points: torch.Tensor, **kw) -> go.Scatter | go.Scatter3d:
    p = _r(points, 3)
    if points.shape[1] == 3:
        return go.Scatter3d(x=[q[0] for q in p], y=[q[1] for q in p], z=[q[2] for q in p], **kw)
    return go.Scatter(x=[q[0] for q in p], y=[q[1] for q in p], **kw)


_POSITIONS = [
    "middle right",
    "top right",
    "top center",
    "top left",
    "middle left",
    "bottom left",
    "bottom center",
    "bottom right",
]


def _outward(points: torch.Tensor) -> list[str]:
    """A label position per point, pointing away from the group's centre (first two
    coordinates): the words of a tight family fan out instead of printing on each other."""
    offset = points[:, :2] - points[:, :2].mean(0)  # (n, 2)
    angle = torch.atan2(offset[:, 1], offset[:, 0])  # (n,) in (-π, π]
    sector = torch.round(angle / (math.pi / 4)).long() % 8  # (n,): 8 compass directions
    return [_POSITIONS[s] for s in sector.tolist()]


def embedding_figure(
    points: torch.Tensor,
    words: Sequence[str],
    families: Mapping[str, Sequence[str]],
    highlight: str | None = None,
    neighbours: Sequence[tuple[str, float]] = (),
    title: str = "Word vectors, projected by PCA",
    shares: Sequence[float] | None = None,
) -> go.Figure:
    """Every word as a point (``points`` is ``(V, 2)`` or ``(V, 3)``), coloured by family,
    hover shows the word; optionally one word highlighted and its neighbours ringed.

    ``shares`` (optional, one per axis): the share of the spread each principal component
    shows, e.g. ``[0.166, 0.15]``; the axis titles then say it ("… 1 (16.6 % of the spread)").
    """
    if points.shape[0] != len(words) or points.shape[1] not in (2, 3):
        raise ValueError(
            f"points must be (len(words), 2 or 3) = ({len(words)}, 2|3), got {list(points.shape)}"
        )
    if shares is not None and len(shares) != points.shape[1]:
        raise ValueError(f"shares has {len(shares)} entries; give one per axis ({points.shape[1]})")
    three_d = points.shape[1] == 3
    family = _family_of(words, families)
    traces = []
    groups = [(None, "other words", OTHER)] + [(f, f, color(i)) for i, f in enumerate(families)]
    for key, name, c in groups:
        idx = [i for i, f in enumerate(family) if f == key]
        if not idx:
            continue
        traces.append(
            _scatter(
                points[idx],
                name=name,
                text=[words[i] for i in idx],
                mode="markers" if key is None else "markers+text",
                textposition=_outward(points[idx]),
                marker=dict(
                    color=c, size=4 if key is None else 7, opacity=0.5 if key is None else 0.9
                ),
                hovertemplate="%{text}" + f" ({name})<extra></extra>",
            )
        )
    if highlight is not None:
        index = {w: i for i, w in enumerate(words)}
        if neighbours:
            near = [index[w] for w, _ in neighbours]
            traces.append(
                _scatter(
                    points[near],
                    name="nearest neighbours",
                    mode="markers",
                    text=[f"{w}: cos {s:.2f}" for w, s in neighbours],
                    marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(color="black", width=2)),
                    hovertemplate="%{text}<extra>neighbour</extra>",
                )
            )
        traces.append(
            _scatter(
                points[[index[highlight]]],
                name=highlight,
                mode="markers+text",
                text=[highlight],
                textposition="bottom center",
                textfont=dict(size=16, color="black"),
                marker=dict(size=18, color="black", symbol="diamond" if three_d else "star"),
                hovertemplate="%{text}<extra>chosen word</extra>",
            )
        )
    # one go.Figure call: this figure sits behind a slider; margins: where the axis titles and
    # the families' legend push them
    layout = base_layout(title, height=560, margin=dict(l=65, r=190, b=55))

    def axis(i: int, name: str) -> str:
        share = "" if shares is None else f" ({100 * shares[i]:.1f} % of the spread)"
        return f"{name} {i + 1}{share}"

    if three_d:
        layout["scene"] = dict(
            xaxis_title=axis(0, "PC"), yaxis_title=axis(1, "PC"), zaxis_title=axis(2, "PC")
        )
    else:
        layout |= dict(
            xaxis=dict(title=axis(0, "principal component")),
            yaxis=dict(title=axis(1, "principal component")),
        )
    return go.Figure(data=traces, layout=layout)


def training_frames_figure(
    frames: Mapping[int, torch.Tensor],
    words: Sequence[str],
    families: Mapping[str, Sequence[str]],
    captions: Mapping[int, str] | None = None,
    title: str = "Word vectors during training",
) -> go.Figure:
    """The same words at several training steps: ``frames`` maps a step to the words' 2-D
    points ``(len(words), 2)``; a slider moves between the steps (plotly frames).

    Words are coloured by family as in :func:`embedding_figure`; the axes stay fixed across
    steps, so a point's movement on screen is its movement in the space. The figure opens on
    the last step; ``captions[step]`` (e.g. the family separation) joins the title of each step.
    """
    if not frames:
        raise ValueError("training_frames_figure needs at least one step")
    for step, points in frames.items():
        if list(points.shape) != [len(words), 2]:
            raise ValueError(
                f"step {step}: points must be (len(words), 2) = ({len(words)}, 2), "
                f"got {list(points.shape)}; project every step on the same two axes first"
            )
    family = _family_of(words, families)
    groups = [(None, "other words", OTHER)] + [(f, f, color(i)) for i, f in enumerate(families)]
    groups = [(k, n, c, [i for i, f in enumerate(family) if f == k]) for k, n, c in groups]
    groups = [g for g in groups if g[3]]
    steps = list(frames)
    last = frames[steps[-1]]

    def xy(points: torch.Tensor, idx: list[int]) -> dict:
        p = _r(points[idx], 3)
        return dict(x=[q[0] for q in p], y=[q[1] for q in p])

    def heading(step) -> str:
        caption = (captions or {}).get(step)
        return f"{title}: step {step}" + (f", {caption}" if caption else "")

    data = [
        go.Scatter(
            **xy(last, idx),
            name=name,
            text=[words[i] for i in idx],
            mode="markers+text",
            textposition=_outward(last[idx]),
            textfont=dict(size=10),
            marker=dict(color=c, size=6 if key is None else 8, opacity=0.6 if key is None else 0.9),
            hovertemplate="%{text}" + f" ({name})<extra></extra>",
        )
        for key, name, c, idx in groups
    ]
    animated = [
        go.Frame(
            name=str(step),
            data=[go.Scatter(**xy(points, idx)) for *_, idx in groups],
            layout=dict(title=dict(text=heading(step))),
        )
        for step, points in frames.items()
    ]
    every = torch.cat(list(frames.values()))  # (frames · n, 2)
    low, high = every.min(0).values, every.max(0).values  # (2,) each
    pad = 0.08 * (high - low)  # (2,) room for the labels
    ranges = [[round((low - pad)[a].item(), 3), round((high + pad)[a].item(), 3)] for a in (0, 1)]
    slider = dict(
        active=len(steps) - 1,
        currentvalue=dict(prefix="training step: "),
        pad=dict(t=40),
        steps=[
            dict(
                label=str(step),
                method="animate",
                args=[
                    [str(step)],
                    dict(
                        mode="immediate",
                        frame=dict(duration=0, redraw=False),
                        transition=dict(duration=0),
                    ),
                ],
            )
            for step in steps
        ],
    )
    layout = base_layout(heading(steps[-1]), height=600)
    layout |= dict(
        xaxis=dict(title="principal component 1 (of the final vectors)", range=ranges[0]),
        yaxis=dict(title="principal component 2 (of the final vectors)", range=ranges[1]),
        sliders=[slider],
        legend=dict(orientation="h", y=-0.35),
    )
    layout["margin"] = dict(layout["margin"], b=40)
    return go.Figure(data=data, layout=layout, frames=animated)


def neighbours_figure(table: Mapping[str, Sequence[tuple[str, float]]]) -> go.Figure:
    """A table: each chosen word, its nearest neighbours and their cosine similarities."""
    words = list(table)
    k = max(len(v) for v in table.values())
    columns = [words] + [
        [f"{row[j][0]} ({row[j][1]:.2f})" if j < len(row) else "" for row in table.values()]
        for j in range(k)
    ]
    fig = go.Figure(
        go.Table(
            header=dict(
                values=["word"] + [f"neighbour {j + 1} (cos)" for j in range(k)],
                fill_color="#DDE6F0",
                align="left",
            ),
            cells=dict(values=columns, align="left", height=26),
        )
    )
    return styled(
        fig, "Nearest neighbours by cosine similarity", height=100 + 28 * (len(words) + 1)
    )


def one_hot_word_figure(
    word: str, words: Sequence[str], vector: torch.Tensor, sims: torch.Tensor
) -> go.Figure:
    """One word's one-hot vector ``[V]`` (top) and its cosine similarity ``[V]`` to every word of
    ``words`` (bottom).

    Built as one ``go.Figure(data, layout)`` (no make_subplots): it sits behind a picker.
    """
    i = list(words).index(word)
    V = len(words)
    others = torch.cat([sims[:i], sims[i + 1 :]])  # (V - 1,)
    axis_title = "vocabulary word (hover for its name)"
    titles = [
        f"one-hot vector of '{word}': a single 1 at id {i}, {V - 1} zeros",
        f"cosine similarity to every word: 1 with itself, "
        f"max {others.abs().max().item():.0f} with the other {V - 1}",
    ]
    layout = base_layout(f"'{word}' as a one-hot vector", height=480, margin=dict(l=58))
    layout.update(panels(2, 1, titles, v_gap=0.18, row_heights=[0.3, 0.7], title_size=16))
    layout["xaxis"] |= dict(showticklabels=False, title=axis_title)
    layout["xaxis2"] |= dict(showticklabels=False, title=axis_title)
    layout["yaxis2"] |= dict(title="cosine", range=[-0.05, 1.05])
    data = [
        dict(
            type="heatmap",
            z=[vector.int().tolist()],
            x=list(words),
            y=[word],
            colorscale=HEATMAP,
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=1,
            hovertemplate="column '%{x}': %{z}<extra></extra>",
        ),
        dict(
            type="bar",
            x=list(words),
            y=_r(sims),
            xaxis="x2",
            yaxis="y2",
            showlegend=False,
            marker_color=[color(0) if w == word else OTHER for w in words],
            hovertemplate="cos('" + word + "', %{x}) = %{y}<extra></extra>",
        ),
    ]
    return go.Figure(data=data, layout=layout)

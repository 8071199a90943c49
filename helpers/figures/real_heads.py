"""Pictures of a real pretrained model's heads (notebook 08): the note's ladder measured, one
head's attention beside all 72, what each head looks at, one word in twelve head subspaces,
and what removing heads costs. Numbers in (from :mod:`helpers.senses`, :mod:`helpers.pretrained`
or the stored measurements), a ``go.Figure`` out; nothing here runs a model.

The two builders behind explorers (:func:`head_grid_figure`, :func:`head_subspaces_figure`)
build one ``go.Figure(data, layout)`` from plain dicts (no ``make_subplots``), so a redraw
costs milliseconds.
"""

from __future__ import annotations

import plotly.graph_objects as go
import torch

from helpers.figures.style import (
    DIVERGING,
    GREY,
    HEATMAP,
    LIGHT_GREY,
    PALETTE,
    TEMPLATE,
    base_layout,
    color,
    panels,
)

__all__ = [
    "ladder_figure",
    "head_grid_figure",
    "head_roles_figure",
    "head_subspaces_figure",
    "ablation_figure",
    "MEASURE_NAMES",
    "RELATION_NAMES",
]

# How a figure names the measures of helpers.senses.Ablation and the relations of head_roles.
MEASURE_NAMES = {
    "probe_accuracy": "sense probe: accuracy",
    "probe_confidence": "sense probe: confidence in the right sense",
    "auc": "similarity: AUC (paraphrase above unrelated)",
    "gap": "similarity: cosine gap (paraphrase − unrelated)",
    "retrieval": "similarity: paraphrase found first",
}
# The same, short: the y-axis titles of the "keep the top k" panels.
AXIS_NAMES = {
    "probe_accuracy": "probe accuracy",
    "probe_confidence": "probe confidence",
    "auc": "AUC",
    "gap": "cosine gap",
    "retrieval": "found first",
}
RELATION_NAMES = {
    "previous": "the previous token",
    "next": "the next token",
    "self": "itself",
    "[CLS]": "[CLS]",
    "[SEP]": "[SEP]",
    "punctuation": "punctuation",
    "same word": "the same word elsewhere",
}
TEXT_UP_TO = 16  # the big attention map writes its weights in the cells up to this many tokens
# The series' template without its 3-D scene (no figure here is 3-D) and its colorway (every
# trace here sets its own colours): the same pictures, measured pixel for pixel, and about
# 1.2 KB less in every figure a notebook stores.
FLAT_TEMPLATE = go.layout.Template(
    layout={
        k: v for k, v in TEMPLATE.layout.to_plotly_json().items() if k not in ("scene", "colorway")
    }
)


def _layout(title: str, height: int) -> dict:
    """:func:`helpers.figures.style.base_layout` with :data:`FLAT_TEMPLATE`."""
    return base_layout(title, height=height) | dict(template=FLAT_TEMPLATE)


def _grid(table, name: str) -> torch.Tensor:
    """A ``[n_layers, h]`` table (tensor or nested lists) as a float tensor; a ValueError else."""
    t = torch.as_tensor(table, dtype=torch.float32)
    if t.dim() != 2:
        raise ValueError(f"{name} must be an [n_layers, h] table, got shape {list(t.shape)}")
    return t


# --------------------------------------------------------------------------- the ladder


def ladder_figure(table: dict[str, dict[str, dict[str, float]]]) -> go.Figure:
    """The note's ladder measured: per stage, the held-out accuracy of a probe telling the two
    senses of a word apart (left) and the cosine between the two senses' mean vectors (right).

    ``table`` is ``{stage: {word: {"accuracy", "cosine", …}}}`` in ladder order, each stage
    with the same words and ``"all"`` (their mean): ``helpers.senses.ladder_part`` or the
    stored measurements' ``"ladder"``.
    """
    if not table:
        raise ValueError("table is empty; pass {stage: {word: scores}}, e.g. stored['ladder']")
    stages = list(table)
    words = list(table[stages[0]])
    if "all" not in words or any(list(table[s]) != words for s in stages):
        raise ValueError(
            f"every stage needs the same words and 'all' (their mean); stage {stages[0]!r} "
            f"has {words}: pass helpers.senses.ladder_part(model) or stored['ladder']"
        )
    traces = []
    for i, word in enumerate(words):
        mean = word == "all"
        look = dict(
            legendgroup=word,
            name="mean of the words" if mean else word,
            mode="lines+markers" if mean else "markers",  # the words as dots: the mean as a line
            line=dict(color="#222222" if mean else color(i), width=4 if mean else 1.5),
            marker=dict(size=8 if mean else 7),
            opacity=1 if mean else 0.8,
        )
        for panel, key, what in ((1, "accuracy", "probe accuracy"), (2, "cosine", "cosine")):
            axes = {} if panel == 1 else dict(xaxis="x2", yaxis="y2")
            traces.append(
                dict(
                    type="scatter",
                    x=stages,
                    y=torch.tensor([table[s][word][key] for s in stages]).numpy(),  # compact
                    showlegend=panel == 1,
                    hovertemplate=f"{look['name']} · %{{x}}: {what} %{{y:.3f}}<extra></extra>",
                    **look,
                    **axes,
                )
            )
    layout = _layout(
        "The note's ladder, measured: are the word's two senses apart?",
        height=400,
    )
    layout |= panels(
        1,
        2,
        [
            "sense probe, held-out accuracy (0.5 = chance)",
            "cosine of the senses' means (1 = same direction)",
        ],
        h_gap=0.1,
    )
    for axis in ("xaxis", "xaxis2"):
        layout[axis] |= dict(tickangle=-35)  # the rungs name themselves
    layout["yaxis"] |= dict(title="accuracy", range=[0.4, 1.03])
    layout["yaxis2"] |= dict(title="cosine")
    layout["shapes"] = [
        dict(
            type="line",
            xref="x domain",
            yref="y",
            x0=0,
            x1=1,
            y0=0.5,
            y1=0.5,
            line=dict(color=GREY, dash="dash", width=1.5),
        )
    ]
    layout["legend"] = dict(orientation="h", x=0, y=-0.3)
    layout["margin"] = dict(l=60, r=30, t=60, b=110)
    return go.Figure(data=traces, layout=layout)


# --------------------------------------------------------------------------- every head


def head_grid_figure(weights: torch.Tensor, tokens: list[str], layer: int, head: int) -> go.Figure:
    """One head's attention map large (left) beside all ``n_layers × h`` maps of the sentence
    as one grid (right: rows = layers, columns = heads, that head outlined in red).

    ``weights`` ``[n_layers, h, T, T]`` (query × key, rows summing to 1), ``tokens`` the T
    tokens. The grid is one heatmap of weights in % (whole numbers: compact), cut into cells by
    white lines; hover names layer, head, query and key.
    """
    if weights.dim() != 4 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(
            f"weights must be [n_layers, h, T, T], got shape {list(weights.shape)}; stack a "
            "run's attentions for one sentence: torch.stack(run.attentions)[:, 0]"
        )
    L, h, T, _ = weights.shape
    if len(tokens) != T:
        raise ValueError(f"{len(tokens)} tokens for maps of T={T}; pass one label per token")
    if layer not in range(L) or head not in range(h):
        raise ValueError(
            f"layer={layer}, head={head}: choose layer in 0…{L - 1} and head in 0…{h - 1}"
        )
    w = weights.detach().float()
    labels = [f"{t} “{tok}”" for t, tok in enumerate(tokens)]  # position and token: unique
    big = dict(
        type="heatmap",
        z=w[layer, head].round(decimals=2).numpy(),  # (T, T) numpy: stored compactly
        x=labels,
        y=labels,
        colorscale=HEATMAP,
        zmin=0,
        zmax=1,
        texttemplate="%{z:.2f}" if T <= TEXT_UP_TO else None,  # too many cells: hover only
        hovertemplate="query %{y} looks at key %{x}: weight %{z:.2f}<extra></extra>",
        colorbar=dict(title=dict(text="weight", side="right"), x=1.01, thickness=12, len=0.9),
    )
    percent = (w.permute(0, 2, 1, 3).reshape(L * T, h * T) * 100).round().to(torch.uint8)
    rows = [f"layer {i} · “{tokens[q]}” ({q})" for i in range(L) for q in range(T)]  # unique
    cols = [f"head {j} · “{tokens[k]}” ({k})" for j in range(h) for k in range(T)]
    grid = dict(
        type="heatmap",
        z=percent.numpy(),  # (L·T, h·T) row = (layer, query), column = (head, key)
        x=cols,
        y=rows,
        xaxis="x2",
        yaxis="y2",
        colorscale=HEATMAP,
        zmin=0,
        zmax=100,
        showscale=False,
        hovertemplate="%{y} → %{x}<br>query → key, weight %{z} %<extra></extra>",
    )
    layout = _layout(
        f"Layer {layer}, head {head}: where each token looks<br><sup>right: all {L * h} heads "
        "of the sentence, rows = layers, columns = heads; the one on the left outlined</sup>",
        height=470,
    )
    layout |= panels(1, 1, area=((0.0, 0.36), (0.0, 1.0)))
    layout |= {
        k: v
        for k, v in panels(1, 1, area=((0.45, 1.0), (0.0, 1.0)), first=2).items()
        if k != "annotations"
    }
    ticks = dict(tickvals=labels, ticktext=tokens)
    layout["xaxis"] |= dict(title="key (attended to)", tickangle=-60, **ticks)
    layout["yaxis"] |= dict(title="query (attending)", autorange="reversed", **ticks)
    layout["xaxis2"] |= dict(
        tickvals=[cols[j * T + T // 2] for j in range(h)],
        ticktext=[str(j) for j in range(h)],
        side="top",
        showgrid=False,
    )
    layout["yaxis2"] |= dict(
        title="layer",
        tickvals=[rows[i * T + T // 2] for i in range(L)],
        ticktext=[str(i) for i in range(L)],
        autorange="reversed",
        showgrid=False,
    )
    # white cuts between the cells: one path for the columns, one for the rows
    down = " ".join(f"M {j * T - 0.5},0 L {j * T - 0.5},1" for j in range(1, h))
    across = " ".join(f"M 0,{i * T - 0.5} L 1,{i * T - 0.5}" for i in range(1, L))
    white = dict(color="white", width=2)
    lines = [
        dict(type="path", xref="x2", yref="y2 domain", path=down, line=white),
        dict(type="path", xref="x2 domain", yref="y2", path=across, line=white),
    ]
    chosen = dict(
        type="rect",
        xref="x2",
        yref="y2",
        x0=head * T - 0.5,
        x1=(head + 1) * T - 0.5,
        y0=layer * T - 0.5,
        y1=(layer + 1) * T - 0.5,
        line=dict(color=PALETTE[3], width=3),
    )
    layout["shapes"] = [*lines, chosen]
    layout["margin"] = dict(l=60, r=60, t=100, b=60)
    layout["meta"] = dict(layer=layer, head=head, tokens=list(tokens))
    return go.Figure(data=[big, grid], layout=layout)


# --------------------------------------------------------------------------- head roles


def head_roles_figure(roles: dict[str, object]) -> go.Figure:
    """Each head's mean attention weight on one kind of key, one ``[n_layers, h]`` panel per
    relation (``helpers.senses.head_roles`` or the stored ``"roles"``), one colour scale 0 … 1;
    hover gives each value."""
    if not roles:
        raise ValueError("roles is empty; pass {relation: [n_layers, h]}, e.g. stored['roles']")
    tables = {r: _grid(t, f"roles[{r!r}]") for r, t in roles.items()}
    L, h = next(iter(tables.values())).shape
    n = len(tables)
    cols = 4 if n > 4 else n
    rows = -(-n // cols)
    titles = [f"on {RELATION_NAMES.get(r, r)}" for r in tables]
    traces = []
    for i, (relation, t) in enumerate(tables.items()):
        suffix = str(i + 1) if i else ""
        traces.append(
            dict(
                type="heatmap",
                z=t.round(decimals=2).numpy(),  # numpy: stored compactly
                coloraxis="coloraxis",
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                hovertemplate=f"layer %{{y}}, head %{{x}}: mean weight %{{z:.2f}} on "
                f"{RELATION_NAMES.get(relation, relation)}<extra></extra>",
            )
        )
    layout = _layout(
        f"What each of the {L * h} heads looks at: its mean attention weight on one kind of token",
        height=170 + 200 * rows,
    )
    layout |= panels(rows, cols, titles, h_gap=0.05, v_gap=0.17, count=n)
    for i in range(n):
        suffix = str(i + 1) if i else ""
        first = i % cols == 0
        layout[f"xaxis{suffix}"] |= dict(title="head" if i >= n - cols else None, dtick=2)
        layout[f"yaxis{suffix}"] |= dict(
            title="layer" if first else None, autorange="reversed", dtick=1, showticklabels=first
        )
    layout["coloraxis"] = dict(
        colorscale=HEATMAP, cmin=0, cmax=1, colorbar=dict(title="mean weight", len=0.8)
    )
    return go.Figure(data=traces, layout=layout)


# ----------------------------------------------------------------------- one word, twelve places


def head_subspaces_figure(
    points: torch.Tensor,
    senses: torch.Tensor,
    sense_names: list[str],
    accuracy: torch.Tensor,
    word: str,
    layer: int,
    d_k: int | None = None,
) -> go.Figure:
    """One word in each head's subspace: ``points`` ``[h, n, 2]`` (each head's query vectors of
    the word in n sentences, on that head's own top-2 principal axes), coloured by sense
    (``senses`` ``[n]`` 0/1 naming ``sense_names``), one box per head; each box's title gives
    that head's held-out probe accuracy (``accuracy`` ``[h]``) in all its d_k dimensions
    (``d_k``, if given, names their number in the subtitle).

    The heads' spaces are unrelated, so each box has its own scale: a head's points are scaled
    (the same factor across and up, so angles and relative distances stay) to fill its box.
    All boxes are one scatter trace on one pair of hidden axes: one trace to validate and send,
    so a redraw is quick. Hover names the head and the sentence (its number among the n).
    """
    if points.dim() != 3 or points.shape[-1] != 2:
        raise ValueError(
            f"points must be [h, n, 2], got shape {list(points.shape)}; pass "
            "helpers.senses.head_projections(model, word, layer)[0]"
        )
    h, n, _ = points.shape
    if senses.shape != (n,) or len(sense_names) != 2 or len(accuracy) != h:
        raise ValueError(
            f"for {h} heads × {n} sentences pass senses [{n}] (0/1), two sense_names and "
            f"accuracy [{h}]; got senses {list(senses.shape)}, {len(sense_names)} names, "
            f"{len(accuracy)} accuracies"
        )
    cols = 6 if h > 6 else h
    rows = -(-h // cols)
    acc = [float(a) for a in accuracy]
    pts = points.detach().float()  # (h, n, 2)
    reach = pts.abs().amax(dim=(1, 2)).clamp_min(1e-12)  # (h,) each head's farthest coordinate
    unit = pts / (2.3 * reach[:, None, None])  # (h, n, 2) inside ±0.435 of the box centre
    col = torch.arange(h) % cols  # (h,)
    row = torch.arange(h) // cols  # (h,)
    x = (unit[..., 0] + col[:, None]).flatten()  # (h·n,) box j centred on (col, -row)
    y = (unit[..., 1] - row[:, None]).flatten()  # (h·n,)
    sense = senses.to(torch.uint8).repeat(h)  # (h·n,) 0/1
    which = torch.stack(
        [torch.arange(h).repeat_interleave(n), torch.arange(n).repeat(h)], dim=-1
    ).to(torch.uint8 if max(h, n) <= 256 else torch.int16)  # (h·n, 2) head, sentence of a point
    scale = [[0, PALETTE[0]], [0.5, PALETTE[0]], [0.5, PALETTE[1]], [1, PALETTE[1]]]
    traces = [
        dict(
            type="scatter",
            x=x.round(decimals=3).numpy(),  # numpy: stored compactly
            y=y.round(decimals=3).numpy(),
            mode="markers",
            showlegend=False,
            marker=dict(
                color=sense.numpy(),
                colorscale=scale,
                cmin=0,
                cmax=1,
                size=6,
                symbol=(sense * 2).numpy(),  # 0 circle, 2 diamond
            ),
            customdata=which.numpy(),
            hovertemplate="head %{customdata[0]}: sentence %{customdata[1]}<extra></extra>",
        )
    ]
    for s, name in enumerate(sense_names):  # the legend: one entry per sense, no points
        traces.append(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="markers",
                name=f"{word} = {name}",
                marker=dict(color=PALETTE[s], size=8, symbol="circle" if s == 0 else "diamond"),
            )
        )
    boxes = " ".join(
        f"M {c - 0.47},{-r - 0.47} H {c + 0.47} V {-r + 0.47} H {c - 0.47} Z"
        for c, r in zip(col.tolist(), row.tolist(), strict=True)
    )
    titles = [
        dict(
            text=f"head {j} · {acc[j]:.2f}",
            x=col[j].item(),
            y=-row[j].item() + 0.47,
            xref="x",
            yref="y",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=12),
        )
        for j in range(h)
    ]
    hidden = dict(showgrid=False, zeroline=False, showticklabels=False, ticks="")
    dims = "d_k" if d_k is None else str(d_k)
    layout = _layout(
        f"“{word}” in {n} sentences, layer {layer}: its query vector in each head's own subspace"
        f"<br><sup>each box: one head's {dims} dimensions on their 2 main directions (PCA), own "
        f"scale · title: head · probe accuracy in all {dims}</sup>",
        height=170 + 200 * rows,
    )
    layout |= dict(
        xaxis=dict(range=[-0.5, cols - 0.5], **hidden),
        yaxis=dict(range=[-rows + 0.5, 0.6], **hidden),
        shapes=[dict(type="path", path=boxes, line=dict(color=LIGHT_GREY, width=1))],
        annotations=titles,
        legend=dict(orientation="h", x=0, y=-0.06),
        margin=dict(l=20, r=20, t=90, b=40),
        meta=dict(word=word, layer=layer, accuracy=[round(a, 4) for a in acc]),
    )
    return go.Figure(data=traces, layout=layout)


# --------------------------------------------------------------------------- removing heads


def ablation_figure(
    one_at_a_time: dict[str, object],
    full: dict[str, float],
    keep_top: dict[str, object],
    n_layers: int,
    removed: tuple[str, ...] = ("probe_confidence", "gap"),
    kept: tuple[str, ...] = ("probe_accuracy", "gap"),
) -> go.Figure:
    """What removing heads costs, as ``helpers.senses.Ablation`` measures it (or the stored
    ``"ablation"``).

    Top row, one ``[n_layers, h]`` panel per measure of ``removed``: (the measure with that
    head alone removed) − (the full model's), red = worse, blue = better (for measures where
    higher is better, as all of :data:`MEASURE_NAMES` are; hover for the
    values). Bottom row, one panel per measure of ``kept``: the measure when only the top k heads of
    each of the ``n_layers`` layers are kept (x = heads kept in all, k = 0 … h), one line per
    ranking of ``keep_top`` (``{"k": [0, …, h], ranking: {measure: [value per k]}}``).
    """
    missing = [m for m in removed if m not in one_at_a_time or m not in full]
    if missing:
        raise ValueError(
            f"measures {missing} are not in one_at_a_time and full; they hold "
            f"{sorted(set(one_at_a_time) & set(full))}"
        )
    if "k" not in keep_top or len(keep_top) < 2:
        raise ValueError(
            "keep_top needs 'k' and at least one ranking, e.g. stored['ablation']['keep_top']"
        )
    ks = list(keep_top["k"])
    rankings = [r for r in keep_top if r != "k"]
    for r in rankings:
        bad = [m for m in kept if len(keep_top[r].get(m, [])) != len(ks)]
        if bad:
            raise ValueError(f"ranking {r!r} lacks one value per k for {bad}")
    changes = {m: _grid(one_at_a_time[m], m) - full[m] for m in removed}
    biggest = max(max(c.abs().max().item() for c in changes.values()), 0.01)
    L, h = next(iter(changes.values())).shape
    cols = max(len(removed), len(kept))
    traces = []
    for i, (m, change) in enumerate(changes.items()):
        suffix = str(i + 1) if i else ""
        traces.append(
            dict(
                type="heatmap",
                z=change.round(decimals=4).numpy(),  # numpy: stored compactly
                coloraxis="coloraxis",
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                hovertemplate=f"without layer %{{y}}, head %{{x}}: {MEASURE_NAMES.get(m, m)} "
                f"changes by %{{z:+.4f}} (full model {full[m]:.3f})<extra></extra>",
            )
        )
    total = [k * n_layers for k in ks]
    dashes = ["solid", "dash", "dot", "dashdot"]
    for i, m in enumerate(kept):
        n = cols + i + 1  # the bottom row's panels
        for j, r in enumerate(rankings):
            random = r.startswith("random")
            traces.append(
                dict(
                    type="scatter",
                    x=torch.tensor(total, dtype=torch.int16).numpy(),  # numpy: stored compactly
                    y=torch.tensor(keep_top[r][m]).numpy(),
                    name=r,
                    legendgroup=r,
                    showlegend=i == 0,
                    mode="lines+markers",
                    line=dict(color=GREY if random else color(j), dash=dashes[j % 4], width=2),
                    marker=dict(size=5),
                    customdata=torch.tensor(ks, dtype=torch.int16).numpy(),
                    hovertemplate=f"{r}: %{{x}} heads kept (%{{customdata}} per layer) → "
                    f"{MEASURE_NAMES.get(m, m)} %{{y:.3f}}<extra></extra>",
                    xaxis=f"x{n}",
                    yaxis=f"y{n}",
                )
            )
    titles = [f"remove one head: {AXIS_NAMES.get(m, m)} (full {full[m]:.3f})" for m in removed]
    titles += [""] * (cols - len(removed))
    titles += [f"keep the top k per layer: {AXIS_NAMES.get(m, m)}" for m in kept]
    all_heads = L * h
    layout = _layout(
        "Are all heads needed? Remove one (top) or keep the top k per layer (bottom)",
        height=660,
    )
    layout |= panels(2, cols, titles, h_gap=0.1, v_gap=0.2, title_size=12)
    for i in range(cols):
        suffix = str(i + 1) if i else ""
        layout[f"xaxis{suffix}"] |= dict(title="head removed", dtick=1)
        layout[f"yaxis{suffix}"] |= dict(title="layer", autorange="reversed", dtick=1)
        n = cols + i + 1
        layout[f"xaxis{n}"] |= dict(title=f"heads kept (of {all_heads})", tickvals=total[::2])
        if i < len(kept):
            layout[f"yaxis{n}"] |= dict(title=AXIS_NAMES.get(kept[i], kept[i]))
    layout["coloraxis"] = dict(
        colorscale=DIVERGING,
        cmin=-biggest,
        cmax=biggest,
        colorbar=dict(
            title=dict(text="removed − full<br>(red = worse)", side="right"),
            len=0.4,
            y=0.8,
        ),
    )
    layout["legend"] = dict(orientation="h", x=0, y=-0.14)
    return go.Figure(data=traces, layout=layout)

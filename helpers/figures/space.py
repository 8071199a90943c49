"""The spatial view: y = σ(Wx + b) moves points, watched as an animation."""

from __future__ import annotations

import plotly.graph_objects as go
import torch

from helpers.figures.style import color, styled


def _check_points(name: str, t: torch.Tensor) -> None:
    if not isinstance(t, torch.Tensor) or t.dim() != 2 or t.shape[1] != 2:
        shape = list(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
        raise ValueError(f"{name} must be a tensor of 2-D points [n, 2], got {shape}")


def _line(w: torch.Tensor, b: float, lo: float, hi: float) -> tuple[list, list]:
    """Two end points of the line w·y + b = 0 across [lo, hi] (a vertical line if w[1] ≈ 0)."""
    w0, w1 = float(w[0]), float(w[1])
    if abs(w1) > abs(w0):
        xs = [lo, hi]
        ys = [-(w0 * x + b) / w1 for x in xs]
    else:
        ys = [lo, hi]
        xs = [-(w1 * y + b) / w0 for y in ys]
    return [round(v, 3) for v in xs], [round(v, 3) for v in ys]


def moving_points_figure(
    start: torch.Tensor,
    end: torch.Tensor,
    classes: torch.Tensor,
    line: tuple[torch.Tensor, float] | None = None,
    n_frames: int = 8,
    class_names: tuple[str, str] = ("class 0", "class 1"),
) -> go.Figure:
    """Points slide from ``start [n, 2]`` (the input x) to ``end [n, 2]`` (σ(Wx + b)).

    A slider and a play button step through ``n_frames`` straight-line in-between
    positions. ``line = (w, b)`` draws the readout's boundary w·y + b = 0 on the last
    frame only, where it applies.
    """
    _check_points("start", start)
    _check_points("end", end)
    if start.shape != end.shape or classes.shape != start.shape[:1]:
        raise ValueError(
            f"start {list(start.shape)}, end {list(end.shape)} and classes {list(classes.shape)} "
            "must describe the same n points"
        )
    if n_frames < 2:
        raise ValueError(f"n_frames={n_frames} must be >= 2 (the start and the end)")
    both = torch.cat([start, end])  # (2n, 2)
    lo = float(both.min()) - 0.2
    hi = float(both.max()) + 0.2
    labels = sorted(int(c) for c in classes.unique())

    def traces(t: float, last: bool) -> list[go.Scatter]:
        pts = (1 - t) * start + t * end  # (n, 2)
        out = []
        for c in labels:
            sel = pts[classes == c]  # (n_c, 2)
            out.append(
                go.Scatter(
                    x=[round(v, 3) for v in sel[:, 0].tolist()],
                    y=[round(v, 3) for v in sel[:, 1].tolist()],
                    mode="markers",
                    name=class_names[c],
                    marker=dict(color=color(c), size=7),
                    hovertemplate=f"{class_names[c]}<br>(%{{x}}, %{{y}})<extra></extra>",
                )
            )
        xs, ys = _line(line[0], line[1], lo, hi) if (line is not None and last) else ([], [])
        out.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name="readout line",
                line=dict(color="black", dash="dash"),
                hoverinfo="skip",
            )
        )
        return out

    steps = [i / (n_frames - 1) for i in range(n_frames)]
    frames = [
        go.Frame(data=traces(t, i == n_frames - 1), name=f"{t:.2f}") for i, t in enumerate(steps)
    ]
    # it opens on the last frame (the moved points and the readout line), so the static picture
    # stored beside it shows the result; the play button runs every frame from the start
    fig = go.Figure(data=traces(1.0, True), frames=frames)
    slider = dict(
        active=n_frames - 1,
        x=0.1,
        len=0.9,
        currentvalue=dict(prefix="t = "),
        steps=[
            dict(
                label=f.name,
                method="animate",
                args=[[f.name], dict(mode="immediate", frame=dict(duration=0, redraw=True))],
            )
            for f in frames
        ],
    )
    play = dict(
        type="buttons",
        direction="left",
        x=0.0,
        y=-0.12,
        xanchor="left",
        yanchor="top",
        buttons=[
            dict(
                label="▶ play",
                method="animate",
                args=[
                    [f.name for f in frames],
                    dict(frame=dict(duration=120, redraw=True), mode="immediate"),
                ],
            )
        ],
    )
    fig.update_layout(sliders=[slider], updatemenus=[play])
    fig.update_xaxes(range=[lo, hi], title="coordinate 1", zeroline=True)
    fig.update_yaxes(range=[lo, hi], title="coordinate 2", scaleanchor="x", zeroline=True)
    return styled(
        fig,
        "t = 1 (shown): y = σ(Wx + b) · t = 0: the input x (slide, or press play)",
        height=560,
    ).update_layout(margin=dict(b=110))

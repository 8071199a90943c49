"""The look shared by every figure: fonts, margins, colours."""

from __future__ import annotations

import plotly.graph_objects as go

# One colour per head (up to 16 distinct, then repeat) and per word family.
PALETTE = [
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#E45756",
    "#72B7B2",
    "#EECA3B",
    "#B279A2",
    "#FF9DA6",
    "#9D755D",
    "#BAB0AC",
    "#1F77B4",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#17BECF",
]
HEATMAP = "Blues"
DIVERGING = "RdBu"


_AXIS = dict(
    gridcolor="#EBF0F8",
    linecolor="#EBF0F8",
    zerolinecolor="#EBF0F8",
    zerolinewidth=2,
    ticks="",
    automargin=True,
    title=dict(standoff=15),
)
_SCENE_AXIS = dict(
    backgroundcolor="white",
    gridcolor="#DFE8F3",
    linecolor="#EBF0F8",
    showbackground=True,
    ticks="",
    zerolinecolor="#EBF0F8",
    gridwidth=2,
)
# The look of plotly's "plotly_white", written out small: a named template is stored in
# full (~7 KB) in every figure of a saved notebook; this one is a few hundred bytes.
TEMPLATE = go.layout.Template(
    layout=dict(
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=PALETTE,
        xaxis=_AXIS,
        yaxis=_AXIS,
        scene=dict(xaxis=_SCENE_AXIS, yaxis=_SCENE_AXIS, zaxis=_SCENE_AXIS),
        hoverlabel=dict(align="left"),
    )
)


def color(i: int) -> str:
    """The i-th colour of the palette (wraps around)."""
    return PALETTE[i % len(PALETTE)]


def base_layout(
    title: str | None = None,
    height: int = 420,
    width: int | None = None,
    margin: dict | None = None,
) -> dict:
    """The series' layout as a plain dict. Builders that must be fast (behind a slider) pass it
    straight to ``go.Figure(layout=...)``; every other builder calls :func:`styled`.

    ``margin`` (l, r, t, b in px): where the figure's margins end up once its axis labels and
    legend have pushed them (measured in Chromium). A figure behind a control passes it:
    plotly's automargin, which the series' axes keep on, draws a figure a second time from
    scratch whenever a label needs more room than the margin gives, and that second pass is
    half the time a redraw costs in the browser. Starting at the right margins, it draws once;
    automargin still grows them if a longer label needs it (another font, another word).
    """
    return dict(
        template=TEMPLATE,
        height=height,
        width=width,
        margin=dict(l=50, r=30, t=60 if title else 30, b=40) | (margin or {}),
        font=dict(size=13),
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
    )


def styled(
    fig: go.Figure, title: str | None = None, height: int = 420, width: int | None = None
) -> go.Figure:
    """Apply the series' layout to ``fig`` (in place) and return it."""
    return fig.update_layout(**base_layout(title, height, width))


# --------------------------------------------------------------------------- colours

GREY = "#9E9E9E"  # a point with no role of its own (e.g. a key that is neither prev nor match)
LIGHT_GREY = "#D9D9D9"  # a cell that belongs to no group (e.g. a number that belongs to no head)
OTHER = PALETTE[9]  # everything outside the groups a figure colours (e.g. words of no family)


def discrete_scale(colours: list[str]) -> list[list]:
    """A colour scale that maps the integers ``0 … n-1`` (with ``zmin=0, zmax=n``, or
    ``cmin=-0.5, cmax=n-0.5``) to ``n`` flat colours, one per integer."""
    n = len(colours)
    return [[v, c] for i, c in enumerate(colours) for v in (i / n, (i + 1) / n)]


# --------------------------------------------------------------------------- panels


def _spans(
    n: int, start: float, end: float, gap: float, shares: list[float] | None
) -> list[list[float]]:
    """``n`` intervals that fill ``[start, end]`` with ``gap`` between them, sized by ``shares``."""
    shares = [1 / n] * n if shares is None else [s / sum(shares) for s in shares]
    room = end - start - gap * (n - 1)
    spans, left = [], start
    for share in shares:
        spans.append([round(left, 4), round(min(end, left + share * room), 4)])
        left += share * room + gap
    return spans


def panels(
    rows: int,
    cols: int,
    titles: list[str] | None = None,
    *,
    h_gap: float = 0.08,
    v_gap: float = 0.1,
    col_widths: list[float] | None = None,
    row_heights: list[float] | None = None,
    area: tuple[tuple[float, float], tuple[float, float]] = ((0.0, 1.0), (0.0, 1.0)),
    first: int = 1,
    count: int | None = None,
    title_size: int = 14,
) -> dict:
    """Layout for a grid of panels, each with its own x/y axes, filled row by row from the top left.

    Panel ``i`` (counting from ``first``) draws on axes ``x{i}``/``y{i}`` (plotly's names:
    ``xaxis``, ``xaxis2``, …), so a trace sets ``xaxis="x2", yaxis="y2"`` for the second
    panel; ``count`` panels (default ``rows × cols``) are laid out. ``area`` is the part
    of the figure the grid fills (paper coordinates), so two
    grids can share a figure. Titles go above their panels. What ``make_subplots`` does,
    as one plain dict: it costs nothing, where ``make_subplots`` costs 25–75 ms, which a
    slider feels. Returns ``{"xaxis": …, "yaxis": …, …, "annotations": [...]}``.
    """
    (x0, x1), (y0, y1) = area
    xs = _spans(cols, x0, x1, h_gap, col_widths)
    ys = _spans(rows, y0, y1, v_gap, row_heights and row_heights[::-1])[::-1]  # top row first
    layout: dict = {"annotations": []}
    for i in range(rows * cols if count is None else count):
        r, c = divmod(i, cols)
        n = first + i
        suffix = "" if n == 1 else str(n)
        layout[f"xaxis{suffix}"] = dict(domain=xs[c], anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = dict(domain=ys[r], anchor=f"x{suffix}")
        if titles is not None and i < len(titles):
            layout["annotations"].append(
                dict(
                    text=titles[i],
                    x=(xs[c][0] + xs[c][1]) / 2,
                    y=ys[r][1],
                    xref="paper",
                    yref="paper",
                    xanchor="center",
                    yanchor="bottom",
                    showarrow=False,
                    font=dict(size=title_size),
                )
            )
    return layout

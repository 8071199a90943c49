"""The look shared by every figure: fonts, margins, colours."""

from __future__ import annotations

import plotly.graph_objects as go

# One colour per head (up to 16 distinct, then repeat) and per word family.
PALETTE = [
    "#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B", "#B279A2", "#FF9DA6",
    "#9D755D", "#BAB0AC", "#1F77B4", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#17BECF",
]
HEATMAP = "Blues"
DIVERGING = "RdBu"


_AXIS = dict(
    gridcolor="#EBF0F8", linecolor="#EBF0F8", zerolinecolor="#EBF0F8", zerolinewidth=2,
    ticks="", automargin=True, title=dict(standoff=15),
)
_SCENE_AXIS = dict(
    backgroundcolor="white", gridcolor="#DFE8F3", linecolor="#EBF0F8", showbackground=True,
    ticks="", zerolinecolor="#EBF0F8", gridwidth=2,
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


def base_layout(title: str | None = None, height: int = 420, width: int | None = None) -> dict:
    """The series' layout as a plain dict. Builders that must be fast (behind a slider) pass it
    straight to ``go.Figure(layout=...)``; every other builder calls :func:`styled`."""
    return dict(
        template=TEMPLATE,
        height=height,
        width=width,
        margin=dict(l=50, r=30, t=60 if title else 30, b=40),
        font=dict(size=13),
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
    )


def styled(fig: go.Figure, title: str | None = None, height: int = 420, width: int | None = None) -> go.Figure:
    """Apply the series' layout to ``fig`` (in place) and return it."""
    return fig.update_layout(**base_layout(title, height, width))

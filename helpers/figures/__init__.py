"""Pure figure builders: data in, plotly ``go.Figure`` out. No widgets, no display, no state."""

from helpers.figures.style import PALETTE, color, styled

__all__ = ["PALETTE", "color", "styled"]

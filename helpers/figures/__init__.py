"""Pure figure builders: data in, plotly ``go.Figure`` out. No widgets, no display, no state."""

from helpers.figures.attention_maps import attention_heatmap, head_figure, sqrt_dk_figure
from helpers.figures.cost import (
    cost_breakdown_figure,
    implementations_figure,
    scale_comparison_figure,
    timing_figure,
)
from helpers.figures.embeddings import (
    embedding_figure,
    loss_figure,
    neighbours_figure,
    one_hot_figure,
    one_hot_word_figure,
    similarity_figure,
)
from helpers.figures.encoder import (
    attention_grid_figure,
    encoder_flow_figure,
    layer_head_figure,
    positional_encoding_figure,
)
from helpers.figures.shapes import shape_walk_figure
from helpers.figures.space import moving_points_figure
from helpers.figures.style import PALETTE, color, styled
from helpers.figures.subspaces import question_attention_figure, subspace_figure, sweep_figure

__all__ = [
    "PALETTE", "color", "styled",
    "attention_heatmap", "head_figure", "shape_walk_figure", "sqrt_dk_figure",
    "embedding_figure", "loss_figure", "neighbours_figure", "one_hot_figure",
    "one_hot_word_figure", "similarity_figure",
    "moving_points_figure", "question_attention_figure", "subspace_figure", "sweep_figure",
    "attention_grid_figure", "encoder_flow_figure", "layer_head_figure",
    "positional_encoding_figure",
    "cost_breakdown_figure", "implementations_figure", "scale_comparison_figure", "timing_figure",
]

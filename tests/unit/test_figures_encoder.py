"""helpers.figures.encoder: positional-encoding heatmap, flow chart, layer × head grids."""

import pytest
import torch

from helpers.encoder import sinusoidal_positions
from helpers.figures.encoder import (
    attention_grid_figure,
    encoder_flow_figure,
    layer_head_figure,
    positional_encoding_figure,
)

LABELS = ["0:→3", "1:5", "2:1", "3:8"]


def maps(n_layers=2, h=4, T=4):
    torch.manual_seed(0)
    return [torch.randn(h, T, T).softmax(-1) for _ in range(n_layers)]


def texts(fig):
    return [a.text for a in fig.layout.annotations]


def test_positional_encoding_figure_shows_every_value():
    pe = sinusoidal_positions(10, 8)
    fig = positional_encoding_figure(pe)
    z = torch.tensor(fig.data[0].z)
    assert list(z.shape) == [10, 8]
    assert torch.allclose(z, pe, atol=1e-3)
    assert "10 positions × d_model = 8" in fig.layout.title.text
    assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    with pytest.raises(ValueError, match=r"\[T, d_model\]"):
        positional_encoding_figure(pe[None])


def test_flow_chart_has_every_head_concat_w_o_and_two_encoders():
    fig = encoder_flow_figure(h=8, d_model=512, n_layers=6)
    words = " ".join(texts(fig))
    for j in range(8):
        assert f"Z{j}" in texts(fig)
        assert f"W<sub>Q</sub><sup>({j})</sup>" in words
    for needed in (
        "c<br>o<br>n<br>c<br>a<br>t",
        "W<sub>O</sub>",
        "<b>encoder #0</b>",
        "<b>encoder #1</b>",
        "output of #0<br>= input of #1",
        "X<br>[B, T, 512]",
        "Z<br>[B, T, 512]",
    ):
        assert needed in texts(fig), needed
    hover = " ".join(fig.data[0].hovertext)
    assert "Z3 = softmax(Q3 K3ᵀ / √64) V3" in hover and "rows 64–127" in hover
    assert (
        sum(
            t.startswith("Z") and t[1:].isdigit()
            for t in texts(encoder_flow_figure(h=2, d_model=8))
        )
        == 2
    )


def test_flow_chart_errors():
    with pytest.raises(ValueError, match="h=3 must divide d_model=512"):
        encoder_flow_figure(h=3)
    with pytest.raises(ValueError, match="n_layers=1"):
        encoder_flow_figure(n_layers=1)


def test_grid_has_one_map_per_layer_and_head():
    w = maps(3, 2)
    fig = attention_grid_figure(w, LABELS)
    assert len(fig.data) == 6
    assert torch.allclose(torch.tensor(fig.data[3].z), w[1][1], atol=0.01)  # layer 1, head 1
    assert "layer 1, head 1" in fig.data[3].hovertemplate
    assert {"layer 0", "layer 2", "head 0", "head 1"} <= set(texts(fig))
    # token names on the outer maps only: keys under the bottom row, queries left of column 0
    shown_x = [fig.layout[f"xaxis{n if n > 1 else ''}"].showticklabels for n in range(1, 7)]
    shown_y = [fig.layout[f"yaxis{n if n > 1 else ''}"].showticklabels for n in range(1, 7)]
    assert shown_x == [False, False, False, False, True, True]
    assert shown_y == [True, False, True, False, True, False]
    assert list(fig.data[0].x) == LABELS
    with pytest.raises(ValueError, match="labels has 3 entries but the maps have T=4"):
        attention_grid_figure(w, LABELS[:3])
    with pytest.raises(ValueError, match=r"one \[h, T, T\] tensor per layer"):
        attention_grid_figure([torch.rand(1, 2, 4, 4)], LABELS)


def test_layer_head_figure_shows_the_chosen_map_large_and_outlines_it():
    w = maps()
    fig = layer_head_figure(w, LABELS, layer=1, head=2)
    assert len(fig.data) == 2  # the big map, and the grid as one tiled heatmap
    assert torch.allclose(torch.tensor(fig.data[0].z), w[1][2], atol=0.01)
    assert fig.data[0].texttemplate  # the big one carries its numbers
    assert "layer 1, head 2" in texts(fig)
    assert list(fig.layout.xaxis.ticktext) == LABELS
    grid, T = fig.data[1], len(LABELS)
    assert (grid.xaxis, grid.yaxis) == ("x2", "y2")
    assert fig.layout.xaxis2.domain[0] > fig.layout.xaxis.domain[1]  # right of the big map
    z = [[float("nan") if v is None else v for v in row] for row in grid.z]
    assert len(z) == 2 * (T + 1) - 1 and len(z[0]) == 4 * (T + 1) - 1
    for layer in range(2):
        for head in range(4):  # every small map in its tile, a blank line after it
            r, c = layer * (T + 1), head * (T + 1)
            tile = torch.tensor([row[c : c + T] for row in z[r : r + T]])
            assert torch.allclose(tile, w[layer][head], atol=0.01)
            assert list(grid.customdata[r][c][:2]) == [layer, head]
    assert all(v is None for v in grid.z[T])  # the blank row between the layers
    outline = fig.layout.shapes[0]  # around the chosen tile, in the grid's own units
    assert (outline.xref, outline.yref) == ("x2", "y2")
    assert (outline.x0, outline.x1) == (2 * (T + 1) - 0.5, 2 * (T + 1) + T - 0.5)
    assert (outline.y0, outline.y1) == (T + 1 - 0.5, T + 1 + T - 0.5)
    with pytest.raises(ValueError, match=r"layer in 0…1, head in 0…3"):
        layer_head_figure(w, LABELS, layer=2, head=0)

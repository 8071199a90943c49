"""helpers.widgets.encoder: the layer × head explorer driven headless."""

import pytest
import torch

from helpers.widgets import Explorer
from helpers.widgets.encoder import encoder_explorer

LABELS = ["0:→2", "1:7", "2:4"]


def maps(n_layers=3, h=2):
    torch.manual_seed(1)
    return [torch.randn(h, 3, 3).softmax(-1) for _ in range(n_layers)]


def big_map(ex):
    return torch.tensor(ex.figure.data[0].z)


def test_explorer_offers_only_existing_layers_and_heads():
    ex = encoder_explorer(maps(), LABELS)
    assert isinstance(ex, Explorer)
    assert list(ex.layer.options) == [0, 1, 2] and list(ex.head.options) == [0, 1]
    assert ex.layer.description == "layer" and ex.head.description == "head"
    assert ex.values() == {"layer": 0, "head": 0}


def test_picking_a_layer_and_head_redraws_that_map():
    w = maps()
    ex = encoder_explorer(w, LABELS)
    assert torch.allclose(big_map(ex), w[0][0], atol=0.01)
    ex.layer.value = 2
    assert torch.allclose(big_map(ex), w[2][0], atol=0.01)
    ex.head.value = 1
    assert torch.allclose(big_map(ex), w[2][1], atol=0.01)
    assert "layer 2, head 1" in [a.text for a in ex.figure.layout.annotations]
    assert ex.last_error is None
    assert len(ex.figure.data) == 2  # the grid (one tiled heatmap) stays beside it
    grid = ex.figure.data[1].z  # 3 layers × 2 heads of T × T, a blank line between maps
    assert len(grid) == 3 * (len(LABELS) + 1) - 1


def test_explorer_keeps_its_own_copy_of_the_weights():
    w = maps()
    ex = encoder_explorer(w, LABELS, layer=1, head=1)
    expected = w[1][1].clone()
    w[1].zero_()
    ex.head.value = 0
    ex.head.value = 1
    assert torch.allclose(big_map(ex), expected, atol=0.01)


def test_explorer_errors():
    with pytest.raises(ValueError, match=r"layer in 0…2, head in 0…1"):
        encoder_explorer(maps(), LABELS, layer=3)
    with pytest.raises(ValueError, match=r"one \[h, T, T\] tensor per layer"):
        encoder_explorer([], LABELS)

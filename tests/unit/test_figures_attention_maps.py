"""helpers.figures.attention_maps: the masked-weights panels show allowed and forbidden cells."""

import pytest
import torch

from helpers.attention import causal_mask
from helpers.figures.attention_maps import attention_heatmap, masked_attention_figure

TOKENS = ["dogs", "bark", "<pad>"]


def test_attention_heatmap_writes_the_weights():
    w = torch.tensor([[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.2, 0.3, 0.5]])
    fig = attention_heatmap(w, TOKENS)
    assert list(fig.data[0].z[1]) == [0.25, 0.75, 0.0]
    with pytest.raises(ValueError, match="one label per token"):
        attention_heatmap(w, TOKENS[:2])


def test_masked_attention_figure_greys_out_the_forbidden_cells():
    causal = causal_mask(3)
    w = torch.tensor([[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.2, 0.3, 0.5]])
    pad = torch.tensor([[True, True, False]] * 3)
    w_pad = torch.tensor([[0.6, 0.4, 0.0]] * 3)
    fig = masked_attention_figure({"causal": (w, causal), "padding": (w_pad, pad)}, TOKENS)
    weights, masked = fig.data[0], fig.data[1]
    assert list(weights.z[1]) == [0.25, 0.75, None]  # the weight where allowed, nothing where not
    assert list(masked.z[0]) == [None, 1, 1] and list(masked.text[0]) == ["", "×", "×"]
    assert list(fig.data[2].z[0]) == [0.6, 0.4, None] and fig.data[2].xaxis == "x2"
    assert [a.text for a in fig.layout.annotations] == ["causal", "padding"]
    assert fig.data[0].showscale and not fig.data[2].showscale  # one colour bar


def test_masked_attention_figure_errors_name_the_fix():
    w = torch.eye(3)
    with pytest.raises(ValueError, match=r"causal: mask must be a bool \[T, T\] = \[3, 3\]"):
        masked_attention_figure({"causal": (w, torch.ones(1, 1, 3, 3, dtype=torch.bool))}, TOKENS)
    with pytest.raises(ValueError, match="at least one"):
        masked_attention_figure({}, TOKENS)

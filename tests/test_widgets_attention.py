"""attention_explorer and sqrt_dk_explorer driven headless."""

import pytest
import torch

import helpers.figures.attention_maps as attention_figures
from helpers.attention import MultiHeadSelfAttention
from helpers.figures.attention_maps import attention_heatmap, qk_plane, scaling_stats
from helpers.widgets import attention_explorer, sqrt_dk_explorer
from helpers.widgets.attention import D_KS

TOKENS = "the cat sat on the mat".split()


@pytest.fixture
def setup():
    torch.manual_seed(0)
    layer = MultiHeadSelfAttention(16, 4)
    x = torch.randn(len(TOKENS), 16)
    return layer, x


def test_head_picker_shows_that_heads_weights(setup):
    layer, x = setup
    ex = attention_explorer(x, TOKENS, layer)
    assert ex.head.description == "head" and list(ex.head.options) == [0, 1, 2, 3]
    _, weights = layer(x.unsqueeze(0))
    for head in (3, 1):
        ex.head.value = head
        shown = torch.tensor(ex.figure.data[0].z)
        assert torch.allclose(shown, weights[0, head].detach(), atol=0.005)
        assert f"head {head}" in ex.figure.layout.title.text
        assert list(ex.figure.layout.xaxis.ticktext) == TOKENS  # repeated "the" kept


def test_qk_points_keep_dot_products_when_d_k_is_2():
    q, k = torch.randn(5, 2), torch.randn(5, 2)
    q2, k2, kept = qk_plane(q, k)
    assert kept == 1.0 and torch.allclose(q2 @ k2.T, q @ k.T)


def test_qk_points_of_a_wide_head_keep_most_of_the_dot_products():
    torch.manual_seed(1)
    q, k = torch.randn(6, 8), torch.randn(6, 8)
    q2, k2, kept = qk_plane(q, k)
    assert 0 < kept < 1 and list(q2.shape) == [6, 2]


def test_defaults_and_errors():
    ex = attention_explorer(h=2)
    assert list(ex.head.options) == [0, 1]
    with pytest.raises(ValueError, match="7 tokens for a 6 × 6"):
        attention_heatmap(torch.full((6, 6), 1 / 6), TOKENS + ["x"])
    with pytest.raises(ValueError, match=r"pass one sentence"):
        attention_explorer(torch.randn(4, 16), TOKENS)
    with pytest.raises(ValueError, match=r"head=9; this layer has heads 0 … 3"):
        attention_explorer(h=4, head=9)


def test_a_builder_that_raises_shows_its_error(setup, monkeypatch):
    layer, x = setup
    ex = attention_explorer(x, TOKENS, layer)
    before = ex.figure
    monkeypatch.setattr(attention_figures, "head_figure", lambda *a: 1 / 0)
    ex.head.value = 2
    assert "ZeroDivisionError" in ex.error.value and ex.figure is before
    monkeypatch.undo()
    ex.head.value = 1
    assert ex.error.value == "" and "head 1" in ex.figure.layout.title.text


def test_unscaled_softmax_saturates_scaled_does_not():
    stats = scaling_stats(D_KS, T=8, n=256, seed=0)
    assert stats["std_unscaled"][-1] > 15 and all(0.9 < s < 1.1 for s in stats["std_scaled"])
    assert stats["max_unscaled"][-1] > 0.9 and max(stats["max_scaled"]) < 0.45
    assert stats["entropy_unscaled"][-1] < 0.2 < 1.5 < min(stats["entropy_scaled"])


def test_sqrt_dk_slider(monkeypatch):
    ex = sqrt_dk_explorer(d_k=1)
    assert ex.d_k.description == "d_k" and list(ex.d_k.options) == D_KS
    ex.d_k.value = 512
    assert "d_k=512" in ex.figure.layout.title.text
    bars = [t for t in ex.figure.data if t.type == "bar"]
    assert max(bars[0].y) > 0.9 > max(bars[1].y)  # unscaled: one key takes (almost) all
    with pytest.raises(ValueError, match=r"d_k=3; choose one of"):
        sqrt_dk_explorer(d_k=3)


def test_qk_points_of_a_one_wide_head_lie_on_the_x_axis():
    q, k = torch.randn(4, 1), torch.randn(4, 1)
    q2, k2, kept = qk_plane(q, k)
    assert kept == 1.0 and torch.equal(q2[:, 0], q[:, 0]) and torch.all(k2[:, 1] == 0)

"""attention_explorer and sqrt_dk_explorer driven headless."""

import pytest
import torch

import helpers.widgets.attention as attention_widgets
from helpers.attention import MultiHeadSelfAttention
from helpers.geometry import qk_plane
from helpers.scaling import scaling_stats
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
        q2, k2, _ = qk_plane(ex.data.q[head], ex.data.k[head])  # the points: the head's own plane
        assert ex.figure.data[1].x == pytest.approx(q2[:, 0].tolist(), abs=1e-3)
    assert torch.equal(ex.data.weights, weights[0].detach()) and ex.data.tokens == TOKENS


def test_defaults_and_errors():
    ex = attention_explorer(h=2)
    assert list(ex.head.options) == [0, 1]
    with pytest.raises(ValueError, match=r"pass one sentence"):
        attention_explorer(torch.randn(4, 16), TOKENS)
    with pytest.raises(ValueError, match=r"head=9; this layer has heads 0 … 3"):
        attention_explorer(h=4, head=9)


def test_a_builder_that_raises_shows_its_error(setup, monkeypatch):
    layer, x = setup
    ex = attention_explorer(x, TOKENS, layer)
    before = ex.figure
    monkeypatch.setattr(attention_widgets, "head_figure", lambda *a, **k: 1 / 0)
    ex.head.value = 2
    assert "ZeroDivisionError" in ex.error.value and ex.figure is before
    monkeypatch.undo()
    ex.head.value = 1
    assert ex.error.value == "" and "head 1" in ex.figure.layout.title.text


def test_sqrt_dk_slider(monkeypatch):
    ex = sqrt_dk_explorer(d_k=1)
    assert ex.d_k.description == "d_k" and list(ex.d_k.options) == D_KS
    assert ex.data == scaling_stats(D_KS)  # measured once, read by the notebook
    ex.d_k.value = 512
    assert "d_k=512" in ex.figure.layout.title.text
    bars = [t for t in ex.figure.data if t.type == "bar"]
    assert max(bars[0].y) > 0.9 > max(bars[1].y)  # unscaled: one key takes (almost) all
    with pytest.raises(ValueError, match=r"d_k=3; choose one of"):
        sqrt_dk_explorer(d_k=3)

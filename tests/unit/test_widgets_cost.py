"""The cost explorer driven headless: set a slider's value, check the figure it rebuilt."""

import pytest

from helpers.attention import valid_heads
from helpers.cost import PROJECTIONS, attention_cost
from helpers.widgets.base import Explorer
from helpers.widgets.cost import cost_explorer


def test_explorer_follows_the_protocol():
    ex = cost_explorer()
    assert isinstance(ex, Explorer)
    assert ex.values() == {"n": 32, "d_model": 512, "h": 8}
    for name in ("n", "d_model", "h"):
        assert getattr(ex, name).description == name
    assert list(ex.h.options) == valid_heads(512)
    assert list(ex.figure.data[0].y) == list(attention_cost(32, 512, 8).macs.values())
    assert ex.figure.layout.title.text.startswith("n = 32, d_model = 512, h = 8")


def test_h_changes_memory_not_compute():
    ex = cost_explorer(n=128, d_model=512, h=8)
    compute, memory = list(ex.figure.data[0].y), list(ex.figure.data[1].y)
    ex.h.value = 64
    assert list(ex.figure.data[0].y) == compute
    assert list(ex.figure.data[1].y)[0] == memory[0]  # parameters
    assert list(ex.figure.data[1].y)[1] == 8 * memory[1]  # attention weights h·n²
    assert ex.last_error is None


def test_n_beyond_two_d_model_flips_the_dominant_term():
    ex = cost_explorer(n=32, d_model=64, h=8)
    assert "projections dominate" in ex.figure.layout.title.text
    ex.n.value = 129
    assert "attention" in ex.figure.layout.title.text
    assert list(ex.figure.data[0].y) == list(attention_cost(129, 64, 8).macs.values())


def test_d_model_keeps_h_valid():
    ex = cost_explorer(n=80, d_model=512, h=8)
    ex.d_model.value = 768  # 8 still divides 768
    assert ex.h.value == 8 and list(ex.h.options) == valid_heads(768)
    ex.h.value = 256
    ex.d_model.value = 5120  # 256 divides 5120
    assert ex.h.value == 256
    ex.h.value = 5120
    ex.d_model.value = 768  # 5120 does not: nearest divisor of 768
    assert ex.h.value == 768
    assert ex.last_error is None
    assert ex.figure.layout.title.text.startswith("n = 80, d_model = 768, h = 768")


def test_every_offered_combination_builds():
    ex = cost_explorer(n=16, d_model=16, h=1)
    for d_model in ex.d_model.options:
        ex.d_model.value = d_model
        assert ex.h.value in valid_heads(d_model)
        assert ex.last_error is None
        assert ex.figure.layout.title.text.startswith(f"n = 16, d_model = {d_model}")


def test_the_notes_video_case():
    ex = cost_explorer(n=80, d_model=5120, h=8)
    assert ex.figure.data[0].y[0] == attention_cost(80, 5120, 8).macs[PROJECTIONS]


def test_uncommon_width_is_offered():
    ex = cost_explorer(n=8, d_model=48, h=3)
    assert 48 in ex.d_model.options and list(ex.h.options) == valid_heads(48)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(h=7), "d_model=512 is not divisible by h=7"),
        (dict(n=0), "n=0"),
        (dict(d_model=0), "d_model=0"),
    ],
)
def test_bad_start_values_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cost_explorer(**kwargs)

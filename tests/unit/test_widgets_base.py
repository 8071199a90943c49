"""helpers.widgets.base: the protocol every explorer shares."""

import ipywidgets as widgets
import plotly.graph_objects as go
import pytest

from helpers.widgets.base import Explorer, heads_follow, heads_slider


def counting_explorer():
    d_model = widgets.SelectionSlider(options=[12, 16, 18], value=16, description="d_model")
    h = heads_slider(16, 8)
    builds = []

    def build(d_model, h):
        builds.append((d_model, h))
        if h == 3:
            raise ValueError("no figure for h=3 today")
        return go.Figure(layout=dict(title=f"{d_model}/{h}"))

    ex = Explorer({"d_model": d_model, "h": h}, build, sync=heads_follow(d_model, h))
    return ex, builds


def test_controls_are_attributes_and_the_figure_follows_them():
    ex, builds = counting_explorer()
    assert ex.h.description == "h" and ex.d_model.description == "d_model"
    assert ex.figure.layout.title.text == "16/8" and builds == [(16, 8)]
    ex.h.value = 2
    assert ex.figure.layout.title.text == "16/2"


def test_h_offers_only_divisors_and_follows_d_model():
    ex, builds = counting_explorer()
    assert ex.h.options == (1, 2, 4, 8, 16)
    ex.d_model.value = 18  # 8 does not divide 18; the nearest divisor is 9
    assert ex.h.options == (1, 2, 3, 6, 9, 18) and ex.h.value == 9
    assert builds[-1] == (18, 9) and len(builds) == 2  # one rebuild for the whole change


def test_a_failing_builder_shows_its_error_and_keeps_the_last_figure():
    ex, _ = counting_explorer()
    ex.d_model.value = 12  # h moves from 8 to 6, the nearest divisor of 12
    assert ex.figure.layout.title.text == "12/6"
    ex.h.value = 3
    assert ex.last_error == "ValueError: no figure for h=3 today"
    assert "no figure for h=3 today" in ex.error.value
    assert ex.figure.layout.title.text == "12/6"
    ex.h.value = 4  # and it keeps working
    assert ex.last_error is None and ex.error.value == "" and ex.figure.layout.title.text == "12/4"


def test_heads_slider_refuses_an_invalid_h_clearly():
    with pytest.raises(
        ValueError, match="d_model=18 is not divisible by h=8; choose h from 1, 2, 3, 6, 9, 18"
    ):
        heads_slider(18, 8)


def test_repr_says_how_to_get_live_controls():
    ex, _ = counting_explorer()
    assert repr(ex) == "Explorer(d_model=16, h=8)  [run the notebook to move the controls]"

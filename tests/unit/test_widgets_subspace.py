"""subspace_explorer driven headless: set the controls, count the panels, see errors."""

import pytest
import torch
from support import panel_titles
from torch import nn

from helpers.tasks.two_rule import TwoRuleModel
from helpers.widgets.subspace import SPACES, subspace_explorer


@pytest.fixture(scope="module")
def ex():
    return subspace_explorer(d_model=16, h=8)  # the stored trained models


def test_controls_are_named_and_offer_only_trained_values(ex):
    for name in ("d_model", "h", "example", "space"):
        assert getattr(ex, name).description == name
    assert list(ex.d_model.options) == [8, 16, 32, 64]
    assert list(ex.h.options) == [1, 2, 4, 8, 16]
    assert list(ex.space.options) == list(SPACES)


def test_first_figure_has_8_two_dimensional_panels(ex):
    titles = panel_titles(ex.figure)
    assert len(titles) == 8 and all("2-D plane" in t for t in titles)


@pytest.mark.parametrize("h", [1, 2, 4, 16, 8])
def test_setting_h_changes_the_number_of_panels(ex, h):
    ex.h.value = h
    assert ex.last_error is None
    titles = panel_titles(ex.figure)
    assert len(titles) == h
    assert f"h = {h} heads" in ex.figure.layout.title.text
    assert all(("PCA" in t) == (16 // h > 2) for t in titles)


def test_d_model_changes_the_width_and_h_follows_it(ex):
    ex.h.value = 16
    ex.d_model.value = 64
    assert list(ex.h.options) == [1, 2, 4, 8, 16, 32, 64] and ex.h.value == 16
    assert "d_k = 4" in ex.figure.layout.title.text and len(panel_titles(ex.figure)) == 16
    ex.d_model.value = 8  # 16 heads are not trained at d_model = 8: h moves to the nearest, 8
    assert list(ex.h.options) == [1, 2, 4, 8] and ex.h.value == 8
    assert "d_k = 1" in ex.figure.layout.title.text
    ex.d_model.value = 16
    ex.h.value = 8


def test_every_setting_it_offers_draws(ex):
    """Every d_model × h the sliders offer, in both spaces, draws its h panels (h = 64 once
    asked plotly for a panel above the top of the figure)."""
    for d_model in ex.d_model.options:
        ex.d_model.value = d_model
        for h in ex.h.options:
            ex.h.value = h
            for space in SPACES:
                ex.space.value = space
                assert ex.last_error is None, (d_model, h, space, ex.last_error)
                assert len(panel_titles(ex.figure)) == h
                domains = [
                    ex.figure.layout[k].domain for k in ex.figure.layout if k.startswith("yaxis")
                ]
                assert all(0 <= lo < hi <= 1 for lo, hi in domains), (d_model, h)
    ex.space.value = SPACES[0]
    ex.d_model.value = 16
    ex.h.value = 8


def test_space_switches_to_outputs_among_values(ex):
    keys = ex.figure
    ex.space.value = SPACES[1]
    assert (
        ex.figure is not keys and "values (points) and the output z" in ex.figure.layout.title.text
    )
    assert sum(1 for t in ex.figure.data if t.name and t.name.startswith("z, head")) == 8
    ex.space.value = SPACES[0]


def test_example_picks_another_input(ex):
    before = ex.figure.data[0].text
    ex.example.value = 3
    assert ex.figure.data[0].text != before
    ex.example.value = 0


def test_invalid_values_are_clear_errors():
    with pytest.raises(
        ValueError,
        match=r"h=3 has no trained model at d_model=16; choose h from \[1, 2, 4, 8, 16\]",
    ):
        subspace_explorer(h=3)
    with pytest.raises(
        ValueError, match=r"d_model=24 has no trained models; choose d_model from \[8, 16, 32, 64\]"
    ):
        subspace_explorer(d_model=24)
    with pytest.raises(ValueError, match="space='z'"):
        subspace_explorer(space="z")


def test_builder_error_shows_in_ex_error_and_keeps_the_last_figure():
    torch.manual_seed(0)
    broken = TwoRuleModel(16, 4)
    broken.embed = nn.Embedding(2, 16)  # too small for the task's tokens: indexing fails
    ex = subspace_explorer(h=2, models={(16, 2): TwoRuleModel(16, 2), (16, 4): broken})
    good = ex.figure
    ex.h.value = 4
    assert "IndexError" in ex.last_error and "IndexError" in ex.error.value
    assert ex.figure is good and len(panel_titles(ex.figure)) == 2
    ex.h.value = 2
    assert ex.last_error is None and ex.error.value == ""

"""shape_explorer driven headless: set the controls, check the figure against torch."""

import pytest
from support import stage_shapes, torch_shapes
from traitlets import TraitError

import helpers.widgets.shapes as shape_widgets
from helpers.attention import valid_heads
from helpers.widgets import shape_explorer
from helpers.widgets.shapes import D_MODELS


@pytest.fixture
def ex():
    return shape_explorer()


def test_controls_are_attributes_described_by_their_name(ex):
    for name in ("d_model", "h", "batch", "seq_len", "colour_by"):
        assert getattr(ex, name).description == name
    assert list(ex.d_model.options) == D_MODELS
    assert ex.values() == dict(d_model=16, h=8, batch=3, seq_len=4, colour_by="token")


def test_default_figure_is_the_source_notes_walk(ex):
    assert stage_shapes(ex.figure) == torch_shapes(3, 4, 16, 8)
    assert stage_shapes(ex.figure)[2:4] == [[3, 4, 8, 2], [3, 8, 4, 2]]


def test_setting_h_rebuilds_with_torchs_shapes(ex):
    for h in (2, 1, 16, 4):
        ex.h.value = h
        assert stage_shapes(ex.figure) == torch_shapes(3, 4, 16, h)
        assert f"h={h}," in ex.figure.layout.title.text


def test_h_offers_exactly_the_divisors_of_every_d_model(ex):
    for d_model in D_MODELS:
        ex.d_model.value = d_model
        assert list(ex.h.options) == valid_heads(d_model)
        assert d_model % ex.h.value == 0
        assert stage_shapes(ex.figure) == torch_shapes(3, 4, d_model, ex.h.value)


def test_changing_d_model_keeps_h_or_moves_to_the_nearest_divisor(ex):
    ex.h.value = 4
    ex.d_model.value = 32
    assert ex.h.value == 4  # still divides
    ex.h.value = 8
    ex.d_model.value = 12
    assert ex.h.value == 6  # 8 does not divide 12; 6 is nearest


def test_invalid_head_count_cannot_be_selected(ex):
    before = ex.figure
    with pytest.raises(TraitError):
        ex.h.value = 3
    assert ex.h.value == 8 and ex.figure is before


def test_batch_and_seq_len_change_the_shapes(ex):
    ex.batch.value = 2
    ex.seq_len.value = 7
    assert stage_shapes(ex.figure) == torch_shapes(2, 7, 16, 8)
    assert stage_shapes(ex.figure)[3] == [2, 8, 7, 2]


def test_several_controls_set_in_turn(ex):
    ex.d_model.value = 48
    ex.h.value = 3
    ex.seq_len.value = 5
    assert stage_shapes(ex.figure) == torch_shapes(3, 5, 48, 3)


def test_colour_by_head(ex):
    ex.colour_by.value = "head"
    assert ex.figure.layout.meta["colour_by"] == "head"


def test_a_builder_that_raises_shows_its_error_and_the_explorer_keeps_working(ex, monkeypatch):
    real = shape_widgets.shape_walk_figure

    def broken(walk, colour_by):
        if walk.h == 2:
            raise ValueError("cannot draw h=2 today")
        return real(walk, colour_by)

    monkeypatch.setattr(shape_widgets, "shape_walk_figure", broken)
    before = ex.figure
    ex.h.value = 2
    assert "ValueError: cannot draw h=2 today" in ex.error.value
    assert ex.last_error == "ValueError: cannot draw h=2 today"
    assert ex.figure is before
    ex.h.value = 4
    assert ex.error.value == "" and ex.last_error is None
    assert stage_shapes(ex.figure) == torch_shapes(3, 4, 16, 4)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(d_model=16, h=3),
            r"d_model=16 is not divisible by h=3; choose h from 1, 2, 4, 8, 16",
        ),
        (dict(batch=0), r"batch=0 must be a whole number from 1 to 8"),
        (dict(seq_len=40), r"seq_len=40 must be a whole number from 1 to 12"),
        (dict(colour_by="size"), r"colour_by='size'; choose one of token, head"),
    ],
)
def test_bad_arguments_say_what_to_do(kwargs, message):
    with pytest.raises(ValueError, match=message):
        shape_explorer(**kwargs)


def test_an_unlisted_d_model_is_added_to_the_choices():
    ex = shape_explorer(d_model=20, h=5)
    assert 20 in ex.d_model.options and list(ex.h.options) == [1, 2, 4, 5, 10, 20]

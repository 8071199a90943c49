"""helpers.figures.shapes: the shape walk figure shows the shapes torch produces, coloured
so that every number can be traced to its token and head."""

import re

import pytest
import torch
from support import torch_shapes

from helpers.figures.shapes import MAX_WIDTH, shape_walk_figure
from helpers.shape_walk import shape_walk

CASES = [
    (3, 4, 16, 8),
    (3, 4, 16, 2),
    (3, 4, 16, 1),
    (3, 4, 16, 16),
    (2, 5, 12, 3),
    (1, 7, 48, 6),
    (3, 4, 512, 8),
    (3, 4, 512, 512),
]
SHAPE = re.compile(r"\[(\d+(?:, \d+)*)\]")


@pytest.mark.parametrize("B, T, d_model, h", CASES)
def test_labelled_shapes_are_the_shapes_torch_produces(B, T, d_model, h):
    fig = shape_walk_figure(shape_walk(B, T, d_model, h))
    expected = torch_shapes(B, T, d_model, h)
    assert [s["shape"] for s in fig.layout.meta["stages"]] == expected
    labels = fig.layout.yaxis.ticktext[1:]  # the first tick is the colour key
    assert [[int(n) for n in SHAPE.search(t).group(1).split(", ")] for t in labels] == expected


def test_the_source_notes_walk_with_its_ops():
    fig = shape_walk_figure(shape_walk())
    labels = fig.layout.yaxis.ticktext
    assert "[3, 4, 8, 2]" in labels[3] and "v.view(B, T, h, d_k)" in labels[3]
    assert "[3, 8, 4, 2]" in labels[4] and "v.transpose(1, 2)" in labels[4]
    assert "[3, 4, 16]" in labels[7] and "contiguous().view" in labels[7]
    assert "W_O" in labels[8]


def band(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_heads_first_band_puts_head_j_token_t_where_torch_puts_it():
    B, T, d_model, h = 3, 4, 16, 8
    d_k = d_model // h
    fig = shape_walk_figure(shape_walk(B, T, d_model, h))
    data = band(fig, "heads first").customdata  # (T, h blocks of d_k with gaps, 4)
    x = torch.arange(T * d_model).view(1, T, d_model)  # number n sits at token n // d_model
    heads = x.view(1, T, h, d_k).transpose(1, 2)[0]  # (h, T, d_k)
    for j in range(h):
        for t in range(T):
            for i in range(d_k):
                token, head, within, feature = data[t][j * (d_k + 1) + i]
                n = int(heads[j, t, i])
                assert (token, head, within, feature) == (n // d_model, j, i, n % d_model)


def test_token_colours_follow_the_token_and_head_colours_follow_the_head():
    by_token = shape_walk_figure(shape_walk(1, 4, 16, 8), colour_by="token")
    cut = band(by_token, "cut into heads")  # [T, h, d_k] drawn as T blocks of h rows
    for t in range(4):
        block = [row[t * 3 : t * 3 + 2] for row in cut.z]
        assert {v for row in block for v in row} == {t + 1}  # colour slot of token t
    by_head = shape_walk_figure(shape_walk(1, 4, 16, 8), colour_by="head")
    first = band(by_head, "heads first")  # [h, T, d_k] drawn as h blocks of T rows
    for j in range(8):
        assert {v for row in first.z for v in row[j * 3 : j * 3 + 2]} == {j + 1}
    for name in ("input", "mix heads"):  # no head exists there: grey (slot 0)
        assert {v for row in band(by_head, name).z for v in row} == {0}


def test_large_d_model_is_drawn_sampled_and_says_so():
    fig = shape_walk_figure(shape_walk(3, 4, 512, 8))
    assert fig.layout.meta["sampled"]
    assert "too large to draw every number" in fig.layout.title.text
    assert any("drawn: 1 column in" in t for t in fig.layout.yaxis.ticktext)
    for trace in fig.data[1:]:
        assert len(trace.z[0]) <= MAX_WIDTH
    small = shape_walk_figure(shape_walk(3, 4, 16, 8))
    assert not small.layout.meta["sampled"] and "too large" not in small.layout.title.text


def test_many_heads_share_16_colour_bands():
    fig = shape_walk_figure(shape_walk(1, 2, 64, 64), colour_by="head")
    assert "16 bands of 4 heads" in fig.layout.yaxis.ticktext[0]


def test_colour_by_is_checked():
    with pytest.raises(ValueError, match=r"colour_by='size'; choose one of token, head"):
        shape_walk_figure(shape_walk(), colour_by="size")

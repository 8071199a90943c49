"""helpers.shape_walk: the shapes torch itself produces, and where every number sits at each
step."""

import pytest
import torch
from support import torch_shapes

from helpers.shape_walk import shape_trace, shape_walk


@pytest.mark.parametrize(
    "B, T, d_model, h", [(3, 4, 16, 8), (3, 4, 16, 1), (2, 5, 12, 3), (3, 4, 512, 512)]
)
def test_the_meta_device_trace_is_the_cpu_run(B, T, d_model, h):
    assert [s.shape for s in shape_trace(B, T, d_model, h)] == torch_shapes(B, T, d_model, h)


def test_the_source_notes_walk():
    walk = shape_walk()
    assert [s.shape for s in walk.steps][2:7] == [
        [3, 4, 8, 2],
        [3, 8, 4, 2],
        [3, 8, 4, 2],
        [3, 4, 8, 2],
        [3, 4, 16],
    ]
    assert walk.d_k == 2


def test_every_number_is_followed_through_view_and_transpose():
    walk = shape_walk(3, 4, 16, 8)
    flat = walk.where["input"]  # (B, T, d_model): number n of sentence b
    heads = walk.where["heads first"]  # (B, h, T, d_k)
    assert torch.equal(heads[1, 5, 2], flat[1, 2, 10:12])  # head 5 of token 2 = features 10, 11
    assert torch.equal(walk.where["concatenate heads"], flat)  # the merge puts every number back
    assert all(list(walk.where[s.name].shape) == s.shape for s in walk.steps)


def test_errors_name_the_values_and_the_fix():
    with pytest.raises(
        ValueError, match=r"d_model=16 is not divisible by h=3; choose h from 1, 2, 4, 8, 16"
    ):
        shape_walk(3, 4, 16, 3)
    with pytest.raises(ValueError, match=r"seq_len=0 must be a whole number >= 1"):
        shape_walk(seq_len=0)

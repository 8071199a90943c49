"""helpers.attention: shapes, the inverse pair split/merge, equality with torch, and errors."""

import math

import pytest
import torch
from torch import nn

from helpers.attention import (
    MultiHeadSelfAttention,
    SelfAttention,
    check_heads,
    merge_heads,
    nearest_heads,
    scaled_dot_product_attention,
    split_heads,
    valid_heads,
)

SHAPES = [  # (B, T, d_model, h): h = 1 and h = d_model included
    (3, 4, 16, 8),
    (3, 4, 16, 1),
    (3, 4, 16, 16),
    (1, 1, 8, 2),
    (2, 7, 12, 3),
    (2, 5, 18, 6),
    (4, 9, 32, 4),
    (2, 3, 6, 6),
    (1, 16, 64, 8),
    (2, 10, 30, 5),
]


def test_valid_heads_are_the_divisors():
    assert valid_heads(16) == [1, 2, 4, 8, 16]
    assert valid_heads(18) == [1, 2, 3, 6, 9, 18]
    assert valid_heads(1) == [1]


@pytest.mark.parametrize("B, T, d_model, h", SHAPES)
def test_split_then_merge_is_identity(B, T, d_model, h):
    x = torch.randn(B, T, d_model)
    heads = split_heads(x, h)
    assert list(heads.shape) == [B, h, T, d_model // h]
    assert torch.equal(merge_heads(heads), x)


def test_split_heads_puts_head_j_on_columns_j_dk_to_j_plus_1_dk():
    x = torch.arange(3 * 4 * 16, dtype=torch.float32).view(3, 4, 16)
    heads = split_heads(x, 8)
    for j in range(8):
        assert torch.equal(heads[:, j], x[:, :, 2 * j : 2 * j + 2])


def test_trace_records_the_source_notes_walk():
    torch.manual_seed(0)
    layer = MultiHeadSelfAttention(16, 8)
    trace = []
    layer(torch.randn(3, 4, 16), trace=trace)
    assert [s.shape for s in trace] == [
        [3, 4, 16],
        [3, 4, 16],
        [3, 4, 8, 2],
        [3, 8, 4, 2],
        [3, 8, 4, 2],
        [3, 4, 8, 2],
        [3, 4, 16],
        [3, 4, 16],
    ]
    assert trace[3].op == "x.transpose(1, 2)"


def test_scaled_dot_product_attention_matches_the_formula_and_torch():
    torch.manual_seed(1)
    q, k, v = (torch.randn(2, 3, 5, 4) for _ in range(3))
    out, weights = scaled_dot_product_attention(q, k, v)
    expected_w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(4), dim=-1)
    assert torch.allclose(weights, expected_w, atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5), atol=1e-6)
    assert torch.allclose(out, torch.nn.functional.scaled_dot_product_attention(q, k, v), atol=1e-5)


def test_mask_true_means_may_attend():
    torch.manual_seed(2)
    q, k, v = (torch.randn(1, 4, 3) for _ in range(3))
    causal = torch.ones(4, 4, dtype=torch.bool).tril()
    out, weights = scaled_dot_product_attention(q, k, v, causal)
    assert torch.all(weights[0].triu(1) == 0)
    ref = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=causal)
    assert torch.allclose(out, ref, atol=1e-5)


def test_single_head_self_attention_shapes_and_rows():
    torch.manual_seed(3)
    layer = SelfAttention(16, d_k=4)
    z, weights = layer(torch.randn(2, 5, 16))
    assert list(z.shape) == [2, 5, 4]
    assert list(weights.shape) == [2, 5, 5]
    assert torch.allclose(weights.sum(-1), torch.ones(2, 5), atol=1e-6)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("B, T, d_model, h", SHAPES)
def test_equals_torch_multihead_attention(B, T, d_model, h, bias):
    torch.manual_seed(B * 1000 + T * 100 + d_model + h)
    m = nn.MultiheadAttention(d_model, h, bias=bias, batch_first=True).eval()
    if bias:  # torch starts its biases at zero; make them count
        with torch.no_grad():
            m.in_proj_bias.normal_()
            m.out_proj.bias.normal_()
    ours = MultiHeadSelfAttention.from_torch(m).eval()
    x = torch.randn(B, T, d_model)
    with torch.no_grad():
        ref_out, ref_w = m(x, x, x, need_weights=True, average_attn_weights=False)
        out, weights = ours(x)
    assert list(out.shape) == [B, T, d_model]
    assert list(weights.shape) == [B, h, T, T]
    assert torch.allclose(out, ref_out, atol=1e-5)
    assert torch.allclose(weights, ref_w, atol=1e-5)


def test_from_torch_keeps_float64():
    m = nn.MultiheadAttention(8, 2, batch_first=True, dtype=torch.float64).eval()
    ours = MultiHeadSelfAttention.from_torch(m)
    x = torch.randn(1, 3, 8, dtype=torch.float64)
    with torch.no_grad():
        assert torch.allclose(ours(x)[0], m(x, x, x)[0], atol=1e-10)


# --------------------------------------------------------------------------- bad input


def test_error_d_model_not_divisible_names_values_and_choices():
    with pytest.raises(ValueError) as e:
        MultiHeadSelfAttention(18, 8)
    assert str(e.value) == "d_model=18 is not divisible by h=8; choose h from 1, 2, 3, 6, 9, 18"


@pytest.mark.parametrize("h", [0, -2])
def test_error_h_below_one(h):
    with pytest.raises(
        ValueError,
        match=rf"h={h} must be a whole number >= 1 \(the number of heads; "
        r"choose h from 1, 2, 4, 8, 16\)",
    ):
        MultiHeadSelfAttention(16, h)


def test_error_h_not_an_int():
    with pytest.raises(ValueError, match=r"h=2.5"):
        check_heads(16, 2.5)


def test_error_d_model_below_one():
    with pytest.raises(ValueError, match=r"d_model=0 must be a whole number >= 1"):
        MultiHeadSelfAttention(0, 1)


def test_error_input_not_3d_suggests_unsqueeze():
    layer = MultiHeadSelfAttention(16, 8)
    with pytest.raises(
        ValueError, match=r"x has shape \[4, 16\] but must be 3-D .*x\.unsqueeze\(0\)"
    ):
        layer(torch.randn(4, 16))


def test_error_last_dim_not_d_model():
    layer = MultiHeadSelfAttention(16, 8)
    with pytest.raises(ValueError, match=r"last dimension 12 must equal d_model=16"):
        layer(torch.randn(3, 4, 12))


def test_error_integer_input():
    layer = MultiHeadSelfAttention(16, 8)
    with pytest.raises(ValueError, match=r"dtype torch.int64 .* use x.float\(\)"):
        layer(torch.ones(3, 4, 16, dtype=torch.long))


def test_error_not_a_tensor():
    with pytest.raises(ValueError, match=r"x must be a torch.Tensor"):
        MultiHeadSelfAttention(16, 8)([[1.0] * 16])


def test_error_split_heads_bad_h():
    with pytest.raises(ValueError, match=r"d_model=16 is not divisible by h=3"):
        split_heads(torch.randn(1, 2, 16), 3)


def test_error_merge_heads_wrong_rank():
    with pytest.raises(
        ValueError, match=r"merge_heads expects \[B, h, T, d_k\], got shape \[3, 4, 16\]"
    ):
        merge_heads(torch.randn(3, 4, 16))


def test_error_mask_not_bool():
    q = torch.randn(1, 2, 4)
    with pytest.raises(ValueError, match=r"mask must be a bool tensor"):
        scaled_dot_product_attention(q, q, q, torch.ones(2, 2))


def test_error_from_torch_other_kdim():
    m = nn.MultiheadAttention(8, 2, kdim=4, vdim=4, batch_first=True)
    with pytest.raises(ValueError, match=r"kdim == vdim == embed_dim=8"):
        MultiHeadSelfAttention.from_torch(m)


def test_error_from_torch_not_mha():
    with pytest.raises(ValueError, match=r"expects torch.nn.MultiheadAttention, got Linear"):
        MultiHeadSelfAttention.from_torch(nn.Linear(4, 4))


def test_nearest_heads_keeps_a_divisor_or_moves_to_the_closest_one():
    assert nearest_heads(16, 8) == 8
    assert nearest_heads(12, 8) == 6 and nearest_heads(12, 5) == 4  # a tie goes to the smaller
    assert nearest_heads(96, 7) == 6

"""helpers.attention: shapes, the inverse pair split/merge, equality with torch (with and without
masks), and errors."""

import math

import pytest
import torch
from torch import nn

from helpers.attention import (
    MultiHeadSelfAttention,
    SelfAttention,
    causal_mask,
    check_heads,
    merge_heads,
    nearest_heads,
    padding_mask,
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
    # the layer cuts its projection v = W_V(x), not x: the recorded ops say so
    assert trace[1].op.startswith("v = W_V(x)")
    assert trace[2].op == "v.view(B, T, h, d_k)" and trace[3].op == "v.transpose(1, 2)"
    standalone = []
    split_heads(torch.randn(3, 4, 16), 8, standalone)
    assert [s.op for s in standalone] == ["x.view(B, T, h, d_k)", "x.transpose(1, 2)"]


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


# --------------------------------------------------------------------------- masks
#
# The helpers take one bool mask, True = may attend (F.scaled_dot_product_attention's
# convention); nn.MultiheadAttention takes key_padding_mask [B, T] and attn_mask [T, T] with
# True = may NOT attend, so torch gets the inverted masks.

MASK_SHAPES = [  # (lengths, d_model, h): h = 1 and h = d_model included
    ([5, 2, 3], 16, 4),
    ([4, 4], 16, 1),
    ([7, 1, 3, 6], 12, 3),
    ([3, 2], 8, 8),
]


def _torch_and_ours(d_model, h, seed):
    torch.manual_seed(seed)
    m = nn.MultiheadAttention(d_model, h, batch_first=True).eval()
    with torch.no_grad():  # torch starts its biases at zero; make them count
        m.in_proj_bias.normal_()
        m.out_proj.bias.normal_()
    return m, MultiHeadSelfAttention.from_torch(m).eval()


def test_causal_mask_is_lower_triangular():
    assert causal_mask(3).int().tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]


def test_padding_mask_marks_the_real_tokens():
    mask = padding_mask([3, 1], T=4)
    assert list(mask.shape) == [2, 1, 1, 4]
    assert mask[:, 0, 0].int().tolist() == [[1, 1, 1, 0], [1, 0, 0, 0]]
    assert list(padding_mask([2, 5]).shape) == [2, 1, 1, 5]  # T defaults to the longest


@pytest.mark.parametrize("kind", ["padding", "causal", "both"])
@pytest.mark.parametrize("lengths, d_model, h", MASK_SHAPES)
def test_masked_layer_equals_torch_multihead_attention(lengths, d_model, h, kind):
    m, ours = _torch_and_ours(d_model, h, seed=len(lengths) * 100 + d_model + h)
    B, T = len(lengths), max(lengths)
    x = torch.randn(B, T, d_model)  # (B, T, d_model)
    pad = padding_mask(lengths, T)  # (B, 1, 1, T)  True at real tokens
    causal = causal_mask(T)  # (T, T)  True on and below the diagonal
    mask, theirs = {
        "padding": (pad, dict(key_padding_mask=~pad[:, 0, 0])),
        "causal": (causal, dict(attn_mask=~causal)),
        "both": (causal & pad, dict(key_padding_mask=~pad[:, 0, 0], attn_mask=~causal)),
    }[kind]
    with torch.no_grad():
        out, weights = ours(x, mask=mask)
        ref_out, ref_w = m(x, x, x, average_attn_weights=False, **theirs)
        fast_out, _ = m(x, x, x, need_weights=False, **theirs)  # torch's fused path
    real = pad[:, 0, 0]  # (B, T)
    assert not torch.isnan(out).any()  # padding only hides keys: no row is empty
    assert torch.allclose(out[real], ref_out[real], atol=1e-5)
    assert torch.allclose(out, ref_out, atol=1e-5)  # padded queries too: they see real keys
    assert torch.allclose(out, fast_out, atol=1e-5)
    assert torch.allclose(weights, ref_w, atol=1e-6)
    assert torch.all(weights.masked_select(~mask.expand_as(weights)) == 0)
    assert torch.allclose(weights.sum(-1), torch.ones(B, h, T), atol=1e-5)


def test_padded_batch_equals_each_sentence_alone():
    torch.manual_seed(11)
    layer = MultiHeadSelfAttention(16, 4).eval()
    lengths = [4, 2, 3]
    x = torch.randn(3, 4, 16)  # (B, T, d_model)
    with torch.no_grad():
        out, _ = layer(x, mask=padding_mask(lengths))
        x_other = x.clone()
        x_other[1, 2:] = 100.0  # whatever sits in the padding
        out_other, _ = layer(x_other, mask=padding_mask(lengths))
        for b, n in enumerate(lengths):
            alone, _ = layer(x[b : b + 1, :n])
            assert torch.allclose(out[b, :n], alone[0], atol=1e-6)
            assert torch.allclose(out_other[b, :n], alone[0], atol=1e-6)


def test_causal_output_ignores_later_tokens():
    torch.manual_seed(12)
    layer = MultiHeadSelfAttention(16, 4).eval()
    x = torch.randn(2, 5, 16)
    x_later = x.clone()
    x_later[:, 3:] = torch.randn(2, 2, 16)
    with torch.no_grad():
        out, _ = layer(x, mask=causal_mask(5))
        out_later, _ = layer(x_later, mask=causal_mask(5))
    assert torch.allclose(out[:, :3], out_later[:, :3], atol=1e-6)
    assert not torch.allclose(out[:, 3:], out_later[:, 3:], atol=1e-3)


def test_fully_masked_row_is_nan_and_a_diagonal_fixes_it():
    torch.manual_seed(13)
    layer = MultiHeadSelfAttention(8, 2).eval()
    x = torch.randn(1, 4, 8)
    left_padded = causal_mask(4) & torch.tensor([False, True, True, True])  # (T, T) row 0 empty
    with torch.no_grad():
        out, weights = layer(x, mask=left_padded)
        fixed, _ = layer(x, mask=left_padded | torch.eye(4, dtype=torch.bool))
    assert torch.isnan(out[0, 0]).all() and torch.isnan(weights[0, :, 0]).all()
    assert not torch.isnan(out[0, 1:]).any()
    assert not torch.isnan(fixed).any() and torch.allclose(fixed[0, 1:], out[0, 1:], atol=1e-6)


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


@pytest.mark.parametrize(
    "mask, words",
    [
        (
            torch.zeros(4, 4).masked_fill(~causal_mask(4), float("-inf")),
            r"got torch.float32; an additive float mask \(0 = attend, -inf = not\) becomes one "
            "with mask == 0",
        ),
        (causal_mask(4).int(), r"got torch.int32; .* becomes one with mask.bool\(\)"),
        ([[True] * 4] * 4, r"got list; e.g. causal_mask\(T\) or padding_mask\(lengths\)"),
    ],
)
def test_error_mask_kind_names_the_convention(mask, words):
    layer = MultiHeadSelfAttention(16, 4)
    with pytest.raises(
        ValueError, match=r"mask must be a bool tensor \(True = may attend\), " + words
    ):
        layer(torch.randn(2, 4, 16), mask=mask)


@pytest.mark.parametrize(
    "mask, shape",
    [
        (causal_mask(5), "[5, 5]"),  # built for another length
        (padding_mask([4, 2], T=4)[:, 0, 0], "[2, 4]"),  # torch's key_padding_mask shape
        (padding_mask([4, 2, 3], T=4), "[3, 1, 1, 4]"),  # another batch
    ],
)
def test_error_mask_shape_names_shapes_and_fix(mask, shape):
    layer = MultiHeadSelfAttention(16, 4)
    with pytest.raises(ValueError) as e:
        layer(torch.randn(2, 4, 16), mask=mask)
    assert str(e.value) == (
        f"mask of shape {shape} does not broadcast to the scores [2, 4, 4, 4]; "
        "use [4, 4] (e.g. causal_mask(4)) or [B, 1, 1, 4] (padding_mask(lengths))"
    )


@pytest.mark.parametrize(
    "lengths, T, words",
    [
        ([3, 0], None, r"lengths=\[3, 0\]: give one length per sentence, each at least 1 token"),
        ([], None, r"lengths=\[\]"),
        ([5, 2], 4, r"a sentence of 5 tokens does not fit in T=4; pass T >= 5"),
        ([2], 0, r"T=0"),
    ],
)
def test_error_padding_mask(lengths, T, words):
    with pytest.raises(ValueError, match=words):
        padding_mask(lengths, T)


def test_error_causal_mask_length():
    with pytest.raises(ValueError, match=r"T=0 must be a whole number >= 1"):
        causal_mask(0)


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

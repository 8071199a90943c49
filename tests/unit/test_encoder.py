"""helpers.encoder: shapes, equality with torch (ReLU and GELU, with masks), errors."""

import math

import pytest
import torch
from torch import nn

from helpers.attention import causal_mask, padding_mask
from helpers.encoder import Encoder, EncoderLayer, sinusoidal_positions

CONFIGS = [  # (n_layers, d_model, h, d_ff)
    (1, 8, 2, 16),
    (2, 16, 4, 32),
    (3, 12, 3, 20),
    (2, 16, 1, 64),
    (2, 16, 16, 8),
    (6, 512, 8, 2048),  # the paper's base encoder
]


def torch_encoder(n_layers, d_model, h, d_ff, **kw):
    layer = nn.TransformerEncoderLayer(d_model, h, d_ff, dropout=0.0, batch_first=True, **kw)
    return nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False).eval()


# --------------------------------------------------------------------------- positions


def test_sinusoidal_positions_follow_the_paper():
    pe = sinusoidal_positions(50, 16)
    assert list(pe.shape) == [50, 16]
    for pos in (0, 1, 7, 49):
        for i in range(8):
            angle = pos / 10000 ** (2 * i / 16)
            assert math.isclose(pe[pos, 2 * i].item(), math.sin(angle), abs_tol=1e-5)
            assert math.isclose(pe[pos, 2 * i + 1].item(), math.cos(angle), abs_tol=1e-5)
    assert pe.abs().max() <= 1
    assert (
        len({tuple(row) for row in pe.round(decimals=4).tolist()}) == 50
    )  # every position differs


@pytest.mark.parametrize(
    "T, d_model, words", [(0, 8, "T=0"), (4, 7, "must be even"), (4, 0, "d_model=0")]
)
def test_sinusoidal_positions_errors(T, d_model, words):
    with pytest.raises(ValueError, match=words):
        sinusoidal_positions(T, d_model)


# --------------------------------------------------------------------------- layers


@pytest.mark.parametrize("n_layers, d_model, h, d_ff", CONFIGS)
def test_encoder_equals_torch_transformer_encoder(n_layers, d_model, h, d_ff):
    torch.manual_seed(n_layers * 100 + d_model)
    theirs = torch_encoder(n_layers, d_model, h, d_ff)
    ours = Encoder.from_torch(theirs).eval()
    x = torch.randn(3, 7, d_model)
    with torch.no_grad():
        y, weights = ours(x)
        expected = theirs(x)
        _, w0 = theirs.layers[0].self_attn(x, x, x, average_attn_weights=False)
    assert (y - expected).abs().max().item() < 1e-5
    assert len(weights) == n_layers
    assert all(list(w.shape) == [3, h, 7, 7] for w in weights)
    assert torch.allclose(weights[0], w0, atol=1e-6)
    assert torch.allclose(torch.stack(weights).sum(-1), torch.ones(n_layers, 3, h, 7), atol=1e-5)


# --------------------------------------------------------------------------- masks
#
# Ours: one bool mask, True = may attend. torch: src_key_padding_mask [B, T] and mask [T, T],
# True = may NOT attend, so torch gets the inverted masks.

LENGTHS = [7, 3, 5]


def _masks(kind, T=7):
    pad = padding_mask(LENGTHS, T)  # (B, 1, 1, T)
    causal = causal_mask(T)  # (T, T)
    return {
        "padding": (pad, dict(src_key_padding_mask=~pad[:, 0, 0])),
        "causal": (causal, dict(mask=~causal)),
        "both": (causal & pad, dict(src_key_padding_mask=~pad[:, 0, 0], mask=~causal)),
    }[kind]


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("kind", ["padding", "causal", "both"])
def test_masked_encoder_layer_equals_torch_layer(kind, activation):
    torch.manual_seed(21)
    theirs = nn.TransformerEncoderLayer(
        16, 4, 40, dropout=0.0, activation=activation, batch_first=True
    ).eval()
    ours = EncoderLayer.from_torch(theirs).eval()
    assert ours.activation == activation
    mask, torch_masks = _masks(kind)
    x = torch.randn(3, 7, 16)
    with torch.no_grad():
        y, weights = ours(x, mask)
        layer_masks = {"src_mask" if k == "mask" else k: v for k, v in torch_masks.items()}
        expected = theirs(x, **layer_masks)  # the layer calls its causal mask src_mask
    real = padding_mask(LENGTHS, 7)[:, 0, 0]  # (B, T)
    assert (y[real] - expected[real]).abs().max().item() < 1e-5
    assert (y - expected).abs().max().item() < 1e-5  # padded positions too: no row is empty
    assert torch.all(weights.masked_select(~mask.expand_as(weights)) == 0)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("kind", ["padding", "causal", "both"])
def test_masked_encoder_equals_torch_transformer_encoder(kind, activation):
    torch.manual_seed(22)
    theirs = torch_encoder(3, 16, 4, 32, activation=activation)
    ours = Encoder.from_torch(theirs).eval()
    assert [layer.activation for layer in ours.layers] == [activation] * 3
    mask, torch_masks = _masks(kind)
    x = torch.randn(3, 7, 16)
    with torch.no_grad():
        y, weights = ours(x, mask)
        expected = theirs(x, **torch_masks)
    assert (y - expected).abs().max().item() < 1e-5
    assert len(weights) == 3


def test_padded_batch_through_the_encoder_equals_each_sentence_alone():
    torch.manual_seed(23)
    enc = Encoder(3, 16, 4, 32, activation="gelu").eval()
    x = torch.randn(3, 7, 16) + sinusoidal_positions(7, 16)
    with torch.no_grad():
        y, _ = enc(x, padding_mask(LENGTHS, 7))
        y_plain, _ = enc(x)
        for b, n in enumerate(LENGTHS):
            alone, _ = enc(x[b : b + 1, :n])
            assert (y[b, :n] - alone[0]).abs().max().item() < 1e-5
    assert not torch.allclose(y_plain[1, :3], y[1, :3], atol=1e-3)  # without the mask: changed


def test_causal_encoder_output_ignores_later_tokens():
    torch.manual_seed(24)
    enc = Encoder(2, 16, 4, 32).eval()
    x = torch.randn(2, 6, 16)
    x_later = x.clone()
    x_later[:, 4:] = torch.randn(2, 2, 16)
    with torch.no_grad():
        y, _ = enc(x, causal_mask(6))
        y_later, _ = enc(x_later, causal_mask(6))
    assert torch.allclose(y[:, :4], y_later[:, :4], atol=1e-6)


def test_masked_encoder_errors_name_the_fix():
    enc = Encoder(2, 16, 4, 32)
    with pytest.raises(ValueError, match=r"mask must be a bool tensor .* mask == 0"):
        enc(torch.randn(2, 5, 16), nn.Transformer.generate_square_subsequent_mask(5))
    with pytest.raises(ValueError, match=r"mask of shape \[2, 5\] does not broadcast"):
        enc(torch.randn(2, 5, 16), padding_mask([5, 2])[:, 0, 0])
    with pytest.raises(ValueError, match=r"activation='tanh'; choose one of relu, gelu"):
        Encoder(2, 16, 4, 32, activation="tanh")


def test_encoder_layer_equals_torch_layer_in_train_mode_with_dropout_0():
    torch.manual_seed(3)
    theirs = nn.TransformerEncoderLayer(16, 4, 40, dropout=0.0, batch_first=True).train()
    ours = EncoderLayer.from_torch(theirs)
    x = torch.randn(2, 5, 16)
    y, w = ours(x)
    assert (y - theirs(x)).abs().max().item() < 1e-5
    assert list(w.shape) == [2, 4, 5, 5]


def test_from_torch_copies_the_layer_norm_epsilon():
    torch.manual_seed(7)
    theirs = torch_encoder(2, 16, 4, 32, layer_norm_eps=0.5)
    ours = Encoder.from_torch(theirs).eval()
    assert ours.layers[1].norm_2.eps == 0.5 and ours.n_layers == 2
    x = torch.randn(2, 5, 16)
    with torch.no_grad():
        assert (ours(x)[0] - theirs(x)).abs().max().item() < 1e-5


def test_encoder_layer_is_post_norm_and_position_wise():
    torch.manual_seed(4)
    layer = EncoderLayer(16, 4, 32).eval()
    x = torch.randn(2, 5, 16)
    z, _ = layer.self_attn(x)
    a = layer.norm_1(x + z)
    y = layer.norm_2(a + layer.W_2(torch.relu(layer.W_1(a))))
    out, _ = layer(x)
    assert torch.allclose(out, y, atol=1e-6)
    assert torch.allclose(out.mean(-1), torch.zeros(2, 5), atol=1e-5)  # LayerNorm last
    # the feed-forward sees one token at a time
    one = layer.W_2(torch.relu(layer.W_1(a[:, 3:4])))
    assert torch.allclose(one, layer.W_2(torch.relu(layer.W_1(a)))[:, 3:4], atol=1e-6)


def test_each_layer_reads_the_output_of_the_one_below():
    torch.manual_seed(5)
    enc = Encoder(4, 16, 4, 32).eval()
    x = torch.randn(2, 6, 16)
    y, weights = enc(x)
    h = x
    for i, layer in enumerate(enc.layers):
        h, w = layer(h)
        assert list(h.shape) == [2, 6, 16]
        assert torch.equal(w, weights[i])
    assert torch.equal(h, y)
    skip = enc.layers[1](enc.layers[0](x)[0])[0]
    assert not torch.allclose(skip, enc.layers[1](x)[0])  # so the order matters


def test_encoder_changes_with_token_order_only_through_positions():
    torch.manual_seed(6)
    enc = Encoder(2, 16, 4, 32).eval()
    x = torch.randn(1, 6, 16)
    perm = torch.tensor([3, 1, 5, 0, 2, 4])
    y, _ = enc(x)
    y_perm, _ = enc(x[:, perm])
    assert torch.allclose(y_perm, y[:, perm], atol=1e-5)  # no positions: just permuted
    pe = sinusoidal_positions(6, 16)
    y_pe, _ = enc(x + pe)
    y_perm_pe, _ = enc(x[:, perm] + pe)
    assert not torch.allclose(y_perm_pe, y_pe[:, perm], atol=1e-3)


@pytest.mark.parametrize(
    "args, words",
    [
        ((0, 16, 4, 32), "n_layers=0"),
        ((2, 18, 4, 32), "not divisible by h=4"),
        ((2, 16, 4, 0), "d_ff=0"),
        ((2.5, 16, 4, 32), "n_layers=2.5"),
    ],
)
def test_encoder_constructor_errors(args, words):
    with pytest.raises(ValueError, match=words):
        Encoder(*args)


def test_encoder_input_errors():
    enc = Encoder(1, 16, 4, 32)
    with pytest.raises(ValueError, match="last dimension 12 must equal d_model=16"):
        enc(torch.randn(2, 5, 12))
    with pytest.raises(ValueError, match="unsqueeze"):
        enc(torch.randn(5, 16))


def test_from_torch_errors():
    with pytest.raises(ValueError, match="expects torch.nn.TransformerEncoder"):
        Encoder.from_torch(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="expects torch.nn.TransformerEncoderLayer"):
        EncoderLayer.from_torch(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="norm_first=False"):
        Encoder.from_torch(torch_encoder(2, 16, 4, 32, norm_first=True))
    with pytest.raises(ValueError, match="ReLU .* or GELU"):
        Encoder.from_torch(torch_encoder(2, 16, 4, 32, activation=torch.tanh))
    layer = nn.TransformerEncoderLayer(16, 4, 32, batch_first=True)
    with pytest.raises(ValueError, match="norm=None"):
        Encoder.from_torch(
            nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(16), enable_nested_tensor=False)
        )

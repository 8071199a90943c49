"""The Transformer encoder: sinusoidal positions, one encoder layer, a stack of them.

Names follow "Attention Is All You Need" (Vaswani et al., 2017), section 3.1 and 3.3:
every layer is multi-head self-attention → add & LayerNorm → position-wise feed-forward
``FFN(x) = max(0, x W_1 + b_1) W_2 + b_2`` → add & LayerNorm. The norm comes *after* each
residual addition ("post-norm"), as in the paper. ``d_ff`` is the width of the hidden layer
of the feed-forward network (2048 in the paper's base model, for ``d_model = 512``).

Shapes in comments use B = batch, T = tokens, h = heads, d_ff = feed-forward width.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from helpers.attention import MultiHeadSelfAttention, check_heads, check_input
from helpers.checks import whole_number

__all__ = ["ACTIVATIONS", "sinusoidal_positions", "EncoderLayer", "Encoder"]

# The feed-forward non-linearity: ReLU in the paper; GELU in BERT and most models since.
ACTIVATIONS = {"relu": torch.relu, "gelu": torch.nn.functional.gelu}


# --------------------------------------------------------------------------- positions


def sinusoidal_positions(T: int, d_model: int) -> torch.Tensor:
    """``[T, d_model]``: PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(…).

    Added to the token vectors before the first encoder, so that attention, which by itself
    does not know the order of its inputs, can tell positions apart.
    """
    whole_number("T", T, hint="e.g. 10 tokens")
    whole_number("d_model", d_model, hint="e.g. 512")
    if d_model % 2 != 0:
        raise ValueError(
            f"d_model={d_model} must be even: sinusoidal positions pair a sine and a cosine "
            f"per frequency; use d_model={d_model + 1} or {d_model - 1}"
        )
    pos = torch.arange(T, dtype=torch.float32)[:, None]  # (T, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float32)  # (d_model / 2,)
    freq = torch.exp(-math.log(10000.0) * two_i / d_model)  # (d_model / 2,) = 1 / 10000^(2i/d)
    angle = pos * freq  # (T, d_model / 2)
    pe = torch.zeros(T, d_model)  # (T, d_model)
    pe[:, 0::2] = torch.sin(angle)  # even features: sine
    pe[:, 1::2] = torch.cos(angle)  # odd features: cosine
    return pe


# --------------------------------------------------------------------------- one layer


class EncoderLayer(nn.Module):
    """Self-attention → add & norm → feed-forward → add & norm (post-norm, like the paper)."""

    def __init__(
        self, d_model: int, h: int, d_ff: int, activation: str = "relu", eps: float = 1e-5
    ):
        super().__init__()
        check_heads(d_model, h)
        whole_number("d_ff", d_ff, hint=f"e.g. 4 * d_model = {4 * d_model}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation={activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        self.d_model = d_model
        self.h = h
        self.d_ff = d_ff
        self.activation = activation
        self.self_attn = MultiHeadSelfAttention(d_model, h)
        self.norm_1 = nn.LayerNorm(d_model, eps=eps)
        self.W_1 = nn.Linear(d_model, d_ff)
        self.W_2 = nn.Linear(d_ff, d_model)
        self.norm_2 = nn.LayerNorm(d_model, eps=eps)

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        head_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x [B, T, d_model] -> (y [B, T, d_model], weights [B, h, T, T])``; ``mask`` (True =
        may attend) and ``head_mask`` (``[h]``, 0 = remove a head) as in
        :class:`~helpers.attention.MultiHeadSelfAttention`."""
        check_input(x, self.d_model)
        z, weights = self.self_attn(x, mask, head_mask=head_mask)  # (B, T, d_model), (B, h, T, T)
        x = self.norm_1(x + z)  # (B, T, d_model)  add & norm
        f = ACTIVATIONS[self.activation](
            self.W_1(x)
        )  # (B, T, d_ff)  position-wise: every token on its own
        f = self.W_2(f)  # (B, T, d_model)
        y = self.norm_2(x + f)  # (B, T, d_model)  add & norm
        return y, weights

    @classmethod
    def from_torch(cls, m: nn.TransformerEncoderLayer) -> EncoderLayer:
        """A copy of a ``torch.nn.TransformerEncoderLayer``'s weights (post-norm, ReLU)."""
        if not isinstance(m, nn.TransformerEncoderLayer):
            raise ValueError(
                f"from_torch expects torch.nn.TransformerEncoderLayer, got {type(m).__name__}"
            )
        if m.norm_first:
            raise ValueError(
                "this layer is pre-norm (norm_first=True); the paper's layer, and this one, "
                "normalise after the residual addition: build torch's with norm_first=False"
            )
        activation = {1: "relu", 2: "gelu"}.get(getattr(m, "activation_relu_or_gelu", 0))
        if activation is None:
            raise ValueError(
                "the feed-forward activation must be ReLU (the paper) or GELU, "
                f"got {m.activation!r}; "
                'build torch\'s layer with activation="relu" or "gelu"'
            )
        if m.linear1.bias is None or m.norm1.bias is None:
            raise ValueError("from_torch needs bias=True (the default) in torch's layer")
        d_model = m.self_attn.embed_dim
        layer = cls(d_model, m.self_attn.num_heads, m.linear1.out_features, activation=activation)
        layer.self_attn = MultiHeadSelfAttention.from_torch(m.self_attn)
        with torch.no_grad():
            layer.W_1.weight.copy_(m.linear1.weight)
            layer.W_1.bias.copy_(m.linear1.bias)
            layer.W_2.weight.copy_(m.linear2.weight)
            layer.W_2.bias.copy_(m.linear2.bias)
            for ours, theirs in ((layer.norm_1, m.norm1), (layer.norm_2, m.norm2)):
                ours.weight.copy_(theirs.weight)
                ours.bias.copy_(theirs.bias)
                ours.eps = theirs.eps
        return layer.to(m.linear1.weight.dtype)


# --------------------------------------------------------------------------- the stack


class Encoder(nn.Module):
    """``n_layers`` encoder layers; layer i reads layer i-1's output (layer 0 reads x)."""

    def __init__(self, n_layers: int, d_model: int, h: int, d_ff: int, activation: str = "relu"):
        super().__init__()
        whole_number("n_layers", n_layers, hint="e.g. 6 as in the paper")
        self.n_layers = n_layers
        self.d_model = d_model
        self.h = h
        self.d_ff = d_ff
        self.layers = nn.ModuleList(
            EncoderLayer(d_model, h, d_ff, activation) for _ in range(n_layers)
        )

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        head_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """``x [B, T, d_model] -> (y [B, T, d_model], weights)``, one ``[B, h, T, T]`` per layer;
        the same ``mask`` (True = may attend) in every layer; ``head_mask`` ``[n_layers, h]``
        (0 = remove that layer's head).

        torch's ``nn.TransformerEncoder`` takes the opposite convention: pass it
        ``src_key_padding_mask=~real`` (``real [B, T]``, True at real tokens) for
        ``padding_mask(lengths)`` and ``mask=~causal_mask(T)`` for a causal mask.
        """
        check_input(x, self.d_model)
        if head_mask is not None and torch.as_tensor(head_mask).shape != (self.n_layers, self.h):
            raise ValueError(
                f"head_mask has shape {list(torch.as_tensor(head_mask).shape)}; "
                f"pass [n_layers, h] = [{self.n_layers}, {self.h}] (1 = keep, 0 = remove)"
            )
        weights = []
        for i, layer in enumerate(self.layers):
            keep = None if head_mask is None else head_mask[i]
            x, w = layer(
                x, mask, keep
            )  # (B, T, d_model), (B, h, T, T): the next layer reads this x
            weights.append(w)
        return x, weights

    @classmethod
    def from_torch(cls, m: nn.TransformerEncoder) -> Encoder:
        """A copy of a ``torch.nn.TransformerEncoder``'s weights, layer by layer.

        With dropout off (``eval()`` or ``dropout=0``), ``m(x)`` (batch_first) and this
        encoder's ``forward(x)[0]`` then agree.
        """
        if not isinstance(m, nn.TransformerEncoder):
            raise ValueError(
                f"from_torch expects torch.nn.TransformerEncoder, got {type(m).__name__}"
            )
        if m.norm is not None:
            raise ValueError(
                "this torch encoder has a final norm (norm=...); the paper's post-norm stack "
                "has none: build it with norm=None"
            )
        layers = [EncoderLayer.from_torch(layer) for layer in m.layers]
        encoder = cls(1, layers[0].d_model, layers[0].h, layers[0].d_ff)  # then replaced:
        encoder.layers = nn.ModuleList(layers)
        encoder.n_layers = len(layers)
        return encoder

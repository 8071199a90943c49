"""Self-attention and multi-head self-attention, one tensor step per line.

Names follow "Attention Is All You Need" (Vaswani et al., 2017): ``d_model`` is the
width of a token vector, ``h`` the number of heads, ``d_k = d_model // h`` the width of
one head, and ``W_Q, W_K, W_V, W_O`` the four learned projections.

Shapes in comments use B = batch, T = tokens, h = heads, d_k = width of one head.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from helpers.checks import whole_number

__all__ = [
    "Step",
    "valid_heads",
    "nearest_heads",
    "check_heads",
    "check_input",
    "check_mask",
    "causal_mask",
    "padding_mask",
    "split_heads",
    "merge_heads",
    "scaled_dot_product_attention",
    "SelfAttention",
    "MultiHeadSelfAttention",
]


# --------------------------------------------------------------------------- checks


def valid_heads(d_model: int) -> list[int]:
    """Every head count that divides ``d_model``: the h a layer of this width can use."""
    return [h for h in range(1, d_model + 1) if d_model % h == 0]


def nearest_heads(d_model: int, h: int) -> int:
    """``h`` if it divides ``d_model``, else the closest head count that does (smaller on a tie)."""
    return min(valid_heads(d_model), key=lambda choice: (abs(choice - h), choice))


def _choices(d_model: int) -> str:
    return ", ".join(str(h) for h in valid_heads(d_model))


def check_heads(d_model: int, h: int) -> int:
    """Check that ``d_model`` splits evenly into ``h`` heads; return ``d_k``."""
    whole_number("d_model", d_model, hint="e.g. 16 or 512")
    whole_number("h", h, hint=f"the number of heads; choose h from {_choices(d_model)}")
    if d_model % h != 0:
        raise ValueError(
            f"d_model={d_model} is not divisible by h={h}; choose h from {_choices(d_model)}"
        )
    return d_model // h


def check_input(x: torch.Tensor, d_model: int) -> tuple[int, int, int]:
    """Check that ``x`` is a float tensor ``[B, T, d_model]``; return ``(B, T, d_model)``."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(
            f"x must be a torch.Tensor of shape [batch, tokens, {d_model}], got {type(x).__name__}"
        )
    if x.dim() != 3:
        hint = " (add a batch dimension with x.unsqueeze(0))" if x.dim() == 2 else ""
        raise ValueError(
            f"x has shape {list(x.shape)} but must be 3-D [batch, tokens, d_model={d_model}]{hint}"
        )
    if x.shape[-1] != d_model:
        raise ValueError(
            f"x has shape {list(x.shape)}: its last dimension {x.shape[-1]} must equal "
            f"d_model={d_model}; project it first or build the layer with d_model={x.shape[-1]}"
        )
    if not x.is_floating_point():
        raise ValueError(
            f"x has dtype {x.dtype} but attention needs floating point numbers; "
            "use x.float() (token ids go through an embedding first)"
        )
    return x.shape[0], x.shape[1], x.shape[2]


# --------------------------------------------------------------------------- masks
#
# A mask is a bool tensor, True where a query may look at a key: the convention of
# torch.nn.functional.scaled_dot_product_attention. (torch.nn.MultiheadAttention's
# key_padding_mask and attn_mask use the opposite one, True = may *not* look: pass ~mask.)


def causal_mask(T: int) -> torch.Tensor:
    """``[T, T]`` bool: query i may look at keys 0 … i only (a decoder, GPT: never ahead)."""
    whole_number("T", T, hint="the number of tokens")
    return torch.ones(T, T, dtype=torch.bool).tril()  # (T, T) True on and below the diagonal


def padding_mask(lengths, T: int | None = None) -> torch.Tensor:
    """``[B, 1, 1, T]`` bool: for sentences of ``lengths`` padded to ``T`` tokens, True at the
    real tokens. Broadcasts over heads and queries: no query looks at a padding key."""
    lengths = torch.as_tensor(lengths, dtype=torch.long)  # (B,)
    if lengths.dim() != 1 or len(lengths) == 0 or int(lengths.min()) < 1:
        raise ValueError(
            f"lengths={lengths.tolist()}: give one length per sentence, each at least 1 token"
        )
    T = int(lengths.max()) if T is None else whole_number("T", T, hint="the padded length")
    if int(lengths.max()) > T:
        raise ValueError(
            f"a sentence of {int(lengths.max())} tokens does not fit in T={T}; "
            f"pass T >= {int(lengths.max())}"
        )
    real = torch.arange(T)[None, :] < lengths[:, None]  # (B, T)
    return real[:, None, None, :]  # (B, 1, 1, T)


def check_mask(mask: torch.Tensor, scores_shape: tuple[int, ...]) -> None:
    """A clear ValueError unless ``mask`` is bool and broadcasts to the scores' shape."""
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        kind = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
        if isinstance(mask, torch.Tensor) and mask.is_floating_point():
            fix = "an additive float mask (0 = attend, -inf = not) becomes one with mask == 0"
        elif isinstance(mask, torch.Tensor):
            fix = "a mask of 1 = attend, 0 = not becomes one with mask.bool()"
        else:
            fix = "e.g. causal_mask(T) or padding_mask(lengths)"
        raise ValueError(f"mask must be a bool tensor (True = may attend), got {kind}; {fix}")
    try:
        fits = torch.broadcast_shapes(mask.shape, scores_shape) == tuple(scores_shape)
    except RuntimeError:
        fits = False
    if not fits:
        *_, T, _ = scores_shape
        raise ValueError(
            f"mask of shape {list(mask.shape)} does not broadcast to the scores "
            f"{list(scores_shape)}; "
            f"use [{T}, {T}] (e.g. causal_mask({T})) or [B, 1, 1, {T}] (padding_mask(lengths))"
        )


def _check_head_mask(head_mask, h: int) -> torch.Tensor:
    head_mask = torch.as_tensor(head_mask)
    if head_mask.shape != (h,):
        raise ValueError(
            f"head_mask has shape {list(head_mask.shape)}; pass one number per head, shape [{h}] "
            "(1 = keep the head, 0 = remove it)"
        )
    return head_mask.float()


# --------------------------------------------------------------------------- shape trace


@dataclass(frozen=True)
class Step:
    """One step of the shape walk: what it is, the torch code, the shape it produced."""

    name: str
    op: str
    shape: list[int]


def _record(trace: list[Step] | None, name: str, op: str, t: torch.Tensor) -> None:
    if trace is not None:
        trace.append(Step(name, op, list(t.shape)))


# --------------------------------------------------------------------------- heads


def split_heads(
    x: torch.Tensor, h: int, trace: list[Step] | None = None, name: str = "x"
) -> torch.Tensor:
    """``[B, T, d_model] -> [B, h, T, d_k]``: cut the last axis into h heads, heads first.

    ``name`` is what the recorded ops call the tensor being cut: the layer cuts its
    projection ``v = W_V(x)``, never ``x`` itself, and its trace says so.
    """
    B, T, d_model = x.shape
    d_k = check_heads(d_model, h)
    x = x.view(B, T, h, d_k)  # (B, T, h, d_k)
    _record(trace, "cut into heads", f"{name}.view(B, T, h, d_k)", x)
    x = x.transpose(1, 2)  # (B, h, T, d_k)
    _record(trace, "heads first", f"{name}.transpose(1, 2)", x)
    return x


def merge_heads(x: torch.Tensor, trace: list[Step] | None = None) -> torch.Tensor:
    """``[B, h, T, d_k] -> [B, T, h * d_k]``: the inverse of :func:`split_heads`."""
    if x.dim() != 4:
        raise ValueError(f"merge_heads expects [B, h, T, d_k], got shape {list(x.shape)}")
    B, h, T, d_k = x.shape
    x = x.transpose(1, 2)  # (B, T, h, d_k)
    _record(trace, "tokens first again", "z.transpose(1, 2)", x)
    x = x.contiguous().view(B, T, h * d_k)  # (B, T, d_model)
    _record(trace, "concatenate heads", "z.contiguous().view(B, T, h * d_k)", x)
    return x


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ / √d_k) v over the last two axes; returns ``(out, weights)``.

    ``mask`` (optional, bool, broadcastable to the scores) is True where a query may look
    at a key, the same convention as ``torch.nn.functional.scaled_dot_product_attention``.
    A query whose row is all False has nothing to average: softmax of a row of -inf is
    0 / 0, so its weights and output are NaN, as in ``nn.MultiheadAttention`` when it returns
    its weights (``F.scaled_dot_product_attention`` gives zeros there since torch 2.5). Give
    every query at least one key (a padding mask hides keys only; a causal mask keeps the
    diagonal) and no row is empty.
    """
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., T, T)
    if mask is not None:
        check_mask(mask, scores.shape)
        scores = scores.masked_fill(~mask, float("-inf"))  # (..., T, T)  a row with no True: NaN
    weights = scores.softmax(dim=-1)  # (..., T, T)
    out = weights @ v  # (..., T, d_v)
    return out, weights


# --------------------------------------------------------------------------- layers


class SelfAttention(nn.Module):
    """One head: Z = softmax(Q Kᵀ / √d_k) V with Q = X W_Q, K = X W_K, V = X W_V."""

    def __init__(self, d_model: int, d_k: int | None = None):
        super().__init__()
        d_k = d_model if d_k is None else d_k
        check_heads(d_model, 1)
        whole_number("d_k", d_k, hint="the width of the head's queries, keys and values")
        self.d_model = d_model
        self.d_k = d_k
        self.W_Q = nn.Linear(d_model, d_k, bias=False)
        self.W_K = nn.Linear(d_model, d_k, bias=False)
        self.W_V = nn.Linear(d_model, d_k, bias=False)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x [B, T, d_model] -> (z [B, T, d_k], weights [B, T, T])``; ``mask`` (bool, True =
        may attend) broadcasts to ``[B, T, T]``."""
        check_input(x, self.d_model)
        q = self.W_Q(x)  # (B, T, d_k)
        k = self.W_K(x)  # (B, T, d_k)
        v = self.W_V(x)  # (B, T, d_k)
        z, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, T, d_k), (B, T, T)
        return z, weights


class MultiHeadSelfAttention(nn.Module):
    """h heads of width d_k = d_model // h, concatenated and mixed by W_O."""

    def __init__(self, d_model: int, h: int, bias: bool = True):
        super().__init__()
        self.d_k = check_heads(d_model, h)
        self.d_model = d_model
        self.h = h
        self.W_Q = nn.Linear(d_model, d_model, bias=bias)
        self.W_K = nn.Linear(d_model, d_model, bias=bias)
        self.W_V = nn.Linear(d_model, d_model, bias=bias)
        self.W_O = nn.Linear(d_model, d_model, bias=bias)

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        trace: list[Step] | None = None,
        head_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``x [B, T, d_model] -> (out [B, T, d_model], weights [B, h, T, T])``.

        ``mask`` (bool, True = may attend) broadcasts to ``[B, h, T, T]``: ``causal_mask(T)``,
        ``padding_mask(lengths)`` or both combined with ``&``. ``head_mask`` (``[h]``, 1 = keep,
        0 = remove) multiplies each head's output before the heads are merged and mixed by W_O:
        a removed head contributes nothing. Pass a list as ``trace`` to have the value path
        (x → V → heads → Z → out) recorded step by step as :class:`Step` entries with the
        shapes torch produced.
        """
        check_input(x, self.d_model)
        _record(trace, "input", "x", x)
        q = split_heads(self.W_Q(x), self.h)  # (B, h, T, d_k)
        k = split_heads(self.W_K(x), self.h)  # (B, h, T, d_k)
        v = self.W_V(x)  # (B, T, d_model)
        _record(trace, "project", "v = W_V(x)  (and q = W_Q(x), k = W_K(x))", v)
        v = split_heads(v, self.h, trace, name="v")  # (B, h, T, d_k): the projection is cut
        z, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, h, T, d_k), (B, h, T, T)
        _record(trace, "attention per head", "softmax(q @ k.transpose(-2, -1) / √d_k) @ v", z)
        if head_mask is not None:
            z = z * _check_head_mask(head_mask, self.h).view(1, self.h, 1, 1)  # (B, h, T, d_k)
        z = merge_heads(z, trace)  # (B, T, d_model)
        out = self.W_O(z)  # (B, T, d_model)
        _record(trace, "mix heads", "W_O(z)", out)
        return out, weights

    @classmethod
    def from_torch(cls, m: nn.MultiheadAttention) -> MultiHeadSelfAttention:
        """A copy of ``torch.nn.MultiheadAttention``'s weights in this layer's W_Q, W_K, W_V, W_O.

        ``m(x, x, x, average_attn_weights=False)`` (batch_first, eval mode) and this layer's
        ``forward(x)`` then agree in outputs and per-head weights.
        """
        if not isinstance(m, nn.MultiheadAttention):
            raise ValueError(
                f"from_torch expects torch.nn.MultiheadAttention, got {type(m).__name__}"
            )
        if not m._qkv_same_embed_dim:
            raise ValueError(
                f"from_torch needs kdim == vdim == embed_dim={m.embed_dim}, "
                f"got kdim={m.kdim}, vdim={m.vdim}: self-attention projects one input"
            )
        if m.bias_k is not None or m.add_zero_attn:
            raise ValueError("from_torch does not support add_bias_kv=True or add_zero_attn=True")
        bias = m.in_proj_bias is not None
        layer = cls(m.embed_dim, m.num_heads, bias=bias)
        d = m.embed_dim
        with torch.no_grad():
            w_q, w_k, w_v = m.in_proj_weight.split(d, dim=0)  # 3 × (d_model, d_model)
            layer.W_Q.weight.copy_(w_q)
            layer.W_K.weight.copy_(w_k)
            layer.W_V.weight.copy_(w_v)
            layer.W_O.weight.copy_(m.out_proj.weight)
            if bias:
                b_q, b_k, b_v = m.in_proj_bias.split(d)  # 3 × (d_model,)
                layer.W_Q.bias.copy_(b_q)
                layer.W_K.bias.copy_(b_k)
                layer.W_V.bias.copy_(b_v)
                layer.W_O.bias.copy_(m.out_proj.bias)
        return layer.to(m.in_proj_weight.dtype)

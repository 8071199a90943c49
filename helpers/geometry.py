"""Points to look at: projections of vectors onto a plane, and each head's own small space.

The one place the series computes a 2-D picture of many-dimensional vectors:

- :func:`pca` — the rows of a matrix on their top principal axes (centred), for word vectors;
- :func:`plane_basis` / :func:`qk_plane` — a plane through the origin (not centred) for a
  head's queries and keys, so a dot product q·k stays (nearly) the dot product of the points;
- :func:`head_queries_keys` / :func:`head_planes` — per head of a layer, its queries, keys and
  attention weights, and the plane each head is drawn on.

Every axis has its sign fixed (its largest coordinate positive), so pictures do not flip
between runs. Figure builders in ``helpers.figures`` draw what these return.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from helpers.attention import MultiHeadSelfAttention, check_input, split_heads

__all__ = [
    "principal_axes",
    "pca",
    "plane_basis",
    "qk_plane",
    "head_queries_keys",
    "head_planes",
    "HeadView",
    "head_view",
    "head_values",
    "ValueView",
    "value_planes",
    "value_view",
]


def principal_axes(
    vectors: torch.Tensor, k: int = 2, centre: bool = True
) -> tuple[torch.Tensor, float]:
    """The ``k`` directions along which the rows of ``vectors [n, d]`` spread most, as columns
    ``[d, k]``, and the share of the spread they keep. The one PCA of the series.

    ``centre=True`` measures spread around the mean (the usual PCA); ``centre=False`` around
    the origin, which keeps dot products through the origin. Each axis is signed so that
    its largest entry is positive: the picture does not flip between runs.
    """
    if not 1 <= k <= min(vectors.shape):
        raise ValueError(
            f"k must be between 1 and {min(vectors.shape)} for vectors of shape "
            f"{list(vectors.shape)}, got {k}"
        )
    spread = vectors - vectors.mean(0) if centre else vectors  # (n, d)
    _, s, vh = torch.linalg.svd(spread, full_matrices=False)  # s: (min(n, d),), vh: (min(n, d), d)
    axes = vh[:k].T  # (d, k)
    axes = axes * axes.gather(0, axes.abs().argmax(0, keepdim=True)).sign()  # (d, k) signed
    kept = float((s[:k] ** 2).sum() / (s**2).sum())
    return axes, kept


def pca(vectors: torch.Tensor, k: int = 2) -> torch.Tensor:
    """The rows of ``vectors`` projected on their top-``k`` principal axes:
    ``(n, d)`` -> ``(n, k)``."""
    axes, _ = principal_axes(vectors, k)  # (d, k)
    return (vectors - vectors.mean(0)) @ axes  # (n, k)


def plane_basis(vectors: torch.Tensor) -> tuple[torch.Tensor, float]:
    """A ``[d_k, 2]`` basis to draw a head's d_k-dim space on paper, and the share of
    ``vectors`` (``[N, d_k]``) it keeps.

    d_k = 2: the head's own axes. d_k = 1: the one axis (drawn on y = 0). d_k > 2: the two
    top principal axes around the origin (not centred, so q·k stays a dot product).
    """
    d_k = vectors.shape[1]
    if d_k <= 2:
        return torch.eye(d_k, 2), 1.0
    return principal_axes(vectors, 2, centre=False)


def qk_plane(q: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Q and K ``[T, d_k]`` as 2-D points that keep their dot products as well as 2-D can.

    Projects both onto the two directions that carry most of ``[Q; K]`` (SVD, not centred,
    so the origin stays the origin and q·k ≈ the dot product of the 2-D points; exact when
    d_k ≤ 2). Returns ``(q2, k2, kept)`` with ``kept`` the share of ‖[Q; K]‖² kept.
    """
    if q.dim() != 2 or q.shape != k.shape:
        raise ValueError(f"q and k must both be [T, d_k], got {list(q.shape)} and {list(k.shape)}")
    both = torch.cat([q, k]).detach().float()  # (2T, d_k)
    basis, kept = plane_basis(both)  # (d_k, 2)
    plane = both @ basis  # (2T, 2)
    return plane[: len(q)], plane[len(q) :], kept


@torch.no_grad()
def head_queries_keys(
    attn: MultiHeadSelfAttention, x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For inputs ``x [B, T, d_model]``: per-head queries, keys ``[B, h, T, d_k]`` and the
    attention weights ``[B, h, T, T]``."""
    check_input(x, attn.d_model)
    q = split_heads(attn.W_Q(x), attn.h)  # (B, h, T, d_k)
    k = split_heads(attn.W_K(x), attn.h)  # (B, h, T, d_k)
    _, weights = attn(x)  # (B, h, T, T)
    return q, k, weights


def head_planes(
    attn: MultiHeadSelfAttention, fit: torch.Tensor, query: int = -1
) -> list[tuple[torch.Tensor, float]]:
    """Per head, the ``[d_k, 2]`` basis that draws it on paper and the share of spread it keeps,
    fitted on the keys and the ``query`` position's queries of ``fit [N, T, d_model]``.

    Depends only on the model and ``fit``, so an explorer computes it once per model.
    """
    q_fit, k_fit, _ = head_queries_keys(attn, fit)  # (N, h, T, d_k)
    return [
        plane_basis(
            torch.cat([k_fit[:, j].reshape(-1, attn.d_k), q_fit[:, j, query]])
        )  # (N·T + N, d_k)
        for j in range(attn.h)
    ]


@dataclass(frozen=True)
class HeadView:
    """One sentence seen by every head from one token (``position``): its query and every key
    on each head's plane, with the scores and weights behind them."""

    keys: torch.Tensor  # (h, T, 2) each key on its head's plane
    query: torch.Tensor  # (h, 2) the query of ``position`` on each plane
    scores: torch.Tensor  # (h, T) q·k / √d_k
    weights: torch.Tensor  # (h, T) softmax of the scores
    kept: list[float]  # per head, the share of spread its plane keeps (1.0 when d_k ≤ 2)
    d_k: int
    position: int


def head_view(
    q: torch.Tensor,
    k: torch.Tensor,
    weights: torch.Tensor,
    planes: list[tuple[torch.Tensor, float]],
    position: int = -1,
) -> HeadView:
    """Per-head queries and keys ``[h, T, d_k]`` and weights ``[h, T, T]`` of one sentence, on the
    planes of :func:`head_planes`, as seen from the token at ``position``."""
    h, T, d_k = k.shape
    if len(planes) != h:
        raise ValueError(
            f"planes has {len(planes)} entries for h={h} heads; pass head_planes(attn, fit)"
        )
    q_row = q[:, position]  # (h, d_k)
    basis = torch.stack([b for b, _ in planes])  # (h, d_k, 2)
    return HeadView(
        keys=k @ basis,  # (h, T, 2)
        query=(q_row[:, None] @ basis)[:, 0],  # (h, 2)
        scores=(k @ q_row[:, :, None])[..., 0] / math.sqrt(d_k),  # (h, T)
        weights=weights[:, position],  # (h, T)
        kept=[kept for _, kept in planes],
        d_k=d_k,
        position=position if position >= 0 else T + position,
    )


@torch.no_grad()
def head_values(attn: MultiHeadSelfAttention, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For inputs ``x [B, T, d_model]``: per-head values ``v`` and outputs ``z = A v``, both
    ``[B, h, T, d_k]`` (``z`` before the heads are merged and mixed by W_O)."""
    check_input(x, attn.d_model)
    v = split_heads(attn.W_V(x), attn.h)  # (B, h, T, d_k)
    _, weights = attn(x)  # (B, h, T, T)
    return v, weights @ v  # (B, h, T, d_k) ×2


@dataclass(frozen=True)
class ValueView:
    """One token's output in every head, among the values that head averages."""

    values: torch.Tensor  # (h, T, 2) every token's value on its head's plane
    z: torch.Tensor  # (h, 2) the token's output z = Σ_t w_t v_t on the same plane
    distances: torch.Tensor  # (h, T) ‖z − v_t‖ in the head's full d_k dimensions
    kept: list[float]  # per head, the share of spread its plane keeps (1.0 when d_k ≤ 2)
    d_k: int
    position: int


def value_planes(v: torch.Tensor) -> list[tuple[torch.Tensor, float]]:
    """Per head, a plane to draw its values on, fitted on ``v [N, h, T, d_k]`` (their spread
    around the mean: values are averaged, so where they sit relative to each other matters)."""
    N, h, T, d_k = v.shape
    planes = []
    for j in range(h):
        vj = v[:, j].reshape(N * T, d_k)  # (N·T, d_k)
        planes.append((torch.eye(d_k, 2), 1.0) if d_k <= 2 else principal_axes(vj, 2))
    return planes


def value_view(
    v: torch.Tensor, z: torch.Tensor, planes: list[tuple[torch.Tensor, float]], position: int = -1
) -> ValueView:
    """One sentence's values and outputs ``[h, T, d_k]`` on the planes of :func:`value_planes`,
    for the token at ``position``."""
    h, T, d_k = v.shape
    if len(planes) != h:
        raise ValueError(f"planes has {len(planes)} entries for h={h} heads; pass value_planes(v)")
    basis = torch.stack([b for b, _ in planes])  # (h, d_k, 2)
    z_row = z[:, position]  # (h, d_k)
    return ValueView(
        values=v @ basis,  # (h, T, 2)
        z=(z_row[:, None] @ basis)[:, 0],  # (h, 2)
        distances=(v - z_row[:, None]).norm(dim=-1),  # (h, T)
        kept=[kept for _, kept in planes],
        d_k=d_k,
        position=position if position >= 0 else T + position,
    )

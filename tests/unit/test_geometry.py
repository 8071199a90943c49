"""helpers.geometry: the one PCA, the planes heads are drawn on, and each head's view."""

import pytest
import torch

from helpers.attention import MultiHeadSelfAttention, merge_heads
from helpers.geometry import (
    head_planes,
    head_queries_keys,
    head_values,
    head_view,
    pca,
    plane_basis,
    principal_axes,
    qk_plane,
    value_planes,
    value_view,
)


def test_pca_is_centred_ordered_by_spread_and_signed():
    x = torch.randn(50, 5, generator=torch.Generator().manual_seed(0)) * torch.tensor(
        [5.0, 3, 1, 0.5, 0.1]
    )
    p = pca(x, 2)
    assert list(p.shape) == [50, 2]
    assert p[:, 0].var() > p[:, 1].var()  # first axis carries the most variance
    assert torch.allclose(p.mean(0), torch.zeros(2), atol=1e-5)
    axes, kept = principal_axes(x, 2)
    assert (
        axes.gather(0, axes.abs().argmax(0, keepdim=True)) > 0
    ).all()  # signs fixed: no flip between runs
    assert torch.allclose(pca(-x, 2).abs(), p.abs(), atol=1e-4) and 0.9 < kept < 1
    with pytest.raises(ValueError, match="k must be"):
        pca(x, 6)


def test_plane_keeps_dot_products_of_vectors_in_a_plane():
    torch.manual_seed(2)
    span = torch.linalg.qr(torch.randn(6, 2))[0]  # (6, 2) an orthonormal 2-D subspace of R^6
    v = torch.randn(40, 2) @ span.T  # (40, 6) all in that plane
    basis, kept = plane_basis(v)
    assert kept == pytest.approx(1.0, abs=1e-5)
    assert torch.allclose(basis.T @ basis, torch.eye(2), atol=1e-5)
    p = v @ basis  # (40, 2)
    assert torch.allclose(p @ p.T, v @ v.T, atol=1e-4)


def test_qk_points_keep_dot_products_when_d_k_is_2():
    q, k = torch.randn(5, 2), torch.randn(5, 2)
    q2, k2, kept = qk_plane(q, k)
    assert kept == 1.0 and torch.allclose(q2 @ k2.T, q @ k.T)


def test_qk_points_of_a_wide_head_keep_a_share_of_the_dot_products():
    torch.manual_seed(1)
    q, k = torch.randn(6, 8), torch.randn(6, 8)
    q2, k2, kept = qk_plane(q, k)
    assert list(q2.shape) == [6, 2]
    both = torch.cat([q, k])
    assert kept == pytest.approx(
        float((both @ plane_basis(both)[0]).norm() ** 2 / both.norm() ** 2), abs=1e-5
    )
    assert 2 / 8 < kept < 1  # the best plane keeps more than an average one


def test_qk_points_of_a_one_wide_head_lie_on_the_x_axis():
    q, k = torch.randn(4, 1), torch.randn(4, 1)
    q2, k2, kept = qk_plane(q, k)
    assert kept == 1.0 and torch.equal(q2[:, 0], q[:, 0]) and torch.all(k2[:, 1] == 0)


def test_head_queries_keys_are_the_layers_own_and_need_no_gradient():
    torch.manual_seed(0)
    attn = MultiHeadSelfAttention(16, 4)
    x = torch.randn(2, 5, 16)
    q, k, w = head_queries_keys(attn, x)
    assert [list(t.shape) for t in (q, k, w)] == [[2, 4, 5, 4], [2, 4, 5, 4], [2, 4, 5, 5]]
    assert torch.allclose(w, attn(x)[1]) and not w.requires_grad
    assert torch.allclose(q[:, 1], attn.W_Q(x)[..., 4:8])


def test_head_view_of_two_wide_heads_is_their_own_coordinates():
    torch.manual_seed(1)
    attn = MultiHeadSelfAttention(16, 8)
    x = torch.randn(1, 5, 16)
    q, k, w = head_queries_keys(attn, x)  # (1, 8, 5, 2) ×2, (1, 8, 5, 5)
    view = head_view(q[0], k[0], w[0], head_planes(attn, x))
    assert torch.equal(view.keys, k[0]) and torch.equal(view.query, q[0, :, -1])
    assert torch.allclose(view.scores.softmax(-1), w[0, :, -1], atol=1e-6)
    assert view.kept == [1.0] * 8 and view.d_k == 2 and view.position == 4
    with pytest.raises(ValueError, match="planes has 2 entries for h=8"):
        head_view(q[0], k[0], w[0], head_planes(attn, x)[:2])


def test_head_values_and_outputs_are_the_layers_own():
    torch.manual_seed(3)
    attn = MultiHeadSelfAttention(16, 4)
    x = torch.randn(2, 5, 16)
    v, z = head_values(attn, x)  # (2, 4, 5, 4) ×2
    _, w = attn(x)
    assert torch.allclose(v[:, 2], attn.W_V(x)[..., 8:12]) and torch.allclose(z, w @ v)
    assert torch.allclose(attn.W_O(merge_heads(z)), attn(x)[0], atol=1e-6)


def test_value_view_measures_z_in_every_dimension_and_draws_it_on_a_plane():
    torch.manual_seed(4)
    v = torch.randn(10, 2, 5, 4)  # (N, h, T, d_k): 10 sentences, 2 heads of width 4
    w = torch.softmax(torch.randn(2, 5, 5), -1)  # (h, T, T)
    z = w @ v[0]  # (h, T, d_k)
    planes = value_planes(v)
    view = value_view(v[0], z, planes)
    assert list(view.values.shape) == [2, 5, 2] and list(view.z.shape) == [2, 2]
    assert torch.allclose(
        view.distances, (v[0] - z[:, -1:]).norm(dim=-1)
    )  # full d_k, not the plane
    assert all(0 < kept < 1 for kept in view.kept) and view.position == 4
    basis = planes[1][0]
    assert torch.allclose(view.z[1], z[1, -1] @ basis)
    two = value_view(v[0, :, :, :2], z[:, :, :2], value_planes(v[..., :2]))
    assert two.kept == [1.0, 1.0] and torch.equal(
        two.values, v[0, :, :, :2]
    )  # d_k = 2: its own plane
    with pytest.raises(ValueError, match="planes has 1 entries for h=2"):
        value_view(v[0], z, planes[:1])

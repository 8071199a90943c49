"""helpers.figures.subspaces and helpers.figures.space: per-head planes, attention heatmaps,
the sweep chart, and the moving-points animation."""

import math

import pytest
import torch
from support import panel_titles

from helpers.attention import MultiHeadSelfAttention
from helpers.figures.space import moving_points_figure
from helpers.figures.subspaces import (
    head_planes_figure,
    question_attention_figure,
    sweep_figure,
    value_space_figure,
)
from helpers.geometry import (
    head_planes,
    head_queries_keys,
    head_values,
    head_view,
    value_planes,
    value_view,
)
from helpers.tasks.sweep import PAPER_TABLE_3A, summarize

T = 5
LABELS = ["a", "b", "c", "d", "e"]


def query_arrows(fig):
    """The query arrows: annotations drawn from the origin of a panel's axes."""
    return [
        a
        for a in fig.layout.annotations
        if a.showarrow and a.ax == 0 and a.ay == 0 and a.axref == a.xref
    ]


def subspace_figure(attn, x, labels, roles=None, fit=None):
    """What subspace_explorer draws for one sentence ``x [T, d_model]``."""
    q, k, w = head_queries_keys(attn, x[None])  # (1, h, T, d_k) ×2, (1, h, T, T)
    planes = head_planes(attn, x[None] if fit is None else fit)
    return head_planes_figure(head_view(q[0], k[0], w[0], planes), labels, roles)


@pytest.mark.parametrize("h", [1, 2, 4, 8, 16])
def test_one_panel_per_head_and_the_title_says_how_it_is_drawn(h):
    torch.manual_seed(0)
    attn = MultiHeadSelfAttention(16, h)
    fig = subspace_figure(
        attn, torch.randn(T, 16), LABELS, roles={3: "prev"}, fit=torch.randn(20, T, 16)
    )
    titles = panel_titles(fig)
    assert len(titles) == h
    d_k = 16 // h
    for title in titles:
        assert ("PCA of" in title) == (d_k > 2)
        assert ("1-D" in title) == (d_k == 1)
        assert ("2-D plane" in title) == (d_k == 2)
    keys = [t for t in fig.data if t.name and t.name.startswith("keys, head")]
    queries = query_arrows(fig)
    assert len(keys) == len(queries) == h
    assert [q.xref for q in queries] == [t.xaxis for t in keys]
    assert all(list(t.text) == LABELS for t in keys)


def test_d_k_2_panels_are_the_heads_own_coordinates_and_weights_set_marker_size():
    torch.manual_seed(1)
    attn = MultiHeadSelfAttention(16, 8)
    x = torch.randn(T, 16)
    q, k, w = head_queries_keys(attn, x[None])  # (1, 8, T, 2) ×2, (1, 8, T, T)
    fig = subspace_figure(attn, x, LABELS)
    keys = [t for t in fig.data if t.name and t.name.startswith("keys, head")]
    queries = query_arrows(fig)
    for j in range(8):
        assert keys[j].x == pytest.approx(k[0, j, :, 0].tolist(), abs=1e-3)
        assert queries[j].y == pytest.approx(float(q[0, j, -1, 1]), abs=1e-3)
        assert max(keys[j].marker.size) == pytest.approx(6 + 22 * float(w[0, j, -1].max()))


def test_labels_must_name_every_token():
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="labels has 4 names"):
        subspace_figure(MultiHeadSelfAttention(16, 4), torch.randn(T, 16), LABELS[:4])


def test_question_attention_figure_has_a_heatmap_per_model_and_input():
    w = {h: torch.softmax(torch.randn(3, h, T), -1) for h in (2, 4)}
    fig = question_attention_figure(w, [LABELS] * 3, "where the question looks")
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == 6
    assert [len(t.z) for t in heatmaps] == [2, 2, 2, 4, 4, 4]
    assert heatmaps[0].z[1][2] == pytest.approx(float(w[2][0, 1, 2]), abs=0.005)
    with pytest.raises(ValueError, match=r"weights\[4\]"):
        question_attention_figure({4: torch.rand(3, 2, T)}, [LABELS] * 3, "bad")
    with pytest.raises(ValueError, match="empty"):
        question_attention_figure({}, [LABELS], "bad")


def test_sweep_figure_shows_every_seed_the_means_and_the_paper():
    rows = [
        {"h": h, "d_k": 16 // h, "seed": s, "accuracy": 0.1 * h + 0.01 * s}
        for h in (1, 2, 4)
        for s in (0, 1, 2)
    ]
    summary = summarize(rows)
    fig = sweep_figure(summary, rows, PAPER_TABLE_3A)
    seeds, means, paper = fig.data
    assert len(seeds.y) == 9
    assert list(means.y) == pytest.approx([s["mean"] for s in summary], abs=1e-4)
    top = [max(r["accuracy"] for r in rows if r["h"] == s["h"]) for s in summary]
    assert [m + e for m, e in zip(means.y, means.error_y.array, strict=True)] == pytest.approx(
        top, abs=1e-4
    )
    assert list(paper.y) == [p["bleu"] for p in PAPER_TABLE_3A]
    assert list(means.x) == [1, 2, 4] and fig.layout.xaxis.type == fig.layout.xaxis2.type == "log"


def test_moving_points_animation_runs_from_input_to_output():
    torch.manual_seed(3)
    start = torch.randn(10, 2)
    end = torch.tanh(start @ torch.randn(2, 2))
    classes = torch.tensor([0, 1] * 5)
    fig = moving_points_figure(
        start, end, classes, line=(torch.tensor([1.0, 1.0]), 0.0), n_frames=5
    )
    assert len(fig.frames) == 5 and len(fig.layout.sliders[0].steps) == 5
    first, last = fig.frames[0].data, fig.frames[-1].data
    assert fig.layout.sliders[0].active == 4 and list(fig.data[1].y) == list(
        last[1].y
    )  # opens on the result
    assert list(first[0].x) == pytest.approx(start[classes == 0, 0].tolist(), abs=1e-3)
    assert list(last[1].y) == pytest.approx(end[classes == 1, 1].tolist(), abs=1e-3)
    assert len(first[2].x) == 0 and len(last[2].x) == 2  # the readout line only at t = 1
    xs, ys = last[2].x, last[2].y
    assert all(
        math.isclose(a + b, 0.0, abs_tol=1e-3) for a, b in zip(xs, ys, strict=True)
    )  # on x + y = 0


def test_moving_points_rejects_mismatched_points():
    with pytest.raises(ValueError, match="same n points"):
        moving_points_figure(torch.zeros(4, 2), torch.zeros(5, 2), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\[n, 2\]"):
        moving_points_figure(torch.zeros(4, 3), torch.zeros(4, 3), torch.zeros(4, dtype=torch.long))


def test_value_space_figure_marks_the_output_among_the_values_with_distances():
    torch.manual_seed(5)
    attn = MultiHeadSelfAttention(16, 8)
    x = torch.randn(1, T, 16)
    v, z = head_values(attn, x)  # (1, 8, T, 2) ×2
    view = value_view(v[0], z[0], value_planes(head_values(attn, torch.randn(20, T, 16))[0]))
    fig = value_space_figure(view, LABELS, roles={3: "prev (rule 1)", 1: "match (rule 2)"})
    stars = [t for t in fig.data if t.name and t.name.startswith("z, head")]
    assert len(stars) == 8 and all(t.marker.symbol == "star-open" for t in stars)
    assert stars[2].x[0] == pytest.approx(float(z[0, 2, -1, 0]), abs=1e-3)  # d_k = 2: its own plane
    titles = panel_titles(fig)
    assert len(titles) == 8
    assert f"prev {float(view.distances[0, 3]):.2f}" in titles[0]
    assert f"match {float(view.distances[0, 1]):.2f}" in titles[0]
    with pytest.raises(ValueError, match="labels has 4 names"):
        value_space_figure(view, LABELS[:4])

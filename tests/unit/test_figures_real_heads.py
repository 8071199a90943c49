"""helpers.figures.real_heads: the pictures of notebook 08, from made-up numbers (no model)."""

import plotly.graph_objects as go
import pytest
import torch

from helpers.figures.real_heads import (
    ablation_figure,
    head_grid_figure,
    head_roles_figure,
    head_subspaces_figure,
    ladder_figure,
)

WORDS = ["bank", "bat"]
STAGES = ["one-hot", "static", "embedding", "after 1 layer"]


def ladder_table():
    table = {}
    for i, stage in enumerate(STAGES):
        row = {
            w: {"accuracy": 0.5 + 0.1 * i + 0.01 * j, "cosine": 1 - 0.02 * i, "within": 1.0,
                "between": 1.0}
            for j, w in enumerate(WORDS)
        }  # fmt: skip
        row["all"] = {k: sum(r[k] for r in row.values()) / len(WORDS) for k in row["bank"]}
        table[stage] = row
    return table


def titles(fig):
    return [a.text for a in fig.layout.annotations]


def test_ladder_figure_draws_every_word_and_the_mean_in_both_panels():
    table = ladder_table()
    fig = ladder_figure(table)
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 2 * (len(WORDS) + 1)
    accuracy = {t.name: list(t.y) for t in fig.data if t.xaxis in (None, "x")}
    assert accuracy["bank"] == [table[s]["bank"]["accuracy"] for s in STAGES]
    assert accuracy["mean of the words"] == [table[s]["all"]["accuracy"] for s in STAGES]
    cosine = {t.name: list(t.y) for t in fig.data if t.xaxis == "x2"}
    assert cosine["bat"] == [table[s]["bat"]["cosine"] for s in STAGES]
    assert list(fig.data[0].x) == STAGES
    assert fig.layout.shapes[0].y0 == 0.5  # the chance line
    assert any("chance" in t for t in titles(fig)) and fig.layout.title.text
    assert "probe accuracy" in fig.data[0].hovertemplate
    with pytest.raises(ValueError, match="same words and 'all'"):
        ladder_figure({"one-hot": {"bank": table["one-hot"]["bank"]}})
    with pytest.raises(ValueError, match="table is empty"):
        ladder_figure({})


def maps(L=3, h=4, T=5):
    torch.manual_seed(0)
    return torch.randn(L, h, T, T).softmax(-1)


TOKENS = ["[CLS]", "the", "bank", ".", "[SEP]"]


def test_head_grid_figure_big_map_and_the_whole_grid():
    w = maps()
    fig = head_grid_figure(w, TOKENS, layer=2, head=1)
    big, grid = fig.data
    assert torch.allclose(torch.tensor(big.z), w[2, 1], atol=0.005)
    assert big.texttemplate == "%{z:.2f}"  # weights written in at 5 tokens
    assert list(big.x) == ["0 “[CLS]”", "1 “the”", "2 “bank”", "3 “.”", "4 “[SEP]”"]
    assert list(fig.layout.xaxis.ticktext) == TOKENS
    z = torch.as_tensor(grid.z).float()  # (L·T, h·T) weights in %
    assert list(z.shape) == [3 * 5, 4 * 5]
    for layer in range(3):
        for head in range(4):
            cell = z[layer * 5 : (layer + 1) * 5, head * 5 : (head + 1) * 5]
            assert torch.allclose(cell, (w[layer, head] * 100).round(), atol=0.5)
    assert grid.y[2 * 5 + 2] == "layer 2 · “bank” (2)" and grid.x[5 + 4] == "head 1 · “[SEP]” (4)"
    chosen = fig.layout.shapes[-1]
    assert (chosen.x0, chosen.x1, chosen.y0, chosen.y1) == (4.5, 9.5, 9.5, 14.5)
    down, across = fig.layout.shapes[:2]  # white cuts between the cells, then the outline
    assert down.path == "M 4.5,0 L 4.5,1 M 9.5,0 L 9.5,1 M 14.5,0 L 14.5,1"
    assert across.path == "M 0,4.5 L 1,4.5 M 0,9.5 L 1,9.5" and len(fig.layout.shapes) == 3
    assert fig.layout.meta["layer"] == 2 and fig.layout.meta["head"] == 1
    assert "Layer 2, head 1" in fig.layout.title.text
    assert list(fig.layout.xaxis2.ticktext) == ["0", "1", "2", "3"]


def test_head_grid_figure_long_sentence_has_no_numbers_in_cells():
    T = 20
    w = torch.full((2, 2, T, T), 1 / T)
    fig = head_grid_figure(w, [f"t{i}" for i in range(T)], 0, 0)
    assert fig.data[0].texttemplate is None and "%{z:.2f}" in fig.data[0].hovertemplate


def test_head_grid_figure_errors():
    w = maps()
    with pytest.raises(ValueError, match=r"\[n_layers, h, T, T\], got shape \[4, 5, 5\]"):
        head_grid_figure(w[0], TOKENS, 0, 0)
    with pytest.raises(ValueError, match="4 tokens for maps of T=5"):
        head_grid_figure(w, TOKENS[:4], 0, 0)
    with pytest.raises(ValueError, match=r"layer=3, head=0: choose layer in 0…2 and head in 0…3"):
        head_grid_figure(w, TOKENS, 3, 0)


def test_head_roles_figure_one_panel_per_relation():
    prev = torch.zeros(6, 12)
    prev[0, 2] = 0.9997
    roles = {"previous": prev, "next": torch.full((6, 12), 0.1), "[CLS]": torch.rand(6, 12)}
    fig = head_roles_figure(roles)
    assert len(fig.data) == 3
    assert titles(fig) == ["on the previous token", "on the next token", "on [CLS]"]
    z = torch.as_tensor(fig.data[0].z)
    assert list(z.shape) == [6, 12] and z[0, 2] == pytest.approx(1.0) and z[1, 1] == 0
    assert fig.data[1].xaxis == "x2" and fig.layout.coloraxis.cmax == 1
    assert "previous token" in fig.data[0].hovertemplate and "72 heads" in fig.layout.title.text
    with pytest.raises(ValueError, match=r"\[n_layers, h\] table, got shape \[12\]"):
        head_roles_figure({"self": torch.zeros(12)})


def test_head_subspaces_figure_one_box_per_head_coloured_by_sense():
    h, n = 12, 8
    points = torch.randn(h, n, 2)
    senses = torch.tensor([0, 1] * 4)
    acc = torch.linspace(0.5, 1.0, h)
    fig = head_subspaces_figure(points, senses, ["river", "money"], acc, "bank", 3)
    dots, *legend = fig.data
    assert [t.name for t in legend] == ["bank = river", "bank = money"]
    assert [a.text for a in fig.layout.annotations][::11] == ["head 0 · 0.50", "head 11 · 1.00"]
    x = torch.as_tensor(dots.x).view(h, n)
    y = torch.as_tensor(dots.y).view(h, n)
    for j in (0, 7):  # head 7: box (1, 1); each head's points scaled alike across and up
        col, row = j % 6, j // 6
        reach = points[j].abs().max()
        assert torch.allclose(x[j] - col, points[j, :, 0] / (2.3 * reach), atol=2e-3)
        assert torch.allclose(y[j] + row, points[j, :, 1] / (2.3 * reach), atol=2e-3)
        assert (x[j] - col).abs().max() < 0.47 and (y[j] + row).abs().max() < 0.47
    assert list(dots.marker.color) == senses.tolist() * h
    assert list(dots.marker.symbol)[:4] == [0, 2, 0, 2]  # circle, diamond
    assert [list(c) for c in dots.customdata[n : n + 2]] == [[1, 0], [1, 1]]  # head, sentence
    assert fig.layout.meta["layer"] == 3 and "layer 3" in fig.layout.title.text
    assert "one head's d_k dimensions" in fig.layout.title.text
    assert (
        "one head's 32 dimensions"
        in head_subspaces_figure(
            points, senses, ["river", "money"], acc, "bank", 3, d_k=32
        ).layout.title.text
    )
    assert fig.layout.shapes[0].path.count("Z") == h  # one box per head
    with pytest.raises(ValueError, match=r"points must be \[h, n, 2\]"):
        head_subspaces_figure(points[0], senses, ["a", "b"], acc, "bank", 3)
    with pytest.raises(ValueError, match="accuracy"):
        head_subspaces_figure(points, senses, ["a", "b"], acc[:3], "bank", 3)


def keep_table():
    k = list(range(13))
    return {
        "k": k,
        "importance": {"probe_accuracy": [0.5 + k_ / 24 for k_ in k], "gap": [0.4] * 13},
        "random order": {"probe_accuracy": [0.5] * 13, "gap": [0.3] * 13},
    }


def test_ablation_figure_one_head_removed_above_heads_kept_below():
    full = {"probe_confidence": 0.9, "gap": 0.7}
    drop = torch.full((6, 12), 0.9)
    drop[0, 2] = 0.85
    one = {"probe_confidence": drop, "gap": torch.full((6, 12), 0.7)}
    fig = ablation_figure(one, full, keep_table(), n_layers=6)
    heat = fig.data[0]
    assert heat.z[0][2] == pytest.approx(-0.05) and heat.z[1][1] == pytest.approx(0, abs=1e-6)
    assert float(abs(torch.as_tensor(fig.data[1].z)).max()) < 1e-6
    assert "changes by %{z:+.4f} (full model 0.900)" in heat.hovertemplate
    assert "(full 0.900)" in titles(fig)[0] and "keep the top k" in titles(fig)[2]
    assert fig.layout.coloraxis.cmin == pytest.approx(-0.05)
    lines = fig.data[2:]
    assert len(lines) == 2 * 2  # two measures × two rankings
    assert list(lines[0].x) == [6 * k for k in range(13)] and lines[0].name == "importance"
    assert lines[0].y[-1] == pytest.approx(1.0) and lines[0].xaxis == "x3"
    assert lines[2].xaxis == "x4" and not lines[2].showlegend
    assert lines[1].line.color == "#9E9E9E"  # the random order in grey
    assert fig.layout.xaxis3.title.text == "heads kept (of 72)"
    assert fig.layout.yaxis3.title.text == "probe accuracy" and fig.layout.yaxis4.title.text
    assert "red = worse" in fig.layout.coloraxis.colorbar.title.text
    with pytest.raises(ValueError, match=r"measures \['auc'\] are not in"):
        ablation_figure(one, full, keep_table(), 6, removed=("auc",))
    with pytest.raises(ValueError, match="lacks one value per k"):
        ablation_figure(one, full, {"k": [0, 1], "r": {"probe_accuracy": [1.0]}}, 6)
    with pytest.raises(ValueError, match="needs 'k'"):
        ablation_figure(one, full, {"r": {}}, 6)

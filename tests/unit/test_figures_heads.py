"""helpers.figures.heads: the cut of W_Q into heads and the merge figure."""

import torch

from helpers.attention import merge_heads
from helpers.figures.heads import merge_figure, projection_cut_figure


def test_projection_cut_colours_rows_by_head():
    fig = projection_cut_figure(12, 3)
    z = fig.data[0].z
    assert len(z) == 12 and len(z[0]) == 12
    assert [row[0] for row in z] == [0] * 4 + [1] * 4 + [2] * 4
    assert [a.text for a in fig.layout.annotations] == [
        "head 0: rows 0–3",
        "head 1: rows 4–7",
        "head 2: rows 8–11",
    ]
    assert "3 row blocks of 4 × 12" in fig.layout.title.text  # nn.Linear's weight: out × in


def test_merge_figure_shows_tokens_per_row():
    T, h, d_k = 4, 8, 2
    token = torch.arange(T).view(1, 1, T, 1).expand(1, h, T, d_k)
    head = torch.arange(h).view(1, h, 1, 1).expand(1, h, T, d_k)
    labels = torch.stack([token, head], -1).contiguous()  # (1, h, T, d_k, 2)
    correct = labels.transpose(1, 2).contiguous().view(1, T, h * d_k, 2)[0]
    wrong = labels.view(1, T, h * d_k, 2)[0]
    fig = merge_figure(correct, wrong, d_k)
    good, bad = fig.data
    assert all(len(set(row)) == 1 for row in good.z)  # one token per row
    assert len(set(bad.z[0])) == T  # the note's merge puts all tokens in row 0
    assert good.text[0][2] == "t0h1" and bad.text[0][2] == "t1h0"
    assert "tNhM = token N, head M" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "row of the merged [4, 16]"
    # the correct labels are what merge_heads does to a real tensor
    assert torch.equal(merge_heads(token.float())[0], correct[..., 0].float())

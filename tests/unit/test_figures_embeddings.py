"""helpers.figures.embeddings: each builder returns a readable figure holding the right data."""

import pytest
import torch

from helpers.figures import embeddings
from helpers.text import Vocabulary, one_hot
from helpers.word2vec import cosine_matrix

VOCAB = Vocabulary("the king the queen a cat".split())
FAMILIES = {"royalty": ["king", "queen"], "animals": ["cat"]}


def test_one_hot_figure_has_one_one_per_row():
    x = one_hot(VOCAB.encode(["the", "cat"]), len(VOCAB))  # (2, V)
    fig = embeddings.one_hot_figure(x, ["the", "cat"], VOCAB.words)
    z = fig.data[0].z
    assert [sum(row) for row in z] == [1, 1] and z[1][VOCAB.index("cat")] == 1
    assert "2 tokens × 5 vocabulary words" in fig.layout.title.text
    with pytest.raises(ValueError, match=r"x has shape \[2, 5\]; expected \[T, V\] = \[3, 5\]"):
        embeddings.one_hot_figure(x, ["the", "cat", "a"], VOCAB.words)


def test_similarity_figure_side_by_side():
    words = ["king", "cat"]
    fig = embeddings.similarity_figure(
        words, {"a": torch.eye(2), "b": torch.tensor([[1.0, 0.5], [0.5, 1.0]])}
    )
    assert len(fig.data) == 2 and fig.data[1].z[0][1] == 0.5
    assert [a.text for a in fig.layout.annotations] == ["a", "b"]


def test_loss_figure_averages_blocks_and_marks_the_start():
    fig = embeddings.loss_figure({"run": [4.0, 2.0, 3.0, 1.0, 0.5]}, initial=4.1589, every=2)
    assert list(fig.data[0].y) == [3.0, 2.0, 0.5] and list(fig.data[0].x) == [0, 2, 4]
    assert fig.layout.shapes[0].y0 == 4.1589
    with pytest.raises(ValueError, match="every"):
        embeddings.loss_figure({"run": [1.0]}, every=0)


def test_embedding_figure_colours_families_and_highlights():
    points = torch.arange(10.0).view(5, 2)
    fig = embeddings.embedding_figure(
        points, VOCAB.words, FAMILIES, highlight="king", neighbours=[("queen", 0.9)]
    )
    names = [t.name for t in fig.data]
    assert names == ["other words", "royalty", "animals", "nearest neighbours", "king"]
    assert list(fig.data[-1].x) == [points[VOCAB.index("king"), 0].item()]
    assert (
        embeddings.embedding_figure(torch.zeros(5, 3), VOCAB.words, FAMILIES).data[0].type
        == "scatter3d"
    )
    with pytest.raises(ValueError, match="points must be"):
        embeddings.embedding_figure(torch.zeros(4, 2), VOCAB.words, FAMILIES)


def test_embedding_figure_axis_titles_give_each_components_share():
    points = torch.arange(10.0).view(5, 2)
    plain = embeddings.embedding_figure(points, VOCAB.words, FAMILIES)
    assert plain.layout.xaxis.title.text == "principal component 1"
    fig = embeddings.embedding_figure(points, VOCAB.words, FAMILIES, shares=[0.166, 0.15])
    assert fig.layout.xaxis.title.text == "principal component 1 (16.6 % of the spread)"
    assert fig.layout.yaxis.title.text == "principal component 2 (15.0 % of the spread)"
    fig3 = embeddings.embedding_figure(
        torch.zeros(5, 3), VOCAB.words, FAMILIES, shares=[0.166, 0.15, 0.1]
    )
    assert fig3.layout.scene.zaxis.title.text == "PC 3 (10.0 % of the spread)"
    with pytest.raises(ValueError, match="one per axis"):
        embeddings.embedding_figure(points, VOCAB.words, FAMILIES, shares=[0.5])


def test_neighbours_and_one_hot_word_figures():
    fig = embeddings.neighbours_figure({"king": [("queen", 0.91), ("cat", 0.1)]})
    assert list(fig.data[0].cells.values[1]) == ["queen (0.91)"]
    x = one_hot(torch.arange(len(VOCAB)), len(VOCAB))  # (V, V)
    i = VOCAB.index("queen")
    fig = embeddings.one_hot_word_figure("queen", VOCAB.words, x[i], cosine_matrix(x)[i])
    assert sum(fig.data[0].z[0]) == 1 and sorted(fig.data[1].y) == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert f"a single 1 at id {i}" in fig.layout.annotations[0].text


def test_embedding_figure_fans_out_the_labels_of_a_family():
    words = ["a", "b", "c", "d"]
    points = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])  # around one centre
    fig = embeddings.embedding_figure(points, words, {"family": words})
    assert list(fig.data[0].textposition) == [
        "middle right",
        "top center",
        "middle left",
        "bottom center",
    ]


def test_training_frames_figure_one_frame_per_step_on_fixed_axes():
    words = ["king", "queen", "cat", "the"]
    frames = {
        0: torch.zeros(4, 2),
        10: torch.tensor([[1.0, 0.0], [1.0, 0.1], [-1.0, 0.0], [0.0, 2.0]]),
    }
    fig = embeddings.training_frames_figure(
        frames, words, FAMILIES, captions={0: "gap 0.00", 10: "gap 0.50"}, title="training"
    )
    assert [f.name for f in fig.frames] == ["0", "10"]
    assert fig.layout.sliders[0].active == 1  # opens on the last step
    assert [s.label for s in fig.layout.sliders[0].steps] == ["0", "10"]
    assert fig.layout.title.text == "training: step 10, gap 0.50"
    assert fig.frames[0].layout.title.text == "training: step 0, gap 0.00"
    names = [t.name for t in fig.data]
    assert names == ["other words", "royalty", "animals"]
    royalty = fig.data[1]
    assert list(royalty.text) == ["king", "queen"] and list(royalty.x) == [1.0, 1.0]
    assert list(fig.frames[0].data[1].x) == [0.0, 0.0]  # the same words, at step 0
    low_x, high_x = fig.layout.xaxis.range
    assert low_x < -1.0 and high_x > 1.0  # one range for every step


def test_training_frames_figure_rejects_points_of_another_shape():
    with pytest.raises(ValueError, match=r"step 5: points must be \(len\(words\), 2\) = \(2, 2\)"):
        embeddings.training_frames_figure({5: torch.zeros(2, 3)}, ["king", "cat"], FAMILIES)
    with pytest.raises(ValueError, match="at least one step"):
        embeddings.training_frames_figure({}, ["king"], FAMILIES)

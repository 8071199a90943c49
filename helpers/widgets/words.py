"""Explorers for word vectors: a word's one-hot vector, and a word's place among trained
word2vec vectors for several embedding sizes (trained once, before the explorer is built)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import torch

from helpers.figures import embeddings
from helpers.geometry import pca
from helpers.text import Vocabulary, one_hot
from helpers.widgets.base import Explorer
from helpers.word2vec import WordVectors, cosine_matrix


def one_hot_explorer(vocab: Vocabulary, word: str = "king") -> Explorer:
    """Pick a word (``ex.word``): its one-hot vector and its cosine similarity to every word."""
    vocab.index(word)  # a clear ValueError for a word outside the vocabulary
    vectors = one_hot(torch.arange(len(vocab)), len(vocab))  # (V, V): every word's one-hot vector
    sims = cosine_matrix(vectors)  # (V, V)

    def build(word: str):
        i = vocab.index(word)
        return embeddings.one_hot_word_figure(word, vocab.words, vectors[i], sims[i])

    pick = widgets.Dropdown(options=sorted(vocab.words), value=word, description="word")
    return Explorer({"word": pick}, build)


def word2vec_explorer(
    models: Mapping[int, WordVectors],
    families: Mapping[str, Sequence[str]],
    word: str = "king",
    k: int = 5,
) -> Explorer:
    """Pick a word (``ex.word``), an embedding size (``ex.dim``, one of the trained models) and
    a 2-D or 3-D PCA view (``ex.view``; 3-D only offered when dim ≥ 3): the word is starred,
    its ``k`` nearest neighbours ringed and listed in the title.

    ``models`` maps each embedding size to vectors trained beforehand on the same vocabulary;
    moving the slider switches between them, nothing is trained in the callback.
    """
    if not models:
        raise ValueError("models is empty: pass {dim: trained_vectors(dim)} for at least one dim")
    dims = sorted(models)
    vocab = models[dims[0]].vocab
    for d in dims:
        if models[d].vocab.words != vocab.words:
            raise ValueError(
                f"the model for dim={d} has another vocabulary; "
                "train every model on the same corpus"
            )
        if models[d].dim != d:
            raise ValueError(
                f"models[{d}] holds vectors of size {models[d].dim}; key each model by its dim"
            )
    vocab.index(word)  # a clear ValueError for a word outside the vocabulary
    points = {(d, v): pca(models[d].vectors, v) for d in dims for v in (2, 3) if v <= d}  # PCA once

    def views(d: int) -> list[str]:
        return ["2-D", "3-D"] if d >= 3 else ["2-D"]

    controls = {
        "word": widgets.Dropdown(options=sorted(vocab.words), value=word, description="word"),
        "dim": widgets.SelectionSlider(
            options=dims,
            value=16 if 16 in dims else dims[-1],
            description="dim",
            continuous_update=False,
        ),
        "view": widgets.ToggleButtons(
            options=views(16 if 16 in dims else dims[-1]), value="2-D", description="view"
        ),
    }

    def sync(change: dict) -> None:
        allowed = views(controls["dim"].value)
        if list(controls["view"].options) != allowed:
            keep = controls["view"].value if controls["view"].value in allowed else "2-D"
            controls["view"].options = allowed
            controls["view"].value = keep

    def build(word: str, dim: int, view: str):
        neighbours = models[dim].nearest(word, k)
        listed = ", ".join(f"{w} {s:.2f}" for w, s in neighbours)
        return embeddings.embedding_figure(
            points[(dim, 3 if view == "3-D" else 2)],
            vocab.words,
            families,
            highlight=word,
            neighbours=neighbours,
            title=f"dim={dim}, PCA {view}: '{word}' → {listed}",
        )

    return Explorer(controls, build, sync=sync)

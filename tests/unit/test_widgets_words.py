"""The word explorers, driven headless: set a control's value, check the figure."""

import pytest

from helpers.figures import embeddings
from helpers.text import Vocabulary, load_corpus, load_families, tokenize
from helpers.widgets.words import one_hot_explorer, word2vec_explorer
from helpers.word2vec import trained_vectors

DIMS = (2, 8, 16, 32)


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(tokenize(load_corpus()))


@pytest.fixture(scope="module")
def models():
    return {d: trained_vectors(d) for d in DIMS}


def test_one_hot_explorer_shows_the_picked_word(vocab):
    ex = one_hot_explorer(vocab, "king")
    assert ex.word.description == "word"
    ex.word.value = "cat"
    heat, bars = ex.figure.data
    assert "'cat'" in ex.figure.layout.title.text
    row = heat.z[0]
    assert sum(row) == 1 and row[vocab.index("cat")] == 1
    assert list(bars.y).count(1.0) == 1 and set(bars.y) == {0.0, 1.0}
    assert bars.x[list(bars.y).index(1.0)] == "cat"


def test_one_hot_explorer_offers_only_vocabulary_words(vocab):
    ex = one_hot_explorer(vocab)
    assert set(ex.word.options) == set(vocab.words)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        one_hot_explorer(vocab, "unicorn")


def test_word2vec_explorer_highlights_word_and_neighbours(models):
    ex = word2vec_explorer(models, load_families())
    assert ex.dim.value == 16 and tuple(ex.dim.options) == DIMS
    ex.word.value = "queen"
    names = [t.name for t in ex.figure.data]
    assert names[-1] == "queen" and "nearest neighbours" in names
    near = models[16].nearest("queen", 5)
    assert "'queen' → " + near[0][0] in ex.figure.layout.title.text
    ringed = ex.figure.data[names.index("nearest neighbours")]
    assert len(ringed.x) == 5


def test_word2vec_explorer_switches_models_and_views(models):
    ex = word2vec_explorer(models, load_families())
    ex.view.value = "3-D"
    assert ex.figure.data[0].type == "scatter3d"
    ex.dim.value = 2  # 3-D is impossible for 2-D vectors: no longer offered
    assert tuple(ex.view.options) == ("2-D",) and ex.view.value == "2-D"
    assert ex.figure.data[0].type == "scatter" and ex.figure.layout.title.text.startswith("dim=2,")
    ex.dim.value = 32
    assert tuple(ex.view.options) == ("2-D", "3-D")
    assert ex.figure.layout.title.text.startswith("dim=32,")


def test_word2vec_explorer_offers_only_valid_values(models):
    ex = word2vec_explorer(models, load_families())
    assert "unicorn" not in ex.word.options and set(ex.word.options) == set(models[16].vocab.words)
    with pytest.raises(ValueError, match="key each model by its dim"):
        word2vec_explorer({4: models[8]}, load_families())
    with pytest.raises(ValueError, match="empty"):
        word2vec_explorer({}, load_families())


def test_builder_error_shows_in_the_explorer(models, monkeypatch):
    ex = word2vec_explorer(models, load_families())
    before = ex.figure

    def broken(*args, **kwargs):
        raise ValueError("broken on purpose")

    monkeypatch.setattr(embeddings, "embedding_figure", broken)
    ex.word.value = "cat"
    assert ex.last_error == "ValueError: broken on purpose"
    assert "broken on purpose" in ex.error.value and ex.figure is before
    monkeypatch.undo()
    ex.word.value = "dog"
    assert ex.last_error is None and "'dog'" in ex.figure.layout.title.text

"""helpers.text and the shipped corpus: tokens, vocabulary, one-hot; the corpus regenerates."""

import pytest
import torch

from helpers import asset_path, corpus
from helpers.text import Vocabulary, load_corpus, load_families, one_hot, sentences, tokenize


def test_corpus_regenerates_byte_for_byte():
    assert corpus.generate() == asset_path("corpus.txt").read_text(encoding="utf-8")
    assert corpus.families_json() == asset_path("word_families.json").read_text(encoding="utf-8")


def test_corpus_size_and_families():
    tokens = tokenize(load_corpus())
    assert 3000 <= len(tokens) <= 8000
    vocab = Vocabulary(tokens)
    families = load_families()
    assert len(families) >= 6
    for family, words in families.items():
        for w in words:
            assert vocab.count(w) >= 5, (family, w)
    # "bank" appears in river sentences and in money sentences
    lines = [s for s in sentences(load_corpus()) if "bank" in s]
    assert any("river" in s for s in lines) and any("money" in s for s in lines)


def test_tokenize_and_sentences():
    assert tokenize("The King rules.\nA cat!") == ["the", "king", "rules", "a", "cat"]
    assert sentences("The king rules.\n\nA cat sleeps.\n") == [
        ["the", "king", "rules"],
        ["a", "cat", "sleeps"],
    ]


def test_vocabulary_ids_counts_and_order():
    vocab = Vocabulary("b a c a b a".split())
    assert vocab.words == ["a", "b", "c"] and vocab.counts == [3, 2, 1]
    assert len(vocab) == 3 and "a" in vocab and "z" not in vocab
    assert vocab.encode(["c", "a"]).tolist() == [2, 0]
    assert vocab.decode(torch.tensor([1, 2])) == ["b", "c"]
    assert vocab.count("b") == 2


def test_vocabulary_min_count():
    vocab = Vocabulary("b a c a b a".split(), min_count=2)
    assert vocab.words == ["a", "b"] and vocab.dropped == ["c"]
    with pytest.raises(ValueError, match="min_count=2"):
        vocab.index("c")


def test_vocabulary_errors():
    vocab = Vocabulary("a b".split())
    with pytest.raises(ValueError, match="'unicorn' is not in the vocabulary"):
        vocab.encode(["unicorn"])
    with pytest.raises(ValueError, match="outside"):
        vocab.decode([5])
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary("a b".split(), min_count=0)
    with pytest.raises(ValueError, match="leaves no word"):
        Vocabulary("a b".split(), min_count=3)
    with pytest.raises(ValueError, match="no tokens"):
        Vocabulary([])


def test_one_hot():
    x = one_hot(torch.tensor([2, 0, 2]), 4)  # (3, 4)
    assert x.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0]]
    assert torch.equal(x, torch.nn.functional.one_hot(torch.tensor([2, 0, 2]), 4).float())
    assert list(one_hot([], 4).shape) == [0, 4]


def test_one_hot_errors():
    with pytest.raises(ValueError, match="0 .. 3"):
        one_hot([4], 4)
    with pytest.raises(ValueError, match="1-D"):
        one_hot(torch.zeros(2, 2, dtype=torch.long), 4)

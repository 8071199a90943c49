"""helpers.tasks.context: one head trained to predict the other words of its sentence."""

import torch

from helpers.tasks import context
from helpers.tasks.context import ContextHead, context_batch, context_loss, train_context_head
from helpers.word2vec import trained_vectors

TEXT = "the cat sat on the queen\nthe cat sat on the queen\na dog jumps\n"


def test_one_padded_batch_with_counts_and_targets_of_the_other_words():
    wv = trained_vectors(16, 0)
    b = context_batch(wv, TEXT)
    assert list(b.x.shape) == [2, 6, 16] and b.count.tolist() == [
        1.0,
        2.0,
    ]  # "a dog jumps" sorts first
    assert b.mask[:, 0].sum(-1).tolist() == [3, 6]  # real tokens; the rest is padding
    cat = b.target[1, 1]  # (V,) what "cat" must predict: the, sat, on, the, queen
    assert (
        abs(float(cat[wv.vocab.index("the")]) - 2 / 5) < 1e-6
        and float(cat[wv.vocab.index("cat")]) == 0
    )
    assert torch.all(b.target[0, 3:] == 0)  # padding predicts nothing


def test_the_loss_averages_over_real_tokens_weighted_by_count():
    wv = trained_vectors(16, 0)
    b = context_batch(wv, TEXT)
    model = ContextHead(16, 4, len(wv.vocab))
    once = context_batch(wv, "the cat sat on the queen\na dog jumps\n")
    twice = context_batch(wv, TEXT)
    assert torch.allclose(context_loss(model, b), context_loss(model, twice))
    assert not torch.allclose(context_loss(model, once), context_loss(model, twice))


def test_training_lowers_the_loss_and_repeats_exactly():
    model, losses = train_context_head(d_k=8, steps=200, seed=0)
    _, losses_again = context._train.__wrapped__(8, 200, 0.02, 0)  # a fresh run, not the cache
    assert losses[-1] < 0.5 * losses[0]
    assert losses == list(losses_again)
    untrained, none = train_context_head(d_k=8, steps=0, seed=0)
    assert none == [] and not torch.equal(untrained.head.W_Q.weight, model.head.W_Q.weight)


def test_text_with_no_known_sentence_is_a_clear_error():
    import pytest

    with pytest.raises(
        ValueError, match="no sentence of the text has every word in the vocabulary"
    ):
        context_batch(trained_vectors(16, 0), "unicorns dance\n")

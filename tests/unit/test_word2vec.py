"""helpers.word2vec: pairs, noise, the loss, deterministic training, the trained space."""

import math
import time

import pytest
import torch
import torch.nn.functional as F

from helpers.text import Vocabulary, load_families
from helpers.word2vec import (
    SkipGram,
    WordVectors,
    context_pairs,
    corpus_data,
    cosine_matrix,
    family_separation,
    initial_loss,
    noise_distribution,
    steps,
    train,
    trained_vectors,
)


def test_context_pairs_window_stays_in_sentence():
    pairs = context_pairs([torch.tensor([10, 11, 12]), torch.tensor([20, 21])], window=1)
    assert pairs.tolist() == [[10, 11], [11, 10], [11, 12], [12, 11], [20, 21], [21, 20]]
    assert len(context_pairs([torch.arange(5)], window=2)) == 2 + 3 + 4 + 3 + 2
    with pytest.raises(ValueError, match="window"):
        context_pairs([torch.arange(3)], window=0)


def test_noise_distribution():
    p = noise_distribution([16, 1])
    assert torch.allclose(p.sum(), torch.tensor(1.0))
    assert math.isclose(p[0].item() / p[1].item(), 16**0.75, rel_tol=1e-5)


def test_untrained_loss_is_k_plus_one_ln2():
    model = SkipGram(10, 4, generator=torch.Generator().manual_seed(0))
    loss = model(torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([[5, 6, 7], [8, 9, 0]]))
    assert math.isclose(loss.item(), initial_loss(3), rel_tol=1e-6)


def test_loss_matches_formula():
    g = torch.Generator().manual_seed(1)
    model = SkipGram(6, 3, generator=g)
    with torch.no_grad():
        model.W_out.weight.normal_(generator=g)
    c, o, n = torch.tensor([0, 1]), torch.tensor([2, 3]), torch.tensor([[4, 5], [0, 2]])
    v, u = model.W_in.weight, model.W_out.weight
    expected = (
        -sum(
            math.log(torch.sigmoid(u[o[b]] @ v[c[b]]).item())
            + sum(math.log(torch.sigmoid(-u[k] @ v[c[b]]).item()) for k in n[b])
            for b in range(2)
        )
        / 2
    )
    assert math.isclose(model(c, o, n).item(), expected, rel_tol=1e-5)


def test_skipgram_rejects_bad_sizes():
    with pytest.raises(ValueError, match="vocab_size"):
        SkipGram(1, 4)


def test_training_is_deterministic_and_lowers_the_loss():
    data = corpus_data()
    m1, l1 = train(data, dim=8, epochs=2, seed=3)
    m2, l2 = train(data, dim=8, epochs=2, seed=3)
    _, l3 = train(data, dim=8, epochs=2, seed=4)
    assert l1 == l2 and torch.equal(m1.vectors, m2.vectors)
    assert l1 != l3
    assert math.isclose(l1[0], initial_loss(), rel_tol=1e-4)
    assert sum(l1[-10:]) / 10 < 0.7 * initial_loss()


def test_train_rejects_bad_settings():
    with pytest.raises(ValueError, match="epochs"):
        train(corpus_data(), epochs=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_families_separate(seed):
    within, between = family_separation(trained_vectors(16, seed), load_families())
    assert within - between > 0.4, (within, between)


def test_trained_vectors_is_fast_cached_and_a_copy():
    start = time.perf_counter()
    wv = trained_vectors(dim=8, seed=5)
    first = time.perf_counter() - start
    assert first < 30  # generous: the machine is shared; a quiet 2-core CPU takes < 1 s
    wv.vectors.zero_()
    again = trained_vectors(dim=8, seed=5)
    assert again.vectors.abs().sum() > 0 and list(again.vectors.shape) == [len(again.vocab), 8]


def test_word_vectors_lookup_and_neighbours():
    wv = trained_vectors(16, 0)
    assert list(wv[["the", "king"]].shape) == [2, 16] and list(wv["king"].shape) == [16]
    near = wv.nearest("king", 5)
    assert len(near) == 5 and "king" not in [w for w, _ in near]
    assert [s for _, s in near] == sorted([s for _, s in near], reverse=True)
    assert math.isclose(near[0][1], wv.similarity("king", near[0][0]), rel_tol=1e-5)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        wv["unicorn"]
    with pytest.raises(ValueError, match="k must be"):
        wv.nearest("king", 0)


def test_cosine_matrix():
    v = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    sims = cosine_matrix(v)
    assert torch.allclose(sims, F.cosine_similarity(v[:, None], v[None, :], dim=-1))


def test_family_separation_on_made_up_vectors():
    wv = WordVectors(
        Vocabulary(["a", "b", "c", "d"]), torch.tensor([[1.0, 0], [1, 0], [0, 1], [0, 1]])
    )
    assert family_separation(wv, {"x": ["a", "b"], "y": ["c", "d"]}) == pytest.approx((1.0, 0.0))


def test_checkpoints_are_snapshots_of_the_same_training():
    data = corpus_data()
    model, losses = train(data, dim=8, epochs=2, seed=5)
    total = steps(data, epochs=2)
    assert total == len(losses)
    model_c, losses_c, snaps = train(data, dim=8, epochs=2, seed=5, checkpoints=[0, 3, total])
    assert losses_c == losses and torch.equal(model_c.vectors, model.vectors)  # same training
    assert sorted(snaps) == [0, 3, total]
    assert torch.equal(snaps[total], model.vectors)
    start = SkipGram(len(data.vocab), 8, generator=torch.Generator().manual_seed(5))
    assert torch.equal(snaps[0], start.vectors)  # before the first step
    assert not torch.equal(snaps[3], snaps[0]) and not torch.equal(snaps[3], snaps[total])
    snaps[0].add_(1.0)  # copies: changing one changes nothing else
    assert torch.equal(snaps[total], model.vectors)


@pytest.mark.parametrize("checkpoints", [[-1], [0, 10_000], [], [2.5]])
def test_checkpoints_outside_the_training_are_refused(checkpoints):
    data = corpus_data()
    total = steps(data, epochs=1)
    with pytest.raises(ValueError, match=rf"give steps between 0 \(before training\) and {total}"):
        train(data, dim=4, epochs=1, checkpoints=checkpoints)

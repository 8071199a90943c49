"""helpers.tasks.pointer: the "follow the pointer" task, its model, training and head scores."""

import pytest
import torch

from helpers.tasks.pointer import (
    TokenEncoder,
    accuracy,
    baseline_accuracies,
    pointer_batch,
    pointer_head_scores,
    token_labels,
    train_pointer,
)


def test_pointer_batch_targets_are_the_named_digit():
    tokens, targets = pointer_batch(200, T=6, vocab=10, generator=torch.Generator().manual_seed(0))
    assert list(tokens.shape) == list(targets.shape) == [200, 6]
    p = tokens[:, 0]
    assert p.min() >= 1 and p.max() <= 5
    for b in range(200):
        assert targets[b].tolist() == [tokens[b, p[b]].item()] * 6
    with pytest.raises(ValueError, match=r"vocab=4 must be a whole number >= 6 \(T=6"):
        pointer_batch(3, T=6, vocab=4)
    with pytest.raises(ValueError, match="T=1"):
        pointer_batch(3, T=1)


def test_token_encoder_shapes_and_errors():
    model = TokenEncoder(vocab=10, T=6, n_layers=2, d_model=16, h=4, d_ff=32)
    tokens, _ = pointer_batch(3, T=6)
    logits, weights = model(tokens)
    assert list(logits.shape) == [3, 6, 10]
    assert [list(w.shape) for w in weights] == [[3, 4, 6, 6]] * 2
    with pytest.raises(ValueError, match=r"integer ids of shape \[batch, 6\]"):
        model(torch.randn(3, 6))
    with pytest.raises(ValueError, match=r"\[batch, 6\]"):
        model(tokens[:, :5])


def test_training_is_deterministic_and_leaves_the_callers_state_alone():
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    m1, l1 = train_pointer(steps=15, seed=7)
    after = torch.rand(1)
    m2, l2 = train_pointer(steps=15, seed=7)
    _, l3 = train_pointer(steps=15, seed=8)
    assert l1 == l2 and l1 != l3
    assert all(
        torch.equal(a, b)
        for a, b in zip(m1.state_dict().values(), m2.state_dict().values(), strict=True)
    )
    assert torch.equal(before, after)  # the global generator was not advanced
    assert torch.get_num_threads() == threads
    assert not m1.training


def test_pointer_task_is_learned_and_the_heads_show_how():
    model, losses = train_pointer()
    tokens, targets = pointer_batch(500, generator=torch.Generator().manual_seed(123))
    assert losses[-1] < 0.1 < losses[0]
    assert accuracy(model, tokens, targets) >= 0.99
    with torch.no_grad():
        _, weights = model(tokens)
    scores = pointer_head_scores(weights, tokens)
    assert set(scores) == {"on pointer", "on target", "pointer → target"}
    assert all(list(v.shape) == [2, 4] for v in scores.values())
    # some layer-0 head lets the pointer fetch its digit, or some layer-1 head reads the target
    assert max(scores["pointer → target"][0].max(), scores["on target"][1].max()) > 0.5


def test_pointer_head_scores_on_hand_made_weights():
    tokens = torch.tensor([[3, 0, 0, 9, 0]])  # the pointer names position 3
    w = torch.zeros(1, 2, 5, 5)
    w[0, 0, :, 0] = 1.0  # head 0: everyone reads the pointer
    w[0, 1, :, 3] = 1.0  # head 1: everyone reads the target
    scores = pointer_head_scores([w], tokens)
    assert scores["on pointer"].tolist() == [[1.0, 0.0]]
    assert scores["on target"].tolist() == [[0.0, 1.0]]
    assert scores["pointer → target"].tolist() == [[0.0, 1.0]]
    assert token_labels(tokens[0]) == ["0:→3", "1:0", "2:0", "3:9", "4:0"]


def test_head_mask_in_training_removes_those_heads_and_nothing_else():
    _, plain = train_pointer(steps=5, seed=3)
    _, ones = train_pointer(steps=5, seed=3, head_mask=torch.ones(2, 4))
    assert plain == ones  # keeping every head is the plain model
    no_layer_0 = torch.tensor([[0.0] * 4, [1.0] * 4])
    m1, l1 = train_pointer(steps=5, seed=3, head_mask=no_layer_0)
    m2, l2 = train_pointer(steps=5, seed=3, head_mask=no_layer_0)
    assert l1 == l2 and l1 != plain
    # the removed heads never reach the loss: their query and key weights are never trained
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)  # what train_pointer(seed=3) starts from
        start = TokenEncoder(vocab=10, T=6, n_layers=2, d_model=32, h=4, d_ff=64)
    for name in ("W_Q", "W_K", "W_V"):
        trained = getattr(m1.encoder.layers[0].self_attn, name).weight
        assert torch.equal(trained, getattr(start.encoder.layers[0].self_attn, name).weight)
    tokens, targets = pointer_batch(50, generator=torch.Generator().manual_seed(1))
    assert 0 <= accuracy(m1, tokens, targets, head_mask=no_layer_0) <= 1


def test_baseline_accuracies_on_hand_made_sequences():
    tokens = torch.tensor(
        [
            [1, 7, 7, 2, 3, 4],  # answer 7, the commonest digit: a hit
            [3, 7, 7, 2, 3, 4],  # answer 2, not the commonest: a miss
            [2, 5, 6, 8, 9, 0],  # all tied: the answer 6 is one of 5 leaders, 1/5
        ]
    )
    base = baseline_accuracies(tokens)
    assert base["the commonest digit"] == pytest.approx((1 + 0 + 0.2) / 3)
    assert base["a fixed digit"] == pytest.approx(1 / 3)  # answers 7, 2, 6: each once


def test_baseline_accuracies_on_random_sequences_are_near_their_expected_values():
    tokens, _ = pointer_batch(20000, generator=torch.Generator().manual_seed(0))
    base = baseline_accuracies(tokens)
    assert 0.09 < base["a fixed digit"] < 0.12
    assert 0.33 < base["the commonest digit"] < 0.37

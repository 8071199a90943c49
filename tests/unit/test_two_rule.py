"""helpers.tasks.two_rule: the two-rule task, the model, training and what the heads attend to."""

import pytest
import torch

from helpers.tasks.sweep import head_sweep
from helpers.tasks.two_rule import (
    K_KEY,
    K_VAL,
    PREV,
    T,
    TwoRuleModel,
    evaluate,
    held_out_batch,
    make_batch,
    rule_weights,
    token_label,
    train_model,
)


def test_batch_answers_follow_the_two_rules():
    b = make_batch(500, torch.Generator().manual_seed(1))
    assert list(b.tokens.shape) == [500, T]
    pairs, question = b.tokens[:, :-1], b.tokens[:, -1]
    keys, values = pairs // K_VAL, pairs % K_VAL
    assert (question >= K_KEY * K_VAL).all() and (pairs < K_KEY * K_VAL).all()
    assert all(len(set(row.tolist())) == T - 1 for row in keys)  # keys differ within an input
    assert (b.where != PREV).all()
    assert torch.equal(b.prev, values[:, PREV])
    asked = question - K_KEY * K_VAL
    assert torch.equal(keys.gather(1, b.where[:, None])[:, 0], asked)
    assert torch.equal(b.match, values.gather(1, b.where[:, None])[:, 0])


def test_token_labels():
    assert token_label(2 * K_VAL + 5) == "C5"
    assert token_label(K_KEY * K_VAL + 2) == "?C"
    with pytest.raises(ValueError, match="vocabulary"):
        token_label(K_KEY * K_VAL + K_KEY)


def test_same_parameter_count_for_every_h():
    counts = {h: sum(p.numel() for p in TwoRuleModel(16, h).parameters()) for h in (1, 2, 4, 8, 16)}
    assert len(set(counts.values())) == 1, counts
    rows = head_sweep(16, [1, 2, 4, 8, 16], [0], quick=True)
    assert {r["params"] for r in rows} == {counts[1]}


def test_sweep_is_deterministic_for_a_seed():
    first = head_sweep(16, [2, 8], [3], quick=True)
    train_model.cache_clear()
    again = head_sweep(16, [2, 8], [3], quick=True)
    assert first == again
    model_a, _ = train_model(16, 2, 3, True)
    train_model.cache_clear()
    model_b, _ = train_model(16, 2, 3, True)
    assert all(
        torch.equal(a, b)
        for a, b in zip(model_a.state_dict().values(), model_b.state_dict().values(), strict=True)
    )


def test_training_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train_model.cache_clear()
    train_model(16, 4, 0, True)
    assert torch.equal(torch.rand(3), expected)


def test_rule_weights_are_attention_shares():
    model, _ = train_model(16, 4, 0, True)
    rw = rule_weights(model, held_out_batch(64))
    assert list(rw.shape) == [4, 2]
    assert ((rw >= 0) & (rw.sum(1, keepdim=True) <= 1 + 1e-6)).all()


def test_the_encoder_layer_model_has_the_same_parameters_for_every_h_and_shares_its_attention():
    counts = {
        h: sum(p.numel() for p in TwoRuleModel(16, h, "encoder").parameters()) for h in (1, 4, 16)
    }
    assert len(set(counts.values())) == 1, counts
    model = TwoRuleModel(16, 4, "encoder")
    assert model.attn is model.block.self_attn  # the heads the geometry draws are the layer's own
    logits, weights = model(make_batch(3, torch.Generator().manual_seed(0)).tokens)
    assert list(logits.shape) == [3, 2, K_VAL] and list(weights.shape) == [3, 4, T, T]
    with pytest.raises(ValueError, match="layer='lstm'; choose one of attention, encoder"):
        TwoRuleModel(16, 4, "lstm")


def test_head_mask_removes_heads_at_test_time():
    model, _ = train_model(16, 4, 0, True)
    batch = held_out_batch(64)
    assert evaluate(model, batch, torch.ones(4)) == evaluate(model, batch)
    with torch.no_grad():
        none, _ = model(batch.tokens, torch.zeros(4))  # every head removed: only W_O's bias is left
        expected = model.readout(model.attn.W_O.bias).view(1, 2, K_VAL)
    assert torch.allclose(none, expected.expand_as(none), atol=1e-6)
    logits_all, _ = model(batch.tokens)
    logits_cut, _ = model(batch.tokens, torch.tensor([1.0, 1.0, 1.0, 0.0]))
    assert not torch.allclose(logits_all, logits_cut)

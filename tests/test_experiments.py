"""helpers.experiments: the two-rule task, the model, the head-count sweep and its stored table."""

import json

import pytest
import torch

from helpers import asset_path
from helpers.experiments import (
    K_KEY,
    K_VAL,
    PREV,
    QUICK,
    T,
    TwoRuleModel,
    head_sweep,
    held_out_batch,
    load_models,
    main,
    make_batch,
    rule_weights,
    save_models,
    summarize,
    token_label,
    train_model,
)

KEYS = {"h", "d_k", "seed", "accuracy", "acc_prev", "acc_match", "params", "steps"}


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


def test_quick_sweep_runs_and_has_the_keys():
    rows = head_sweep(16, [1, 4, 16], [0, 1], quick=True)
    assert len(rows) == 6
    for row in rows:
        assert set(row) == KEYS
        assert row["d_k"] == 16 // row["h"]
        assert row["steps"] == QUICK.steps
        assert 0.0 <= row["accuracy"] <= min(row["acc_prev"], row["acc_match"]) <= 1.0


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
    assert all(torch.equal(a, b) for a, b in zip(model_a.state_dict().values(), model_b.state_dict().values(), strict=True))


def test_training_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train_model.cache_clear()
    train_model(16, 4, 0, True)
    assert torch.equal(torch.rand(3), expected)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="not divisible"):
        head_sweep(16, [3], [0], quick=True)
    with pytest.raises(ValueError, match="non-empty"):
        head_sweep(16, [1], [], quick=True)


def test_summarize_mean_and_std():
    rows = [{"h": 2, "d_k": 8, "accuracy": a} for a in (0.5, 0.7, 0.9)]
    (s,) = summarize(rows)
    assert s["h"] == 2 and s["n"] == 3
    assert s["mean"] == pytest.approx(0.7) and s["std"] == pytest.approx(0.2)


def test_rule_weights_are_attention_shares():
    model, _ = train_model(16, 4, 0, True)
    rw = rule_weights(model, held_out_batch(64))
    assert list(rw.shape) == [4, 2]
    assert ((rw >= 0) & (rw.sum(1, keepdim=True) <= 1 + 1e-6)).all()


def test_save_and_load_models_round_trip(tmp_path):
    models = {h: train_model(16, h, 0, True)[0] for h in (1, 8)}
    save_models(models, tmp_path / "m.json")
    loaded = load_models(tmp_path / "m.json")
    assert sorted(loaded) == [1, 8]
    for h in models:
        for a, b in zip(models[h].state_dict().values(), loaded[h].state_dict().values(), strict=True):
            assert torch.equal(a, b)


@pytest.mark.parametrize("name, steps", [("head_sweep.json", 300), ("head_sweep_1200.json", 1200)])
def test_stored_tables_cover_the_sweep(name, steps):
    table = json.loads(asset_path(name).read_text())
    rows = table["rows"]
    assert table["command"].startswith("python -m helpers.experiments --full")
    assert table["command"].endswith(f"--out assets/{name}")
    assert table["settings"]["steps"] == steps
    assert {(r["h"], r["seed"]) for r in rows} == {(h, s) for h in (1, 2, 4, 8, 16) for s in range(5)}
    assert all(set(r) == KEYS and r["steps"] == steps for r in rows)
    assert len({r["params"] for r in rows}) == 1


def test_script_reproduces_the_stored_table_on_a_reduced_setting(tmp_path, capsys):
    """Re-run three (h, seed) cells of the stored sweep with the full budget: same accuracies."""
    out = tmp_path / "sweep.json"
    assert main(["--heads", "1", "8", "16", "--seeds", "1", "--out", str(out)]) == 0
    assert "3 models" in capsys.readouterr().out
    fresh = json.loads(out.read_text())["rows"]
    stored = {(r["h"], r["seed"]): r for r in json.loads(asset_path("head_sweep.json").read_text())["rows"]}
    for row in fresh:
        twin = stored[(row["h"], row["seed"])]
        for key in ("accuracy", "acc_prev", "acc_match"):
            assert row[key] == pytest.approx(twin[key], abs=0.005), (row, twin)


def test_stored_models_are_the_seed_0_models_this_code_trains():
    stored = load_models()
    assert sorted(stored) == [1, 2, 4, 8, 16]
    fresh, _ = train_model(16, 1, 0)
    for a, b in zip(stored[1].state_dict().values(), fresh.state_dict().values(), strict=True):
        assert torch.allclose(a, b, atol=1e-5)

"""helpers.tasks.sweep: the head-count sweep, its stored tables and the stored trained models."""

import json

import pytest
import torch

from helpers import asset_path
from helpers.tasks.sweep import (
    grid,
    head_sweep,
    load_models,
    main,
    save_models,
    stored_models,
    summarize,
)
from helpers.tasks.two_rule import FULL, QUICK, train_model

KEYS = {"h", "d_k", "seed", "accuracy", "acc_prev", "acc_match", "params", "steps"}


def test_quick_sweep_runs_and_has_the_keys():
    rows = head_sweep(16, [1, 4, 16], [0, 1], quick=True)
    assert len(rows) == 6
    for row in rows:
        assert set(row) == KEYS
        assert row["d_k"] == 16 // row["h"]
        assert row["steps"] == QUICK.steps
        assert 0.0 <= row["accuracy"] <= min(row["acc_prev"], row["acc_match"]) <= 1.0


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


def test_save_and_load_models_round_trip(tmp_path):
    models = {(16, h, QUICK.steps): train_model(16, h, 0, True)[0] for h in (1, 8)}
    save_models(models, tmp_path / "m.safetensors")
    loaded = load_models(16, tmp_path / "m.safetensors", steps=QUICK.steps)
    assert sorted(loaded) == [1, 8]
    for (_, h, _), model in models.items():
        for a, b in zip(model.state_dict().values(), loaded[h].state_dict().values(), strict=True):
            assert torch.equal(a, b)
    with pytest.raises(
        ValueError, match=r"d_model=32 has no stored models; choose d_model from \[16\]"
    ):
        load_models(32, tmp_path / "m.safetensors", steps=QUICK.steps)


def test_stored_models_are_read_without_unpickling():
    assert (
        asset_path("head_models.safetensors").read_bytes()[8:9] == b"{"
    )  # a JSON header, then raw arrays


@pytest.mark.parametrize(
    "name, steps",
    [("head_sweep.json", 300), ("head_sweep_1200.json", 1200), ("head_sweep_encoder.json", 300)],
)
def test_stored_tables_cover_the_sweep(name, steps):
    table = json.loads(asset_path(name).read_text())
    rows = table["rows"]
    assert table["command"].startswith("python -m helpers.tasks.sweep --full")
    assert table["command"].endswith(f"--out assets/{name}")
    assert table.get("layer", "attention") == ("encoder" if "encoder" in name else "attention")
    assert table["settings"]["steps"] == steps
    assert {(r["h"], r["seed"]) for r in rows} == {
        (h, s) for h in (1, 2, 4, 8, 16) for s in range(5)
    }
    assert all(set(r) == KEYS and r["steps"] == steps for r in rows)
    assert len({r["params"] for r in rows}) == 1


def test_script_reproduces_the_stored_table_on_a_reduced_setting(tmp_path, capsys):
    """Re-run three (h, seed) cells of the stored sweep with the full budget: same accuracies."""
    out = tmp_path / "sweep.json"
    assert main(["--heads", "1", "8", "16", "--seeds", "1", "--out", str(out)]) == 0
    assert "3 models" in capsys.readouterr().out
    fresh = json.loads(out.read_text())["rows"]
    stored = {
        (r["h"], r["seed"]): r
        for r in json.loads(asset_path("head_sweep.json").read_text())["rows"]
    }
    for row in fresh:
        twin = stored[(row["h"], row["seed"])]
        for key in ("accuracy", "acc_prev", "acc_match"):
            assert row[key] == pytest.approx(twin[key], abs=0.005), (row, twin)


def test_the_stored_grid_covers_every_width_and_power_of_two_h():
    stored = stored_models()
    assert sorted(stored) == [(d, h) for d, h, steps in grid() if steps == FULL.steps]
    assert sorted({d for d, _ in stored}) == [8, 16, 32, 64]
    assert sorted(load_models(64)) == [1, 2, 4, 8, 16, 32, 64]
    assert list(load_models(16, steps=1200)) == [16]


@pytest.mark.parametrize("d_model, h", [(16, 1), (32, 4)])
def test_stored_models_are_the_seed_0_models_this_code_trains(d_model, h):
    """The grid script's cells, retrained: the same weights to the bit."""
    fresh, _ = train_model(d_model, h, 0)
    stored = load_models(d_model)[h]
    for a, b in zip(stored.state_dict().values(), fresh.state_dict().values(), strict=True):
        assert torch.equal(a, b)

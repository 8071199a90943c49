"""helpers.sense_corpus and helpers.senses: the shipped sense data, the probe, the ladder, head
roles, per-head subspaces, ablation."""

import math

import pytest
import torch

from helpers import asset_path, sense_corpus
from helpers.pretrained import Run
from helpers.senses import (
    COMMAND,
    RELATIONS,
    STAGES,
    Ablation,
    clearest_heads,
    fit_probe,
    format_measurements,
    head_output_accuracy,
    head_projections,
    head_roles,
    head_sense_accuracy,
    ladder,
    ladder_part,
    load_measurements,
    load_pairs,
    load_senses,
    pair_cosines,
    probe_accuracy,
    query_sense_accuracy,
    random_projection_accuracy,
    retrained_probe,
    roles_part,
    sense_run,
    similarity_scores,
    stage_name,
    subspace_part,
    swapped_part,
    target_positions,
)
from helpers.threads import torch_threads


@pytest.fixture(scope="module")
def model(minilm):  # tests/unit/conftest.py: loaded once per session
    return minilm


@pytest.fixture(scope="module")
def stored():
    return load_measurements()


@pytest.fixture(scope="module")
def ablation(model, bank_run):
    """A small ablation set: bank's 8 held-out sentences and the 64 pair sentences (the full
    set, all five words, is what ``python -m helpers.senses`` measures and stores)."""
    with torch_threads(1):
        return Ablation(model, words=["bank"], run=bank_run)


# --------------------------------------------------------------------------- data


def test_sense_data_regenerates_byte_for_byte():
    assert sense_corpus.senses_json() == asset_path("senses.json").read_text(encoding="utf-8")
    assert sense_corpus.pairs_json() == asset_path("sentence_pairs.json").read_text(
        encoding="utf-8"
    )


def test_sense_data_shape_and_balance():
    data = load_senses()
    assert list(data.sense_names) == ["bank", "bat", "spring", "match", "light"]
    assert len(data.texts) == 5 * 2 * 20 == len(set(data.texts))
    for word, senses in data.sense_names.items():
        assert len(senses) == 2
        for fold in range(5):
            # every fold holds 4 sentences of each sense: a static vector scores exactly 0.5
            for label in (0, 1):
                rows = [
                    i
                    for i in data.rows(word).tolist()
                    if data.fold[i] == fold and data.label[i] == label
                ]
                assert len(rows) == 4
    assert len(data.repeats) == 20


def test_every_target_is_one_wordpiece_token_once_per_sentence(model):
    data = load_senses()
    _, _, tokens = model.tokenize(data.texts)
    positions = target_positions(tokens, data.words)
    assert all(tokens[b][p] == data.words[b] for b, p in enumerate(positions.tolist()))
    for word in data.sense_names:
        assert model.tokenizer.encode(word, add_special_tokens=False).tokens == [word]


def test_repeat_sentences_hold_a_noun_twice(model):
    _, _, tokens = model.tokenize(load_senses().repeats)
    for toks in tokens:
        assert any(toks.count(n) == 2 for n in sense_corpus.NOUNS), toks


def test_pairs():
    pairs = load_pairs()
    assert len(pairs["paraphrase"]) == len(pairs["unrelated"]) == 32 and len(pairs["swapped"]) == 10
    firsts = [a for a, _ in pairs["paraphrase"]]
    seconds = {a: b for a, b in pairs["paraphrase"]}
    assert [a for a, _ in pairs["unrelated"]] == firsts
    assert all(b != seconds[a] and b in seconds.values() for a, b in pairs["unrelated"])
    assert all(sorted(a.lower().strip(".").split()) == sorted(b.lower().strip(".").split())
               for a, b in pairs["swapped"])  # fmt: skip


def test_target_positions_refuses_a_missing_or_repeated_word():
    with pytest.raises(ValueError, match="has the token 'bank' 2 times"):
        target_positions([["[CLS]", "bank", "bank", "[SEP]"]], ["bank"])
    with pytest.raises(ValueError, match="has the token 'bat' 0 times"):
        target_positions([["[CLS]", "bank", "[SEP]"]], ["bat"])


# --------------------------------------------------------------------------- the probe


def primal_probe(X, y, train, steps, lr, weight_decay):
    """The textbook loop on w, for one probe: what the dual form must equal."""
    share = train.float() / train.sum()
    mean = share @ X
    std = (share[:, None] * (X - mean) ** 2).sum(0).sqrt()
    Xs = (X - mean) / (std * math.sqrt(X.shape[1]))
    w, b = torch.zeros(X.shape[1]), torch.zeros(())
    for _ in range(steps):
        err = (torch.sigmoid(Xs @ w + b) - y) * share
        w, b = w - lr * (Xs.T @ err + weight_decay * w), b - lr * err.sum()
    return w, b


def test_fit_probe_dual_form_equals_gradient_descent_on_w():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(30, 50, generator=g)
    y = (X[:, 0] + 0.5 * torch.randn(30, generator=g) > 0).float()
    train = torch.arange(30) % 3 != 0
    probe = fit_probe(X, y, train[None, :], steps=200)
    w, b = primal_probe(X, y, train, 200, 2.0, 1e-3)
    assert torch.allclose(probe.w[0], w, atol=1e-4) and torch.allclose(probe.b[0], b, atol=1e-5)


def test_probe_accuracy_separable_random_static_and_batched():
    g = torch.Generator().manual_seed(1)
    y = torch.arange(40) % 2
    fold = (torch.arange(40) // 2) % 5
    X = torch.randn(40, 16, generator=g) + 3.0 * y[:, None]
    assert probe_accuracy(X, y, fold).item() == 1.0
    static = torch.randn(16, generator=g).expand(40, 16)  # the same vector in every sentence
    assert probe_accuracy(static, y, fold).item() == 0.5
    batch = torch.stack([X, static, torch.randn(40, 16, generator=g)])  # (3, n, d)
    acc = probe_accuracy(batch, y, fold)
    assert acc.shape == (3,) and acc[0] == 1.0 and acc[1] == 0.5 and 0.2 <= acc[2] <= 0.8
    assert torch.equal(acc, probe_accuracy(batch, y, fold))  # deterministic
    with pytest.raises(ValueError, match=r"X has 40 rows, so y must have shape \[..., 40\]"):
        fit_probe(X, y[:10], (fold == 0)[None, :])


# --------------------------------------------------------------------------- the ladder


def test_static_stages_are_at_chance_and_context_is_not(model, bank, bank_run, stored):
    """On the stored table of all five words, and on bank's row measured now."""
    live = ladder(model, bank, bank_run)  # {stage: {"bank": SenseScore, "all": the same}}
    assert list(live) == STAGES and set(live["after 6 layers"]) == {"bank", "all"}
    table = stored["ladder"]
    assert list(table) == STAGES
    assert set(table["after 6 layers"]) == {"bank", "bat", "spring", "match", "light", "all"}
    for stage in ("one-hot", "static"):
        for word, score in [*table[stage].items(), ("bank, live", vars(live[stage]["bank"]))]:
            assert score["accuracy"] == 0.5, (stage, word)
            assert score["cosine"] == pytest.approx(1.0, abs=1e-4)
            assert score["within"] == pytest.approx(score["between"], abs=1e-4)
    assert table["bag of words"]["all"]["accuracy"] >= 0.8
    for i in range(3, 7):
        assert table[stage_name(i)]["all"]["accuracy"] >= 0.9
        assert table[stage_name(i)]["all"]["cosine"] < table["embedding"]["all"]["cosine"]
    assert live["after 3 layers"]["bank"].accuracy > live["embedding"]["bank"].accuracy


def test_stage_names_count_the_layers_run():
    assert [stage_name(i) for i in range(3)] == ["embedding", "after 1 layer", "after 2 layers"]
    assert STAGES[3:] == [stage_name(i) for i in range(7)] and STAGES[-1] == "after 6 layers"


def test_sense_data_only_keeps_one_words_sentences_in_order():
    data = load_senses()
    bank = data.only("bank")
    rows = data.rows("bank")
    assert bank.texts == [data.texts[i] for i in rows] and list(bank.sense_names) == ["bank"]
    assert torch.equal(bank.label, data.label[rows]) and torch.equal(bank.fold, data.fold[rows])
    assert torch.equal(bank.rows("bank"), torch.arange(40))
    two = data.only("bat", "bank")
    assert list(two.sense_names) == ["bank", "bat"] and len(two.texts) == 80
    with pytest.raises(ValueError, match=r"word='cat' has no sense sentences; choose from"):
        data.only("cat")
    with pytest.raises(ValueError, match="name at least one word"):
        data.only()


# --------------------------------------------------------------------------- head roles


def toy_run(attention_rows):
    """A Run of one 5-token sentence whose every head has the attention ``attention_rows``."""
    tokens = [["[CLS]", "the", "cat", "the", "[SEP]"]]
    A = torch.as_tensor(attention_rows, dtype=torch.float).expand(1, 2, 5, 5)  # (B, h, T, T)
    ids = torch.tensor([[101, 1996, 4937, 1996, 102]])
    return Run(["the cat the"], tokens, ids, torch.tensor([5]), [], [A, A])


def test_head_roles_on_hand_made_attention():
    eye = torch.eye(5)
    assert head_roles(toy_run(eye))["self"].eq(1).all()
    prev = torch.eye(5).roll(-1, dims=1)  # row i puts all weight on i - 1
    roles = head_roles(toy_run(prev))
    assert roles["previous"].eq(1).all()  # queries 2, 3 (query 1's previous is [CLS]: not counted)
    assert roles["self"].eq(0).all() and roles["next"].eq(0).all()
    assert roles["[CLS]"].sub(1 / 3).abs().max() < 1e-6  # query 1 of 3 looks at [CLS]
    sep = torch.zeros(5, 5)
    sep[:, 4] = 1
    assert head_roles(toy_run(sep))["[SEP]"].eq(1).all()
    same = torch.zeros(5, 5)
    same[1, 3] = same[3, 1] = 1  # "the" looks at the other "the"
    same[2, 2] = same[0, 0] = same[4, 4] = 1
    assert head_roles(toy_run(same))["same word"].eq(1).all()


def test_head_roles_of_the_real_model(model):
    data = load_senses()
    roles = head_roles(model.run(data.repeats))
    assert list(roles) == list(RELATIONS)
    for relation, weight in roles.items():
        assert weight.shape == (6, 12) and weight.min() >= 0 and weight.max() <= 1 + 1e-5, relation
    clear = clearest_heads(roles, 0.5)
    assert all(w >= 0.5 for *_, w in clear) and [w for *_, w in clear] == sorted(
        (w for *_, w in clear), reverse=True
    )
    assert len({(layer, head) for layer, head, *_ in clear}) == len(clear)
    assert {relation for _, _, relation, _ in clear} >= {"previous", "next"}


# --------------------------------------------------------------------------- subspaces


def test_head_sense_accuracy_and_projections(model, bank, bank_run, stored):
    with torch_threads(1):
        acc = head_sense_accuracy(model, bank, bank_run)  # (1 word, 6 layers, 12 heads)
        whole = query_sense_accuracy(model, bank, bank_run)  # (1 word, 6 layers)
    assert acc.shape == (1, 6, 12) and acc.min() >= 0 and acc.max() <= 1 and whole.shape == (1, 6)
    every = torch.tensor([stored["head_accuracy"][w] for w in stored["words"]])  # (5, 6, 12)
    assert every[:, 1:].mean() > every[:, 0].mean() > 0.5  # later layers' queries separate better
    points, senses = head_projections(model, "bank", 4, bank, bank_run)
    assert points.shape == (12, 40, 2) and senses.tolist() == [0] * 20 + [1] * 20
    assert torch.allclose(points.mean(1), torch.zeros(12, 2), atol=1e-4)  # centred: PCA
    assert hasattr(sense_run, "cache_info")  # the full run is made once per model and process


def test_random_projections_and_head_outputs(model, bank, bank_run):
    with torch_threads(1):
        random = random_projection_accuracy(model, bank, bank_run)  # (1, 6, 12)
        again = random_projection_accuracy(model, bank, bank_run)
        other = random_projection_accuracy(model, bank, bank_run, n=3, seed=1)
        outputs = head_output_accuracy(model, bank, bank_run)  # (1, 6, 12)
    assert random.shape == outputs.shape == (1, 6, 12) and other.shape == (1, 6, 3)
    assert torch.equal(random, again)  # seeded: the same projections every call
    assert random.min() >= 0 and random.max() <= 1 and outputs.min() >= 0 and outputs.max() <= 1
    assert random[0, 1:].mean() > random[0, 0].mean()  # after a layer, any 32-d view separates


def test_retrained_probe_and_pair_cosines(model, bank, bank_run, ablation):
    with torch_threads(1):
        full = retrained_probe(model, torch.ones(6, 12), bank, bank_run)
        none = retrained_probe(model, torch.zeros(6, 12), bank, bank_run)
    assert full["probe_accuracy"] == full["probe_accuracy/bank"] == ablation.full["probe_accuracy"]
    assert full["probe_confidence"] == pytest.approx(ablation.full["probe_confidence"], abs=1e-6)
    assert 0.5 <= none["five_fold_accuracy"] < full["five_fold_accuracy"]
    cos = pair_cosines(model)
    assert [len(cos[k]) for k in ("paraphrase", "unrelated", "swapped")] == [32, 32, 10]
    assert cos["paraphrase"].mean() - cos["unrelated"].mean() == pytest.approx(
        ablation.full["gap"], abs=1e-4
    )


# --------------------------------------------------------------------------- ablation


def test_similarity_scores():
    first = torch.eye(4)
    second = torch.stack([torch.eye(4)[0], torch.eye(4)[1], torch.eye(4)[3], torch.eye(4)[2]])
    scores = similarity_scores(first, second, 2)  # pairs 0, 1 identical; 2, 3 orthogonal
    assert scores == {"auc": 1.0, "gap": 1.0, "retrieval": 1.0}


def test_ablation_from_cached_inputs_equals_a_full_rerun(model, ablation):
    full = ablation.evaluate()
    assert full == ablation.evaluate(torch.ones(6, 12))
    assert set(full) == {"probe_accuracy", "probe_confidence", "auc", "gap", "retrieval",
                         "probe_accuracy/bank", "probe_confidence/bank"}  # fmt: skip
    assert full["probe_accuracy"] == full["probe_accuracy/bank"] == 1.0
    assert full["auc"] >= 0.95 and full["gap"] > 0.5
    mask = torch.ones(6, 12)
    mask[4, 3] = 0
    with torch_threads(1):
        cached = ablation.remove_one(4, 3)
        with torch.no_grad():  # from layer 0 instead of from layer 4's stored input
            hidden, _ = model.encode(ablation.inputs[0], ablation.lengths, mask)
        rerun = ablation.measure(hidden[-1])
        nothing = ablation.evaluate(torch.zeros(6, 12))
    assert cached.keys() == rerun.keys()
    assert all(abs(cached[k] - rerun[k]) < 1e-5 for k in cached)
    assert nothing["gap"] < full["gap"] and nothing["probe_accuracy"] <= full["probe_accuracy"]


def test_ablation_of_chosen_words_without_pairs(model, bank_run):
    small = Ablation(model, words=["bank"], pairs=False, run=bank_run)
    assert set(small.full) == {"probe_accuracy", "probe_confidence", "probe_accuracy/bank",
                               "probe_confidence/bank"}  # fmt: skip
    assert small.n_test == 8 and small.importance().keys() == {"senses"}
    with pytest.raises(ValueError, match="run holds 40 sentences, not the 40 sense sentences of"):
        Ablation(model, words=["bat"], pairs=False, run=bank_run)


def test_importance_and_keep_top(ablation):
    importance = ablation.importance()
    assert set(importance) == {"senses", "similarity"}
    for score in importance.values():
        assert (
            score.shape == (6, 12)
            and torch.isfinite(score).all()
            and score.min() >= 0
            and score.max() > 0
        )
    mask = ablation.keep_top(3, importance["similarity"])
    assert mask.sum(1).tolist() == [3.0] * 6
    assert (
        (importance["similarity"] * mask)
        .sum(1)
        .ge((importance["similarity"] * (1 - mask)).max(1).values)
        .all()
    )
    assert ablation.keep_top(12, importance["senses"]).eq(1).all()
    with pytest.raises(ValueError, match="k=13 must be a whole number from 0 to 12"):
        ablation.keep_top(13, importance["senses"])


# ------------------------------------------------------------------------ the stored measurements


def test_stored_measurements_regenerate_for_one_word(model, bank, bank_run, stored):
    """A cheap part of assets/minilm_measurements.json, measured again: bank's share of every
    table (a word's sentences give the same numbers alone as inside all 200), the head roles
    of the sentences with a noun twice, and the swapped pairs. The rest takes minutes:
    python -m helpers.senses --out assets/minilm_measurements.json."""
    with torch_threads(1):
        ladder_now = ladder_part(model, bank, bank_run)
        subspaces_now = subspace_part(model, bank, bank_run)
        small = Ablation(model, words=["bank"], pairs=False, run=bank_run)
        removed = small.remove_one(5, 6)
        repeats = roles_part(model.run(load_senses().repeats))
        swapped = swapped_part(model)
        retrained = retrained_probe(model, torch.zeros(6, 12), bank, bank_run)
    assert {s: row["bank"] for s, row in ladder_now.items()} == {
        s: row["bank"] for s, row in stored["ladder"].items()
    }
    assert roles_part(bank_run) == stored["roles_by_word"]["bank"]
    assert subspaces_now["head_accuracy"]["bank"] == stored["head_accuracy"]["bank"]
    assert subspaces_now["query_accuracy"]["bank"] == stored["query_accuracy"]["bank"]
    for key in ("random_accuracy", "head_output_accuracy"):
        assert subspaces_now[key]["bank"] == stored[key]["bank"]
    for key, value in retrained.items():
        if key.endswith("/bank"):
            assert round(value, 4) == stored["ablation"]["no_attention_retrained"][key], key
    one = stored["ablation"]["one_at_a_time"]
    for key in ("probe_accuracy", "probe_confidence"):
        assert round(small.full[key], 4) == stored["ablation"]["full"][f"{key}/bank"]
        assert round(removed[key], 4) == one[f"{key}/bank"][5][6]
    assert repeats == stored["roles_on_repeats"]
    assert swapped == stored["swapped"]
    assert [s["cosine"] for s in swapped] == stored["pair_cosines"]["full"]["swapped"]


def test_stored_measurements_are_whole_and_consistent(stored):
    text = asset_path("minilm_measurements.json").read_text(encoding="utf-8")
    assert format_measurements(stored) == text  # the file is in the generator's own format
    assert COMMAND in stored["about"] and stored["stages"] == STAGES
    assert stored["relations"] == list(RELATIONS) and list(stored["roles"]) == list(RELATIONS)
    words = list(stored["words"])
    ablation = stored["ablation"]
    for key in ("probe_accuracy", "probe_confidence"):  # pooled = the mean of the words'
        pooled = sum(ablation["full"][f"{key}/{w}"] for w in words) / len(words)
        assert ablation["full"][key] == pytest.approx(pooled, abs=1e-4)
        table = torch.tensor(ablation["one_at_a_time"][key])
        words_mean = torch.tensor([ablation["one_at_a_time"][f"{key}/{w}"] for w in words]).mean(0)
        assert torch.allclose(table, words_mean, atol=1e-4)
    keep = ablation["keep_top"]
    assert keep["k"] == list(range(13)) and set(keep) - {"k"} == {
        "importance for the senses", "importance for similarity", "random order"
    }  # fmt: skip
    for ranking in set(keep) - {"k"}:  # keeping all 12 heads per layer is the full model
        assert keep[ranking]["gap"][-1] == ablation["full"]["gap"]
    assert all(0 <= v <= 1 for row in stored["head_accuracy"]["bank"] for v in row)

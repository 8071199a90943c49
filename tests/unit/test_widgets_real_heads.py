"""helpers.widgets.real_heads: notebook 08's explorers on the real model, driven headless."""

import re

import pytest
import torch

from helpers.senses import head_sense_accuracy, load_senses
from helpers.widgets import Explorer
from helpers.widgets.real_heads import EXAMPLE, head_explorer, sense_subspace_explorer


@pytest.fixture(scope="module")
def model(minilm):  # tests/unit/conftest.py: loaded once per session, with bank_run
    return minilm


def big_map(ex):
    return torch.tensor(ex.figure.data[0].z)


def test_head_explorer_draws_the_picked_head_and_runs_once_per_sentence(model):
    ex = head_explorer(model)
    assert isinstance(ex, Explorer) and ex.last_error is None
    assert ex.values() == {"text": EXAMPLE, "layer": 0, "head": 0}
    assert ex.text.continuous_update is False
    assert (ex.layer.max, ex.head.max) == (5, 11)
    tokens, weights = ex.data(EXAMPLE)
    assert len(tokens) == 12 and list(weights.shape) == [6, 12, 12, 12]
    assert ex.figure.layout.meta["tokens"] == tokens and ex.data.runs == 1
    ex.layer.value = 3
    ex.head.value = 7
    assert ex.figure.layout.meta["layer"] == 3 and ex.figure.layout.meta["head"] == 7
    assert torch.allclose(big_map(ex), weights[3, 7], atol=0.005)
    assert ex.data.runs == 1  # moving layer and head only draws
    ex.text.value = "A bat flew out of the cave."
    assert ex.data.runs == 2 and ex.figure.layout.meta["tokens"][2] == "bat"
    assert ex.figure.layout.meta["layer"] == 3  # the picked head stays
    ex.text.value = EXAMPLE
    assert ex.data.runs == 2  # seen before: not run again
    run = model.run([EXAMPLE])
    assert torch.equal(ex.data(EXAMPLE)[1][3, 7], run.attentions[3][0, 7])


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "the sentence box is empty: type a sentence"),
        ("   ", "the sentence box is empty"),
        ("\x00\x01", "has no token the model knows"),
        ("word " * 600, "602 tokens long .* at most 512 fit"),
        ("word " * 100, "102 tokens long .* draws at most 64 .* shorten it"),
    ],
)
def test_head_explorer_bad_text_shows_why_and_keeps_working(model, text, says):
    ex = head_explorer(model, layer=1, head=2)
    before = ex.figure
    ex.text.value = text
    assert ex.last_error is not None and ex.last_error.startswith("ValueError: ")
    assert re.search(says, ex.last_error), ex.last_error
    assert ex.figure is before  # the last good figure stays
    ex.head.value = 3  # still the bad text: still the message, still the old figure
    assert ex.figure is before and ex.last_error is not None
    ex.text.value = "The river bank was muddy."
    assert ex.last_error is None and ex.error.value == ""
    assert ex.figure.layout.meta["tokens"][3] == "bank" and ex.figure.layout.meta["head"] == 3


def test_head_explorer_refuses_bad_settings(model):
    with pytest.raises(ValueError, match="the sentence box is empty"):
        head_explorer(model, "")
    with pytest.raises(ValueError, match=r"layer=6, head=0: choose layer in 0…5"):
        head_explorer(model, layer=6)


def test_sense_subspace_explorer_draws_the_word_in_every_head(model, bank_run):
    ex = sense_subspace_explorer(model, "bank", 2, runs={"bank": bank_run})
    assert isinstance(ex, Explorer) and ex.data.runs == 0  # the run handed over is used
    assert list(ex.word.options) == ["bank", "bat", "spring", "match", "light"]
    assert ex.figure.layout.meta["word"] == "bank" and ex.figure.layout.meta["layer"] == 2
    sub = load_senses().only("bank")
    accuracy = head_sense_accuracy(model, sub, bank_run)[0]  # (6, 12)
    assert ex.figure.layout.meta["accuracy"] == [round(a, 4) for a in accuracy[2].tolist()]
    assert len(ex.figure.data) == 1 + 2 and ex.figure.data[1].name == "bank = river"
    assert len(ex.figure.data[0].x) == 12 * 40  # every head's 40 points
    ex.layer.value = 5
    assert ex.figure.layout.meta["accuracy"] == [round(a, 4) for a in accuracy[5].tolist()]
    assert ex.data.runs == 0
    ex.word.value = "bat"
    assert ex.data.runs == 1 and ex.figure.layout.meta["word"] == "bat"
    assert ex.figure.data[1].name == "bat = animal" and ex.figure.layout.meta["layer"] == 5
    ex.word.value = "bank"
    assert ex.data.runs == 1


def test_sense_subspace_explorer_refuses_bad_settings(model, bank_run):
    with pytest.raises(ValueError, match=r"word='cat', layer=2: choose word from \['bank'"):
        sense_subspace_explorer(model, "cat")
    with pytest.raises(ValueError, match="not over its 40 sense sentences"):
        sense_subspace_explorer(model, runs={"bat": bank_run})

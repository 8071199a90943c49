"""Fixtures several test files share: the real model (all-MiniLM-L6-v2) and one word's run over
its 40 sense sentences, made once per test session.

The model itself loads once per process anyway (``load_minilm`` is cached); the runs are what
cost, under the reproducible arithmetic of the Makefile. They run on one thread, as the
stored measurements (``assets/minilm_measurements.json``) and the notebooks were made, so a
test may compare them with the stored numbers exactly.
"""

import pytest

from helpers.pretrained import load_minilm
from helpers.senses import load_senses
from helpers.threads import torch_threads


@pytest.fixture(scope="session")
def minilm():
    return load_minilm()


@pytest.fixture(scope="session")
def bank():
    """The sense data of "bank" alone: its 40 sentences."""
    return load_senses().only("bank")


@pytest.fixture(scope="session")
def bank_run(minilm, bank):
    """The model over bank's 40 sense sentences (what notebook 08 runs live)."""
    with torch_threads(1):
        return minilm.run(bank.texts)

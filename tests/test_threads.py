"""helpers.threads: a thread count for one block, restored afterwards, even on an error;
setup_notebook: one thread for a whole notebook."""

import pytest
import torch

from helpers.threads import torch_threads


def test_sets_and_restores_the_thread_count():
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_restores_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_refuses_a_bad_count(n):
    with pytest.raises(ValueError, match=r"threads=.* must be a whole number >= 1"):
        with torch_threads(n):
            pass


def test_setup_notebook_uses_one_thread_and_seeds():
    import plotly.io as pio

    from helpers.widgets import setup_notebook

    threads, renderer = torch.get_num_threads(), pio.renderers.default
    try:
        setup_notebook(seed=3)
        assert torch.get_num_threads() == 1
        first = torch.rand(2)
        setup_notebook(seed=3)
        assert torch.equal(torch.rand(2), first)
    finally:
        torch.set_num_threads(threads)
        pio.renderers.default = renderer

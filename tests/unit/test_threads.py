"""helpers.threads: a thread count for a block or a function, restored after it, even on errors."""

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


def test_works_as_a_decorator_too():
    @torch_threads(1)
    def threads_inside():
        return torch.get_num_threads()

    before = torch.get_num_threads()
    assert threads_inside() == 1 and threads_inside() == 1  # a fresh block each call
    assert torch.get_num_threads() == before

"""How many CPU threads torch uses, set for one block of work and restored afterwards.

Small models train fastest on one thread, and one thread sums in the same order on every
machine, so trained numbers repeat run to run (measured here on 2 busy cores: 3 s on one
thread against 60 s on two for notebook 07's toy model).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from helpers.checks import whole_number


@contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)``; put the old count back after.

    A block (``with torch_threads(1): ...``) or a whole function (``@torch_threads(1)``).
    """
    whole_number("threads", n, hint="e.g. 1")
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)

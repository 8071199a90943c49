"""helpers.notebook.setup_notebook: what every notebook's second cell sets."""

import plotly.io as pio
import torch

from helpers.notebook import JUPYTER_RENDERER, setup_notebook


def test_setup_notebook_uses_one_thread_seeds_and_plotlys_mimetype():
    threads, renderer = torch.get_num_threads(), pio.renderers.default
    try:
        setup_notebook(seed=3)
        assert torch.get_num_threads() == 1
        assert pio.renderers.default == JUPYTER_RENDERER  # outside Colab
        first = torch.rand(2)
        setup_notebook(seed=3)
        assert torch.equal(torch.rand(2), first)
    finally:
        torch.set_num_threads(threads)
        pio.renderers.default = renderer

"""The set-up of every notebook's second cell: seeds, threads, printing, plotly's renderer."""

from __future__ import annotations

import random

import plotly.io as pio
import torch

from helpers.colab import in_colab

# In JupyterLab plotly's own mimetype renders through the extension that ships with
# plotly; plotly's default adds the whole plotly.js bundle (~4 MB) as HTML to the first
# figure, which stored notebooks must not carry. Colab keeps its own "colab" renderer for
# figures a cell shows; an explorer draws through its own Colab path (helpers.widgets.base).
JUPYTER_RENDERER = "plotly_mimetype"


def setup_notebook(seed: int = 0) -> None:
    """Seed every generator, use one CPU thread, pick the plotly renderer, round printed tensors.

    One thread because every tensor in the series is tiny: one thread is faster than
    several for them (no hand-offs between threads), and it sums in the same order on
    every machine, so trained numbers repeat run to run.
    """
    random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.set_printoptions(precision=4, sci_mode=False)
    if not in_colab():
        pio.renderers.default = JUPYTER_RENDERER

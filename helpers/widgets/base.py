"""The one way the series writes an explorer.

An explorer is a factory function that returns an :class:`Explorer`::

    def cost_explorer(n=32, d_model=512, h=8) -> Explorer:
        attention_cost(n, d_model, h)                    # bad input: a clear ValueError now
        controls = {"n": IntSlider(...), "d_model": SelectionSlider(...),
                    "h": heads_slider(d_model, h)}

        def build(n, d_model, h):                        # numbers from the model layer,
            return cost_breakdown_figure(attention_cost(n, d_model, h))  # the picture: a builder

        return Explorer(controls, build, sync=heads_follow(controls["d_model"], controls["h"]))

What the factory computes once (a model's run, a table) it does before building the
explorer, and passes as ``data`` when the notebook needs to read it (``ex.data``); the
``build`` callback only looks numbers up and draws. Its controls are attributes named after
the quantity they set (``ex.h``, ``ex.d_model``), ``ex.figure`` is the figure shown now, and
setting a control's ``value`` (a slider, or code) rebuilds it.

Why not ``ipywidgets.interactive``: it gives controls and an output area, but when the
function raises it replaces the picture with a traceback, it does not offer a hook to keep
controls consistent (``h`` must divide ``d_model``), and it displays through the same
output path that Colab's output frame breaks. :class:`Explorer` keeps the last good figure
on an error (the message shows above it), runs ``sync`` before each rebuild, and shows each
figure through :func:`show_figure`, the one place that knows where the notebook runs.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable

import ipywidgets as widgets
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import HTML, display
from ipywidgets.widgets.trait_types import TypedTuple
from plotly.offline import get_plotlyjs_version
from traitlets import Dict

from helpers.attention import check_heads, nearest_heads, valid_heads
from helpers.colab import in_colab

__all__ = [
    "Explorer",
    "FigureOutput",
    "show_figure",
    "colab_figure_html",
    "d_model_slider",
    "heads_slider",
    "heads_follow",
]


class FigureOutput(widgets.Output):
    """The ``Output`` an explorer shows its figure in, without the echo of what it shows.

    JupyterLab's Output view sends every output it shows back to the kernel (the ``outputs``
    state), and ipywidgets 8's kernel echoes each such update back to the page (protocol
    2.1's ``echo_update``): per redraw the old figure (with the PNG jupyterlab-plotly adds to
    it, ~100 KB) and the new one went page -> kernel -> page, and the page parsed and compared
    both again. Nothing reads that echo here (the kernel never reads or sets ``outputs``: it
    shows each figure through captured display messages), so this Output does not ask for
    it. ipywidgets 7 (Colab) has no echo; the tag does nothing there.
    """

    outputs = TypedTuple(trait=Dict(), help="The output messages synced from the frontend.").tag(
        sync=True, echo_update=False
    )


# What a redraw costs in JupyterLab 4 (ipywidgets 8, jupyterlab-plotly of plotly 7), measured
# in headless Chromium: every new figure is a new plot. The Output widget's front end drops
# update_display_data (so display(..., display_id=True) + .update() does nothing inside it),
# and jupyterlab-plotly's renderer never redraws a graph it has drawn (its renderModel returns
# at once), so nothing can update a drawn figure in place through this path. After drawing,
# the renderer also makes a PNG of the figure (Plotly.toImage: a second full draw, run before
# the browser paints) and on its next update request redraws it once more. A redraw is fast
# when plotly draws the figure fast: few subplots, and margins it need not grow
# (``base_layout(margin=...)``: automargin would draw the figure twice).
def show_figure(out: widgets.Output, figure: go.Figure, first: bool) -> None:
    """Show ``figure`` in the explorer's output area, replacing the one shown before.

    JupyterLab (and nbval, ``make notebooks``): plotly's mimetype, which the plotly extension
    draws and which a stored notebook keeps (``helpers.notebook.setup_notebook`` picks it).
    Colab: :func:`colab_figure_html`, for the reason given there.
    """
    with out:
        if not first:
            out.clear_output(wait=True)
        display(HTML(colab_figure_html(figure)) if in_colab() else figure)


# Why Colab needs its own path (googlecolab/colabtools#5889, open; also colabtools#1458,
# plotly.py#4163, ipywidgets#3760): Colab's output frame inserts an output's HTML and then
# re-creates each <script>. The one that loads plotly.js from the CDN (plotly's "colab"
# renderer writes it) runs asynchronously; the inline Plotly.newPlot(...) runs at once, before
# plotly.js exists: inside an Output widget the figure stays blank, "Uncaught ReferenceError:
# Plotly is not defined". The path chosen: one inline script that depends on no order. It
# draws at once when plotly.js is there, else adds (once per frame) the same CDN script and
# draws when it has loaded. Not an <iframe srcdoc> per figure: each redraw would parse the
# 3.5 MB plotly.js again and the frame would need a fixed height; not FigureWidget or an
# anywidget view: FigureWidget is unreliable in Colab, and both would add a widget front end
# that must load before anything shows. tests/colab/check_output_frame.py proves both paths.
_COLAB_FIGURE = """\
<div id="{id}" class="plotly-graph-div" style="width:{width};height:{height}"></div>
<script>
(function () {{
  var src = "{src}", figure = {figure};
  figure.config = {{responsive: true}};
  function draw() {{
    var div = document.getElementById("{id}");
    if (div) window.Plotly.newPlot(div, figure);
  }}
  if (window.Plotly) return draw();
  var tag = document.querySelector('script[src="' + src + '"]');
  if (!tag) {{
    tag = document.createElement("script");
    tag.charset = "utf-8";
    tag.src = src;
    document.head.appendChild(tag);
  }}
  tag.addEventListener("load", draw);
}})();
</script>"""


def colab_figure_html(figure: go.Figure) -> str:
    """``figure`` as HTML that draws in Colab's output frame whatever order its scripts run in:
    plotly.js (the version of the installed plotly, from plotly's CDN, as plotly's own
    "colab" renderer loads it) is added once per frame and the figure drawn when it is there."""
    layout = figure.layout
    return _COLAB_FIGURE.format(
        id=f"eight-heads-{uuid.uuid4()}",
        width=f"{layout.width}px" if layout.width else "100%",
        height=f"{layout.height or 450}px",
        src=f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js",
        # plotly's JSON writes <, > and / in strings as \u escapes: no text ends the script
        figure=pio.to_json(figure, validate=False),
    )


class Explorer(widgets.VBox):
    """Controls wired to a figure builder ``build(**values) -> go.Figure``.

    ``controls`` maps names to widgets; the names become attributes and the keyword
    arguments of ``build``. ``sync(change)`` runs before each rebuild so the factory can keep
    controls consistent (e.g. offer only the h that divide d_model). A builder that raises
    leaves the last good figure in place and shows the error text in ``ex.error``.
    ``data`` is what the explorer draws from, for the notebook to read (``ex.data``).
    """

    def __init__(
        self,
        controls: dict[str, widgets.Widget],
        build: Callable[..., go.Figure],
        *,
        sync: Callable[[dict], None] | None = None,
        data: object = None,
    ):
        self._controls = dict(controls)
        self._build = build
        self._sync = sync
        self._syncing = False
        self.data = data
        self.figure: go.Figure | None = None
        self.last_error: str | None = None
        self.error = widgets.HTML(value="")
        self.out = FigureOutput()
        for name, control in self._controls.items():
            setattr(self, name, control)
            control.observe(self._on_change, names="value")
        super().__init__(
            children=[
                # wrap: five sliders in one row would squeeze their tracks too narrow to drag
                widgets.HBox(
                    list(self._controls.values()), layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.error,
                self.out,
            ]
        )
        self.refresh()

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self._controls.items()}

    def _on_change(self, change: dict) -> None:
        if self._syncing:  # a change made by sync itself: sync is already running
            return
        if self._sync is not None:
            self._syncing = True
            try:
                self._sync(change)
            except Exception as exc:  # keep the explorer alive, say what went wrong
                self._show_error(exc)
                return
            finally:
                self._syncing = False
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the figure from the current control values and show it."""
        try:
            figure = self._build(**self.values())
        except Exception as exc:  # keep the explorer alive, say what went wrong
            self._show_error(exc)
            return
        self.last_error = None
        self.error.value = ""
        first = self.figure is None
        self.figure = figure
        show_figure(self.out, figure, first)

    def _show_error(self, exc: Exception) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        self.error.value = (
            '<pre style="color:#b00020;white-space:pre-wrap">'
            + html.escape(self.last_error)
            + "</pre>"
        )

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"{type(self).__name__}({settings})  [run the notebook to move the controls]"


# --------------------------------------------------------------------------- head count


def d_model_slider(d_model: int, choices: list[int]) -> widgets.SelectionSlider:
    """A ``d_model`` slider over ``choices``, with ``d_model`` among them if it was not."""
    return widgets.SelectionSlider(
        options=sorted(set(choices) | {d_model}),
        value=d_model,
        description="d_model",
        continuous_update=False,
    )


def heads_slider(d_model: int, h: int) -> widgets.SelectionSlider:
    """An ``h`` slider that offers exactly the head counts that divide ``d_model``."""
    check_heads(d_model, h)  # a clear ValueError instead of a TraitError
    return widgets.SelectionSlider(
        options=valid_heads(d_model), value=h, description="h", continuous_update=False
    )


def heads_follow(d_model: widgets.Widget, h: widgets.Widget) -> Callable[[dict], None]:
    """A ``sync`` hook: when ``d_model`` changes, ``h`` offers its divisors and keeps its
    value if it still divides, else moves to the nearest one that does."""

    def sync(change: dict) -> None:
        if change["owner"] is not d_model:
            return
        keep = nearest_heads(d_model.value, h.value)
        h.options = valid_heads(d_model.value)
        h.value = keep

    return sync

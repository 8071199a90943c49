"""The one protocol every explorer follows.

An explorer is an ipywidgets box you can display. Its controls are attributes named
after the quantity they set (``ex.h``, ``ex.d_model``, ...), ``ex.figure`` is the plotly
figure it shows now, and setting a control's ``value`` rebuilds ``ex.figure`` from a pure
figure builder. The figure is shown with the portable pattern from DESIGN.md
(``Output`` + ``display``), which works with ipywidgets 7 (Colab) and 8 (JupyterLab).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from contextlib import contextmanager

import ipywidgets as widgets
import plotly.graph_objects as go
from IPython.display import display

from helpers.attention import check_heads, nearest_heads, valid_heads


class Explorer(widgets.VBox):
    """Controls wired to a figure builder ``build(**values) -> go.Figure``.

    Subclasses pass their controls (name -> widget); the names become attributes and the
    keyword arguments of ``build``. ``sync(change)`` is called before each rebuild so a
    subclass can keep controls consistent (e.g. offer only the h that divide d_model).
    A builder that raises leaves the last good figure in place and shows the error text
    in ``ex.error`` instead of breaking the explorer.
    """

    def __init__(
        self,
        controls: dict[str, widgets.Widget],
        build: Callable[..., go.Figure],
        *,
        sync: Callable[[dict], None] | None = None,
    ):
        self._controls = dict(controls)
        self._build = build
        self._sync = sync
        self._holding = False
        self._syncing = False
        self.figure: go.Figure | None = None
        self.last_error: str | None = None
        self.error = widgets.HTML(value="")
        self.out = widgets.Output()
        for name, control in self._controls.items():
            setattr(self, name, control)
            control.observe(self._on_change, names="value")
        super().__init__(
            children=[
                # wrap: five sliders in one row would squeeze their tracks too narrow to drag
                widgets.HBox(list(self._controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                self.error,
                self.out,
            ]
        )
        self.refresh()

    # -- values and updates -------------------------------------------------------------

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self._controls.items()}

    @contextmanager
    def hold(self):
        """Change several controls without a rebuild per change; one rebuild at the end."""
        outer = self._holding
        self._holding = True
        try:
            yield
        finally:
            self._holding = outer
        if not outer:
            self.refresh()

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
        if not self._holding:
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
        with self.out:
            if not first:
                self.out.clear_output(wait=True)
            display(figure)

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

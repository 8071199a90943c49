"""What an explorer's figure must show after a slider moves, from the helpers' own code.

The browser test and the benchmark move an explorer's ``h`` or ``d_model`` slider with
the keyboard, read every control's value from the page once the figure has changed, and
wait until the figure shows the text below for those values: for the shape walk, the title and
every stage label that ``helpers.figures.shapes.shape_walk_figure`` itself produces
(e.g. ``[3, 4, 4, 4]  cut into heads``); for the subspace explorer, the title and one
panel title per head. An explorer is recognised by its figure's title.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def _texts(fig) -> list[str]:
    """The first line of each text a figure draws that names its state: title, ticks."""
    texts = [fig.layout.title.text or ""]
    texts += [a.text for a in fig.layout.annotations or () if a.text]
    for axis in ("yaxis", "xaxis"):
        texts += [str(t) for t in getattr(fig.layout, axis).ticktext or ()]
    return [t.split("<br>")[0] for t in texts if t]


def shape_walk(values: dict[str, str]) -> list[str]:
    """``helpers.widgets.shapes`` explorer: what its builder draws for the values shown."""
    from helpers.figures.shapes import shape_walk_figure
    from helpers.shape_walk import shape_walk

    walk = shape_walk(*(int(values[k]) for k in ("batch", "seq_len", "d_model", "h")))
    return _texts(shape_walk_figure(walk, colour_by=values.get("colour_by", "token")))


def subspace(values: dict[str, str]) -> list[str]:
    """``helpers.widgets.subspace`` explorer: one panel per head, d_k = d_model / h."""
    h, d_model = int(values["h"]), int(values["d_model"])
    return [f"h = {h} heads, d_k = {d_model // h}:", *(f"head {j}:" for j in range(h))]


# figure title (as drawn) -> what the figure must show for the controls' values
EXPECTED: dict[re.Pattern, Callable[[dict[str, str]], list[str]]] = {
    re.compile(r"^Shape walk: d_model="): shape_walk,
    re.compile(r"^h = \d+ heads, d_k = \d+: keys"): subspace,
}


def expected_for(title: str):
    """The expectation for the explorer whose figure has this title, or None if unknown."""
    return next((f for pattern, f in EXPECTED.items() if pattern.search(title.strip())), None)


# JavaScript: the explorer box (the nearest VBox) around a control, its controls' values
# by description (sliders: readout; toggle buttons: the active one; dropdowns: selection)
# and its figure's title.
EXPLORER_OF = "xpath=ancestor::div[contains(@class, 'widget-vbox')][1]"
CONTROLS = """(explorer) => {
    const values = {};
    for (const box of explorer.querySelectorAll(
            ".widget-slider, .widget-toggle-buttons, .widget-dropdown")) {
        const label = box.querySelector(".widget-label");
        if (!label) continue;
        const readout = box.querySelector(".widget-readout");
        const active = box.querySelector(".mod-active");
        const select = box.querySelector("select");
        const value = readout ? readout.textContent
            : active ? active.textContent
            : select ? select.options[select.selectedIndex]?.textContent : undefined;
        values[label.textContent.trim()] = value === undefined ? undefined : value.trim();
    }
    return values;
}"""
TITLE = "(ex) => ex.querySelector('.js-plotly-plot .gtitle')?.textContent || ''"

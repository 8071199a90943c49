"""What an explorer's figure must show after a control moves, from the helpers' own code.

The browser test and the benchmark move an explorer's controls as a learner does (a slider
with the keyboard, a toggle button clicked, a dropdown's option picked, a sentence typed and
sent with Enter), read every control's value from the page once the figure has changed, and
wait until the figure shows the text below for those values. For the shape walk that is the
title and every stage label ``helpers.figures.shapes.shape_walk_figure`` itself produces
(e.g. ``[3, 4, 4, 4]  cut into heads``); for the subspace explorer the title and one panel
title per head; for the others the text their builder writes from the values (a title, a
panel's title, the tokens of a typed sentence). An explorer is recognised by its figure's
title; each entry names the factory that makes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


def _texts(fig) -> list[str]:
    """The first line of each text a figure draws that names its state: title, ticks."""
    texts = [fig.layout.title.text or ""]
    texts += [a.text for a in fig.layout.annotations or () if a.text]
    for axis in ("yaxis", "xaxis"):
        texts += [str(t) for t in getattr(fig.layout, axis).ticktext or ()]
    return [t.split("<br>")[0] for t in texts if t]


def shape_walk(values: dict[str, str]) -> list[str]:
    """``shape_explorer``: what its builder draws for the values shown."""
    from helpers.figures.shapes import shape_walk_figure
    from helpers.shape_walk import shape_walk

    walk = shape_walk(*(int(values[k]) for k in ("batch", "seq_len", "d_model", "h")))
    return _texts(shape_walk_figure(walk, colour_by=values.get("colour_by", "token")))


def subspace(values: dict[str, str]) -> list[str]:
    """``subspace_explorer``: one panel per head, d_k = d_model / h, in the space picked, and
    the tokens of the held-out example picked (each point is labelled)."""
    from helpers.tasks.two_rule import held_out_batch, token_label
    from helpers.widgets.subspace import N_EXAMPLES, SPACES

    h, d_model = int(values["h"]), int(values["d_model"])
    what = "keys" if values.get("space", SPACES[0]) == SPACES[0] else "values"
    tokens = held_out_batch(N_EXAMPLES).tokens[int(values.get("example", 0))]
    return [
        f"h = {h} heads, d_k = {d_model // h}: {what}",
        *(f"head {j}:" for j in range(h)),
        *sorted({token_label(t) for t in tokens.tolist()}),
    ]


def one_hot(values: dict[str, str]) -> list[str]:
    """``one_hot_explorer``: the word picked, in the title and the top panel's title."""
    word = values["word"]
    return [f"'{word}' as a one-hot vector", f"one-hot vector of '{word}'"]


def word2vec(values: dict[str, str]) -> list[str]:
    """``word2vec_explorer``: the size, the view and the word, in the title."""
    return [f"dim={values['dim']}, PCA {values['view']}: '{values['word']}' →"]


def sqrt_dk(values: dict[str, str]) -> list[str]:
    """``sqrt_dk_explorer``: the d_k picked, in the title."""
    return [f"Why divide by √d_k: at d_k={values['d_k']} the unscaled scores"]


def attention(values: dict[str, str]) -> list[str]:
    """``attention_explorer``: the head picked, in the title and both panels' titles."""
    head = values["head"]
    return [
        f"What head {head} attends to",
        f"head {head}: attention weights",
        f"head {head}: Q and K points",
    ]


def cost(values: dict[str, str]) -> list[str]:
    """``cost_explorer``: n, d_model, h and d_k in the title."""
    n, d_model, h = (int(values[k]) for k in ("n", "d_model", "h"))
    return [f"n = {n}, d_model = {d_model}, h = {h} (d_k = {d_model // h})"]


def encoder(values: dict[str, str]) -> list[str]:
    """``encoder_explorer``: the layer and head picked, over the large map."""
    return [f"layer {values['layer']}, head {values['head']}"]


def words_of(sentence: str) -> list[str]:
    """The words of a sentence as the uncased WordPiece model shows them (whole words only)."""
    return re.findall(r"[a-z]+", sentence.lower())


def head_grid(values: dict[str, str]) -> list[str]:
    """08 ``head_explorer``: the layer and head in the title, the sentence's tokens on its axes."""
    return [
        f"Layer {values['layer']}, head {values['head']}: where each token looks",
        *words_of(values["sentence"]),
    ]


def sense_subspaces(values: dict[str, str]) -> list[str]:
    """08 ``sense_subspace_explorer``: the word and the layer, in the title."""
    return [f"“{values['word']}” in", f"layer {values['layer']}: its query vector"]


@dataclass(frozen=True)
class Known:
    name: str  # the helpers.widgets factory that makes it
    expected: Callable[[dict[str, str]], list[str]]


# figure title (as drawn) -> the explorer and what its figure must show for the controls' values
EXPECTED: dict[re.Pattern, Known] = {
    re.compile(r"^'.+' as a one-hot vector"): Known("one_hot_explorer", one_hot),
    re.compile(r"^dim=\d+, PCA [23]-D: "): Known("word2vec_explorer", word2vec),
    re.compile(r"^Why divide by √d_k: at d_k="): Known("sqrt_dk_explorer", sqrt_dk),
    re.compile(r"^What head \d+ attends to"): Known("attention_explorer", attention),
    re.compile(r"^Shape walk: d_model="): Known("shape_explorer", shape_walk),
    re.compile(r"^h = \d+ heads, d_k = \d+: (keys|values)"): Known("subspace_explorer", subspace),
    re.compile(r"^n = \d+, d_model = \d+, h = \d+ "): Known("cost_explorer", cost),
    re.compile(r"^One attention map, and where it sits"): Known("encoder_explorer", encoder),
    re.compile(r"^Layer \d+, head \d+: where each token looks"): Known("head_explorer", head_grid),
    re.compile(r"^“.+” in \d+ sentences, layer \d+"): Known(
        "sense_subspace_explorer", sense_subspaces
    ),
}


def known(title: str) -> Known | None:
    """The explorer whose figure has this title, or None if unknown."""
    return next((k for pattern, k in EXPECTED.items() if pattern.search(title.strip())), None)


def expected_for(title: str):
    """The expectation for the explorer whose figure has this title, or None if unknown."""
    found = known(title)
    return found.expected if found else None


# JavaScript: the explorer box (the nearest VBox) around a control, its controls' values
# by description (sliders: readout; toggle buttons: the active one; dropdowns: selection;
# text boxes: their text) and its figure's title.
EXPLORER_OF = "xpath=ancestor::div[contains(@class, 'widget-vbox')][1]"
CONTROLS = """(explorer) => {
    const values = {};
    for (const box of explorer.querySelectorAll(
            ".widget-slider, .widget-toggle-buttons, .widget-dropdown, .widget-text")) {
        const label = box.querySelector(".widget-label");
        if (!label) continue;
        const readout = box.querySelector(".widget-readout");
        const active = box.querySelector(".mod-active");
        const select = box.querySelector("select");
        const input = box.querySelector("input");
        const value = readout ? readout.textContent
            : active ? active.textContent
            : select ? select.options[select.selectedIndex]?.textContent
            : input ? input.value : undefined;
        values[label.textContent.trim()] = value === undefined ? undefined : value.trim();
    }
    return values;
}"""
TITLE = "(ex) => ex.querySelector('.js-plotly-plot .gtitle')?.textContent || ''"

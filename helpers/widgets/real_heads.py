"""The explorers of notebook 08, on the real model (all-MiniLM-L6-v2):

- :func:`head_explorer`: type any sentence, pick a layer and a head; that head's attention
  map beside all 72. The model runs once per sentence (when the text changes); moving layer
  or head only draws.
- :func:`sense_subspace_explorer`: pick a two-sense word and a layer; the word's query vector
  in each of the layer's 12 head subspaces, coloured by sense, with each head's measured
  sense separation. A word's 40 sentences run once, when it is first picked.

Numbers come from :mod:`helpers.pretrained` and :mod:`helpers.senses`, pictures from
:mod:`helpers.figures.real_heads`.
"""

from __future__ import annotations

from collections import OrderedDict

import ipywidgets as widgets
import torch

from helpers.figures.real_heads import head_grid_figure, head_subspaces_figure
from helpers.pretrained import EMBED_MAX_TOKENS, MAX_TOKENS, MiniLM, Run
from helpers.senses import SenseData, head_projections, head_sense_accuracy, load_senses
from helpers.widgets.base import Explorer

__all__ = [
    "EXAMPLE",
    "DRAW_LIMIT",
    "SentenceAttention",
    "head_explorer",
    "WordSubspaces",
    "sense_subspace_explorer",
]

EXAMPLE = "The bank raised its interest rates again this spring."  # 12 tokens
DRAW_LIMIT = 64  # tokens the head explorer draws: 72 maps of T × T numbers in one figure


class SentenceAttention:
    """The model's attention weights per sentence, each sentence run once and kept.

    ``cache(text) -> (tokens, weights [n_layers, h, T, T])``; ``cache.runs`` counts the model
    runs so far. Text the explorer cannot draw is a ValueError that says what to do:
    empty, over the model's 512 positions, or over ``max_tokens`` (too many maps to draw).
    """

    def __init__(self, model: MiniLM, max_tokens: int = DRAW_LIMIT, keep: int = 32):
        self.model = model
        self.max_tokens = max_tokens
        self.keep = keep
        self.runs = 0
        self._cache: OrderedDict[str, tuple[list[str], torch.Tensor]] = OrderedDict()

    def __call__(self, text: str) -> tuple[list[str], torch.Tensor]:
        if text in self._cache:
            self._cache.move_to_end(text)
            return self._cache[text]
        if not isinstance(text, str) or not text.strip():
            raise ValueError(
                f"the sentence box is empty: type a sentence, e.g. {EXAMPLE!r}"
                if isinstance(text, str)
                else f"text must be a string, got {type(text).__name__}"
            )
        T = len(self.model.tokenizer.encode(text).ids)  # with [CLS] and [SEP]
        if T <= 2:
            raise ValueError(
                f"{text[:40]!r} has no token the model knows once normalised (control or "
                "unprintable characters only); type a sentence with a word in it"
            )
        if T > MAX_TOKENS:
            raise ValueError(
                f"the sentence is {T} tokens long ([CLS] and [SEP] included); the model has "
                f"{MAX_TOKENS} positions, so at most {MAX_TOKENS} fit (nothing is cut "
                f"silently; its sentence vectors, model.embed as sentence-transformers, stop at "
                f"{EMBED_MAX_TOKENS}), and this explorer draws at most {self.max_tokens}: "
                "shorten it"
            )
        if T > self.max_tokens:
            raise ValueError(
                f"the sentence is {T} tokens long ([CLS] and [SEP] included); the model reads up "
                f"to {MAX_TOKENS}, but this explorer draws at most {self.max_tokens} (72 maps "
                f"of T × T in one figure): shorten it to {self.max_tokens} tokens or fewer"
            )
        run = self.model.run([text])
        self.runs += 1
        weights = torch.stack(run.attentions)[:, 0]  # (n_layers, h, T, T) the one sentence
        self._cache[text] = (run.tokens[0], weights)
        while len(self._cache) > self.keep:
            self._cache.popitem(last=False)
        return self._cache[text]


def head_explorer(
    model: MiniLM, text: str = EXAMPLE, layer: int = 0, head: int = 0, max_tokens: int = DRAW_LIMIT
) -> Explorer:
    """An :class:`Explorer` over every head of ``model`` on a sentence the learner types.

    Controls: ``ex.text`` (a text box; the model runs when its text changes, on Enter or when
    it loses focus), ``ex.layer`` and ``ex.head``. ``ex.data`` is the
    :class:`SentenceAttention` cache: ``ex.data(ex.text.value)`` gives the tokens and the
    ``[n_layers, h, T, T]`` weights drawn. Text it cannot draw shows the reason above the
    last good figure; the explorer keeps working.
    """
    if layer not in range(model.n_layers) or head not in range(model.h):
        raise ValueError(
            f"layer={layer}, head={head}: choose layer in 0…{model.n_layers - 1} and head in "
            f"0…{model.h - 1}"
        )
    cache = SentenceAttention(model, max_tokens)
    cache(text)  # bad first text: a clear ValueError now

    def build(text: str, layer: int, head: int):
        tokens, weights = cache(text)  # the model runs only for a new text
        return head_grid_figure(weights, tokens, layer, head)

    controls = {
        "text": widgets.Text(
            value=text,
            description="sentence",
            continuous_update=False,
            layout=widgets.Layout(width="95%"),
        ),
        "layer": widgets.IntSlider(
            value=layer, min=0, max=model.n_layers - 1, description="layer",
            continuous_update=False,
        ),
        "head": widgets.IntSlider(
            value=head, min=0, max=model.h - 1, description="head", continuous_update=False
        ),
    }  # fmt: skip
    return Explorer(controls, build, data=cache)


class WordSubspaces:
    """Per two-sense word, its sentences, the model's run over them and each head's measured
    sense-probe accuracy ``[n_layers, h]``; a word is run once, when first asked for.

    ``subspaces.of(word) -> (SenseData of the word, Run, accuracy [n_layers, h])``;
    ``subspaces.runs`` counts the model runs so far.
    """

    def __init__(self, model: MiniLM, data: SenseData | None = None, runs=None):
        self.model = model
        self.data = load_senses() if data is None else data
        self.words = list(self.data.sense_names)
        self.runs = 0
        self._done: dict[str, tuple[SenseData, Run, torch.Tensor]] = {}
        for word, run in (runs or {}).items():
            self._add(word, run)

    def _add(self, word: str, run: Run | None) -> None:
        sub = self.data.only(word)
        if run is None:
            run = self.model.run(sub.texts)
            self.runs += 1
        elif run.sentences != sub.texts:
            raise ValueError(
                f"the run given for {word!r} is not over its {len(sub.texts)} sense sentences; "
                f"pass model.run(load_senses().only({word!r}).texts)"
            )
        accuracy = head_sense_accuracy(self.model, sub, run)[0]  # (n_layers, h)
        self._done[word] = (sub, run, accuracy)

    def of(self, word: str) -> tuple[SenseData, Run, torch.Tensor]:
        if word not in self._done:
            self._add(word, None)
        return self._done[word]


def sense_subspace_explorer(
    model: MiniLM, word: str = "bank", layer: int = 2, runs: dict[str, Run] | None = None
) -> Explorer:
    """An :class:`Explorer`: ``ex.word`` (a two-sense word of ``assets/senses.json``) and
    ``ex.layer``; the word's query vector in each head's subspace of that layer, coloured by
    sense, each panel titled with that head's held-out sense-probe accuracy.

    ``runs`` may hand over runs already made (``{"bank": model.run(...)}``); any other word
    runs its 40 sentences when first picked (about a second). ``ex.data`` is the
    :class:`WordSubspaces` it draws from.
    """
    subspaces = WordSubspaces(model, runs=runs)
    if word not in subspaces.words or layer not in range(model.n_layers):
        raise ValueError(
            f"word={word!r}, layer={layer}: choose word from {subspaces.words} and layer in "
            f"0…{model.n_layers - 1}"
        )

    def build(word: str, layer: int):
        sub, run, accuracy = subspaces.of(word)
        points, senses = head_projections(model, word, layer, sub, run)  # (h, n, 2), (n,)
        return head_subspaces_figure(
            points, senses, sub.sense_names[word], accuracy[layer], word, layer, d_k=model.d_k
        )

    controls = {
        "word": widgets.Dropdown(options=subspaces.words, value=word, description="word"),
        "layer": widgets.IntSlider(
            value=layer, min=0, max=model.n_layers - 1, description="layer",
            continuous_update=False,
        ),
    }  # fmt: skip
    return Explorer(controls, build, data=subspaces)

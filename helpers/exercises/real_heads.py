"""Exercises of notebook 08 (a real pretrained model: all-MiniLM-L6-v2, 6 layers × 12 heads).

- predict: its d_k and the shape of one layer's attention weights for one sentence
  (:func:`check_minilm_shapes`; given a sentence, it counts the tokens with the model's own
  tokenizer, [CLS] and [SEP] included);
- write the code: mean pooling over the real tokens of padded sentences
  (:func:`check_mean_pooling`);
- explorer: which head looks at the previous token (:func:`check_previous_token_head`; it
  measures every head itself, on the shipped sentences in which a noun occurs twice, unless
  it is given a measured ``[n_layers, h]`` table).

Each checker computes its truth itself, so a solution needs no variable of the notebook.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from helpers.attention import MultiHeadSelfAttention, check_heads, padding_mask
from helpers.exercises.core import (
    Mistake,
    Wrong,
    call,
    checker,
    function,
    given,
    judge_shape,
    judge_tensor,
    kind_of,
    returned_none,
    shape,
    whole,
)

__all__ = ["check_minilm_shapes", "check_mean_pooling", "check_previous_token_head"]


def _minilm() -> tuple[int, int, int]:
    """``(n_layers, h, d_model)`` of all-MiniLM-L6-v2, from the config ``helpers.pretrained``
    checks the model against (imported here: the backend need not load for this)."""
    from helpers.pretrained import CONFIG

    keys = ("num_hidden_layers", "num_attention_heads", "hidden_size")
    return tuple(CONFIG[key] for key in keys)


# --------------------------------------------------------------------------- predict


def _weights_shape(T: int, d_model: int, h: int) -> list[int]:
    """The weights one layer of width ``d_model`` with ``h`` heads returns for one sentence of
    T tokens: the series' own layer, run on torch's meta device (shapes only)."""
    with torch.device("meta"):
        _, weights = MultiHeadSelfAttention(d_model, h, bias=False)(torch.empty(1, T, d_model))
    return list(weights.shape)


def _tokens(sentence: str) -> list[str]:
    """The sentence as all-MiniLM-L6-v2 reads it, [CLS] and [SEP] included."""
    from helpers.pretrained import load_minilm

    return load_minilm().tokenize([sentence])[2][0]


@checker("MiniLM's shapes")
def check_minilm_shapes(
    d_k, weights_shape, T: int | None = None, sentence: str | None = None
) -> str:
    """Predict MiniLM's ``d_k`` and the shape of one layer's attention weights for one
    sentence: of ``T`` tokens, or ``sentence`` itself (the checker tokenizes it with the
    model's tokenizer: [CLS] and [SEP] count, a full stop is a token of its own)."""
    if (T is None) == (sentence is None):
        raise ValueError("pass the sentence's length T or the sentence itself, not both")
    n_layers, h, d_model = _minilm()
    tokens = None if sentence is None else _tokens(sentence)
    T = len(tokens) if tokens is not None else T
    true_d_k = check_heads(d_model, h)
    got = whole(
        d_k, "d_k", at_least=1, hint=f"d_model = {d_model} cut into h = {h} heads", what="a size"
    )
    if got != true_d_k:
        named = {
            h: f"{h} is h, the number of heads; d_k is the width of one head.",
            d_model: f"{d_model} is d_model; each of the {h} heads gets a slice of it.",
            d_model * h: "Each head gets a slice of d_model: divide, do not multiply.",
            64: f"64 is the paper's base model (512 // 8); MiniLM cuts {d_model} into {h}.",
        }
        raise Wrong(
            f"d_k = {got}; the layer computes {true_d_k}.",
            named.get(got, f"d_k = d_model // h = {d_model} // {h}."),
        )
    truth = _weights_shape(T, d_model, h)
    counted = []  # a sentence's length counted the wrong way
    if tokens is not None:
        words = len(sentence.split())
        counted = [
            (
                [1, h, T - 2, T - 2],
                f"The tokenizer adds [CLS] at the start and [SEP] at the end: T = {T}.",
            ),
            (
                [1, h, words, words],
                f"That counts the words ({words}); the model counts tokens: {tokens} (T = {T}).",
            ),
            (
                [1, h, words + 2, words + 2],
                f"Count tokens, not words: a full stop is a token of its own: {tokens} (T = {T}).",
            ),
        ]
        counted = [(s, m) for s, m in counted if s != truth]
    judge_shape(
        shape(weights_shape, "weights_shape"),
        truth,
        name="weights_shape",
        reveal=True,
        mistakes=[
            *counted,
            (
                [1, T, T],
                "That is nn.MultiheadAttention's default, averaged over the heads; "
                "the series keeps one T × T map per head.",
            ),
            ([h, T, T], "The batch axis comes first, even for one sentence: [1, h, T, T]."),
            ([1, T, h, T], "Heads come before the tokens: [B, h, T, T]."),
            (
                [n_layers, h, T, T],
                f"That stacks all {n_layers} layers; one layer gives [1, h, T, T].",
            ),
            (
                [1, n_layers, h, T, T],
                f"That stacks all {n_layers} layers; one layer gives [1, h, T, T].",
            ),
            (
                [1, h, T, true_d_k],
                "That is the heads' output z; the weights are T × T "
                "per head (one row per query, one column per key).",
            ),
            ([1, T, d_model], "That is the layer's output; the weights are [B, h, T, T]."),
        ],
        hint="One T × T map (query × key) per head, with the batch axis first.",
    )
    return f"d_k = {d_model} // {h} = {true_d_k}; weights [B, h, T, T] = {truth}."


# --------------------------------------------------------------------------- write the code


def _pooling_cases() -> list[tuple[str, tuple]]:
    g = torch.Generator().manual_seed(8)
    cases = []
    for lengths, T, d in (([5, 2, 3], 5, 4), ([1, 4], 4, 6), ([3], 3, 2)):
        hidden = torch.randn(len(lengths), T, d, generator=g) + 1.0  # (B, T, d) padding not 0
        text = f"hidden [{len(lengths)}, {T}, {d}], lengths {lengths}"
        cases.append((text, (hidden, torch.tensor(lengths))))
    return cases


def _real(hidden: torch.Tensor, lengths: torch.Tensor, off: int = 0) -> torch.Tensor:
    """``[B, T, 1]`` float: 1 at the real tokens (or ``off`` more / fewer), 0 at padding."""
    T = hidden.shape[1]
    return (torch.arange(T)[None, :] < (lengths[:, None] + off)).float()[..., None]  # (B, T, 1)


def _mean(hidden: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The mean over each sentence's real tokens, through :func:`helpers.attention.padding_mask`."""
    real = padding_mask(lengths, hidden.shape[1])[:, 0, 0, :, None].float()  # (B, T, 1)
    return (hidden * real).sum(1) / real.sum(1)  # (B, d)


def _masked(hidden, lengths, off=0):
    return (hidden * _real(hidden, lengths, off)).sum(1) / _real(hidden, lengths, off).sum(1)


_POOLING_MISTAKES = [  # wrong means; with unit_length each is also scaled to length 1
    Mistake(
        "That averages the padding too: mask it out, sum the real tokens and divide by "
        "their number.",
        lambda hidden, lengths: hidden.mean(1),
    ),
    Mistake(
        "That divides by T, the padded length; divide by each sentence's own length.",
        lambda hidden, lengths: (hidden * _real(hidden, lengths)).sum(1) / hidden.shape[1],
    ),
    Mistake(
        "That sums the padding too before dividing by the length: mask the padding first.",
        lambda hidden, lengths: hidden.sum(1) / lengths[:, None],
    ),
    Mistake(
        "That averages the padding only: the mask is flipped (True must mean a real token).",
        lambda hidden, lengths: (
            (hidden * (1 - _real(hidden, lengths))).sum(1) / (1 - _real(hidden, lengths)).sum(1)
        ),
    ),
    Mistake(
        "One padding token too many is averaged in: position t is real when t < length.",
        lambda hidden, lengths: _masked(hidden, lengths, 1),
    ),
    Mistake(
        "The last real token is left out: position t is real when t < length.",
        lambda hidden, lengths: (
            (hidden * _real(hidden, lengths, -1)).sum(1)
            / _real(hidden, lengths, -1).sum(1).clamp_min(1)
        ),
    ),
    Mistake(
        "That is the first token's vector alone; mean pooling averages every real token.",
        lambda hidden, lengths: hidden[:, 0],
    ),
    Mistake(
        "That is max pooling; mean pooling averages the real tokens.",
        lambda hidden, lengths: (
            hidden.masked_fill(_real(hidden, lengths) == 0, -torch.inf).max(1).values
        ),
    ),
]
_PLAIN_MISTAKES = [  # for the plain mean only: with unit_length these are right
    Mistake(
        "Not normalised: that is the sum over the real tokens; divide by their number.",
        lambda hidden, lengths: (hidden * _real(hidden, lengths)).sum(1),
    ),
]
_UNIT_MISTAKES = [  # for unit_length only
    Mistake(
        "Right mean, but not scaled to length 1: finish with F.normalize(mean, dim=-1).", _mean
    ),
    Mistake(
        "That scales each token to length 1 before averaging; scale the mean instead.",
        lambda hidden, lengths: F.normalize(_mean(F.normalize(hidden, dim=-1), lengths), dim=-1),
    ),
    Mistake(
        "That normalises over the batch axis; each sentence vector needs length 1: dim=-1.",
        lambda hidden, lengths: F.normalize(_mean(hidden, lengths), dim=0),
    ),
]


def _unit(mistake: Mistake) -> Mistake:
    return Mistake(mistake.message, lambda *a: F.normalize(mistake.wrong(*a), dim=-1))


@checker("mean pooling")
def check_mean_pooling(fn, unit_length: bool = True) -> str:
    """``fn(hidden [B, T, d], lengths [B] long) -> [B, d]``: each sentence's mean over its real
    tokens (padding left out), scaled to length 1 as MiniLM's sentence vectors are
    (``helpers.pretrained.mean_pool``); ``unit_length=False`` asks for the plain mean."""
    fn = function(fn, "mean pooling")
    if unit_length:
        mistakes = [*_UNIT_MISTAKES, *map(_unit, _POOLING_MISTAKES)]
        hint = (
            "Multiply by a [B, T, 1] mask of the real tokens, sum over T, divide by "
            "lengths[:, None], then F.normalize(..., dim=-1)."
        )
    else:
        mistakes = [*_POOLING_MISTAKES, *_PLAIN_MISTAKES]
        hint = (
            "Multiply by a [B, T, 1] mask of the real tokens, sum over T, divide by "
            "lengths[:, None]."
        )
    cases = _pooling_cases()
    for i, (text, args) in enumerate(cases):
        case = f"case {i + 1} of {len(cases)} ({text})"
        got = call(fn, args, label="mean pooling", case=case)
        if got is None:
            raise returned_none("mean pooling", i == 0, case)
        want = _mean(*args)  # (B, d)
        if unit_length:
            want = F.normalize(want, dim=-1)  # (B, d)
        judge_tensor(
            got, want, case=case, label="mean pooling", args=args, mistakes=mistakes, hint=hint
        )
    scaled = ", then scaled to length 1" if unit_length else ""
    return (
        f"right on {len(cases)} batches: padding left out, each sentence divided by its own "
        f"length{scaled}."
    )


# --------------------------------------------------------------------------- explorer


def _layer_head(answer, n_layers: int, h: int) -> tuple[int, int]:
    given(answer, "answer", "(layer, head), e.g. (2, 5)")
    if isinstance(answer, torch.Tensor) and answer.numel() == 2:
        answer = answer.flatten().tolist()
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise Wrong(f"answer is {kind_of(answer)}; expected a pair (layer, head), e.g. (2, 5).")
    layer = whole(answer[0], "layer", at_least=0)
    head = whole(answer[1], "head", at_least=0)
    return layer, head


def _measured_roles() -> dict[str, torch.Tensor]:
    """``{"previous", "next": [n_layers, h]}``: every head's mean weight on the previous and on
    the next token, measured on the shipped sentences in which a noun occurs twice
    (``helpers.senses.head_roles``; the model runs once per process)."""
    from helpers.pretrained import load_minilm
    from helpers.senses import head_roles, load_senses

    if not _ROLES:
        roles = head_roles(load_minilm().run(load_senses().repeats))
        _ROLES.update(previous=roles["previous"], next=roles["next"])
    return dict(_ROLES)


_ROLES: dict[str, torch.Tensor] = {}


@checker("the previous-token head")
def check_previous_token_head(answer, table=None, within: float = 0.02) -> str:
    """Which (layer, head) looks at the previous token. The checker measures every head of
    all-MiniLM-L6-v2 itself (mean weight on the previous token over the shipped sentences in
    which a noun occurs twice); ``table`` may give another measured ``[n_layers, h]`` table
    instead (or the dict of ``helpers.senses.head_roles``, whose ``"previous"`` entry it is).
    A head whose weight is within ``within`` of the largest counts as right (they look alike
    in a figure)."""
    given(answer, "answer", "(layer, head), e.g. (2, 5)")
    roles = _measured_roles() if table is None else table
    nxt = None
    if isinstance(roles, dict):
        nxt = roles.get("next")
        table = roles["previous"]  # helpers.senses.head_roles(run)
    table = torch.as_tensor(table, dtype=torch.float32)  # (n_layers, h)
    if table.dim() != 2:
        raise ValueError(f"table must be [n_layers, h], got shape {list(table.shape)}")
    n_layers, h = table.shape
    best = int(table.argmax())
    truth = (best // h, best % h)
    top = table[truth].item()
    layer, head = _layer_head(answer, n_layers, h)
    if layer < n_layers and head < h and table[layer, head].item() >= top - within:
        return (
            f"layer {layer}, head {head}: {table[layer, head].item():.2f} of each token's "
            "weight goes to the token just before it."
        )
    nxt_best = None
    if nxt is not None:
        nxt = torch.as_tensor(nxt, dtype=torch.float32)
        nxt_best = divmod(int(nxt.argmax()), h)
    if (layer, head) == nxt_best:
        hint = (
            f"That head looks at the next token ({nxt[nxt_best].item():.2f}): rows are the "
            "tokens looking (queries), columns the tokens looked at (keys), so the "
            "previous-token head's line runs just below the diagonal."
        )
    elif (head, layer) == truth:
        hint = "Layer first, then head: (layer, head)."
    elif (layer - 1, head - 1) == truth:
        hint = "Layers and heads are numbered from 0."
    elif layer >= n_layers or head >= h:
        hint = f"Layers go from 0 to {n_layers - 1}, heads from 0 to {h - 1}."
    else:
        hint = (
            f"Layer {layer}, head {head} puts {table[layer, head].item():.2f} on the previous "
            f"token; one head puts {top:.2f}."
        )
    raise Wrong(f"answer = ({layer}, {head}) is not right.", hint)

"""helpers.exercises, notebooks 01-04: typical wrong answers are caught and named.

Each wrong answer is written the way a learner writes it; the verdict must be ✗, say where
(which case) for code, and name the slip.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from support import verdict, wrong

import helpers.exercises as exercises
from helpers.attention import causal_mask, split_heads
from helpers.exercises.self_attention import K, Q

# --------------------------------------------------------------------------- 01


def one_hot_rows(ids, V):
    x = torch.zeros(len(ids), V)  # (T, V)
    x[torch.arange(len(ids)), ids] = 1.0
    return x


ONE_HOT = [
    ("F.one_hot, no float", lambda ids, V: F.one_hot(ids, V), "add .float()"),
    ("no num_classes", lambda ids, V: F.one_hot(ids).float(), "without num_classes"),
    ("transposed", lambda ids, V: one_hot_rows(ids, V).T, "This is [V, T]"),
    ("off by one", lambda ids, V: one_hot_rows(ids - 1, V), "one column off"),
    ("bool", lambda ids, V: one_hot_rows(ids, V).bool(), "float32"),
    ("float64", lambda ids, V: one_hot_rows(ids, V).double(), "float32"),
    ("numpy", lambda ids, V: one_hot_rows(ids, V).numpy(), "not a numpy array"),
    ("list of rows", lambda ids, V: one_hot_rows(ids, V).tolist(), "return them as a tensor"),
    ("same row", lambda ids, V: one_hot_rows(ids[:1].repeat(len(ids)), V), "Every row is the same"),
]


@pytest.mark.parametrize(("label", "fn", "says"), ONE_HOT, ids=[m[0] for m in ONE_HOT])
def test_one_hot_mistakes(capsys, label, fn, says):
    out = wrong(capsys, exercises.check_one_hot, fn, says=says)
    assert "case 1 of 3" in out


def test_one_hot_geometry_mistakes(capsys):
    wrong(capsys, exercises.check_one_hot_geometry, 0, 2, says="squared distance")
    wrong(capsys, exercises.check_one_hot_geometry, 0, 1, says="two non-zero entries")
    wrong(capsys, exercises.check_one_hot_geometry, 1, 1.41, says="only a word and itself")
    out = wrong(capsys, exercises.check_one_hot_geometry, 0, 1.5, says="the code gives 1.4142")
    assert "distance = 1.5" in out
    assert verdict(capsys, exercises.check_one_hot_geometry, 0.0, 1.41)[0]  # rounded is fine


def test_one_hot_id_mistakes(capsys):
    wrong(capsys, exercises.check_one_hot_id, 103, says="where 'king' has its 1")
    wrong(capsys, exercises.check_one_hot_id, 36, says="Ids count from 0")
    wrong(capsys, exercises.check_one_hot_id, 22, says="how often 'queen' occurs")
    wrong(capsys, exercises.check_one_hot_id, 115, says="alphabetical")
    wrong(capsys, exercises.check_one_hot_id, 35.0, says="without a decimal point")
    wrong(capsys, exercises.check_one_hot_id, 999, says="from 0 to 163")
    out = wrong(capsys, exercises.check_one_hot_id, 3, says="read the id in the title")
    assert "35" not in out  # an explorer answer is not given away


# --------------------------------------------------------------------------- 02


def loss_parts(W_in, W_out, centre, context, negatives, sign=-1.0):
    v_c = W_in[centre]  # (B, d)
    positive = F.logsigmoid((W_out[context] * v_c).sum(-1))  # (B,)
    negative = F.logsigmoid(sign * (W_out[negatives] @ v_c.unsqueeze(-1)).squeeze(-1))  # (B, k)
    return positive, negative


def right_loss(*args):
    positive, negative = loss_parts(*args)
    return -(positive + negative.sum(-1)).mean()


LOSSES = [
    ("no minus", lambda *a: (lambda p, n: (p + n.sum(-1)).mean())(*loss_parts(*a)), "minus sign"),
    ("sum", lambda *a: (lambda p, n: -(p + n.sum(-1)).sum())(*loss_parts(*a)), "mean over the B"),
    (
        "+u_k·v_c",
        lambda *a: (lambda p, n: -(p + n.sum(-1)).mean())(*loss_parts(*a, sign=1.0)),
        "log σ(-u_nⱼ·v_c)",
    ),
    ("no negatives", lambda *a: -loss_parts(*a)[0].mean(), "negatives are missing"),
    (
        "mean over k",
        lambda *a: (lambda p, n: -(p + n.mean(-1)).mean())(*loss_parts(*a)),
        "sums them",
    ),
    ("swapped tables", lambda W_in, W_out, *ids: right_loss(W_out, W_in, *ids), "swapped"),
    ("one table", lambda W_in, W_out, *ids: right_loss(W_in, W_in, *ids), "must come from W_out"),
    ("per pair", lambda *a: (lambda p, n: -(p + n.sum(-1)))(*loss_parts(*a)), "one loss per pair"),
    ("item", lambda *a: right_loss(*a).item(), "loss.backward() needs it"),
    ("detached", lambda *a: right_loss(*a).detach(), "detached"),
    (
        "sigmoid, no log",
        lambda W_in, W_out, c, o, neg: (
            -(
                torch.sigmoid((W_out[o] * W_in[c]).sum(-1))
                + torch.sigmoid(-(W_out[neg] @ W_in[c].unsqueeze(-1)).squeeze(-1)).sum(-1)
            ).mean()
        ),
        "without the log",
    ),
    (
        "W_in.data",
        lambda W_in, W_out, *ids: right_loss(W_in.data, W_out, *ids),
        "gradient for W_in",
    ),
]


@pytest.mark.parametrize(("label", "fn", "says"), LOSSES, ids=[m[0] for m in LOSSES])
def test_skipgram_loss_mistakes(capsys, label, fn, says):
    wrong(capsys, exercises.check_skipgram_loss, fn, says=says)


def test_skipgram_loss_accepts_a_one_element_tensor(capsys):
    assert verdict(capsys, exercises.check_skipgram_loss, lambda *a: right_loss(*a).view(1))[0]


def test_initial_loss_mistakes(capsys):
    wrong(capsys, exercises.check_initial_loss, 0.6931, says="positive pair only")
    wrong(capsys, exercises.check_initial_loss, 5 * math.log(2), says="negatives only")
    wrong(capsys, exercises.check_initial_loss, 6, says="log base 2")
    wrong(capsys, exercises.check_initial_loss, 1.806, says="log base 10")
    wrong(capsys, exercises.check_initial_loss, -4.1589, says="it is positive")
    wrong(capsys, exercises.check_initial_loss, 0, says="σ(0) = 0.5")
    assert verdict(capsys, exercises.check_initial_loss, 4.16)[0]
    assert verdict(capsys, exercises.check_initial_loss, 2 * math.log(2), k=1)[0]


def test_neighbours_in_family_mistakes(capsys):
    wrong(capsys, exercises.check_neighbours_in_family, 5, says="the count at dim = 16")
    wrong(capsys, exercises.check_neighbours_in_family, 3, says="Set the dim slider to 2")
    wrong(capsys, exercises.check_neighbours_in_family, 6, says="from 0 to 5")
    assert verdict(capsys, exercises.check_neighbours_in_family, 5, dim=16)[0]


# --------------------------------------------------------------------------- 03


def attention_with(scale=None, dim=-1, transpose=lambda k: k.transpose(-2, -1)):
    def attention(q, k, v):
        d_k = q.size(-1)
        scores = q @ transpose(k) / (math.sqrt(d_k) if scale is None else scale(q, k, v))
        weights = F.softmax(scores) if dim is None else scores.softmax(dim=dim)
        return weights @ v, weights

    return attention


def right_attention(q, k, v):
    return attention_with()(q, k, v)


ATTENTION = [
    ("no √d_k", attention_with(scale=lambda q, k, v: 1.0), "Forgot to divide", 1),
    ("d_k", attention_with(scale=lambda q, k, v: q.size(-1)), "Divided by d_k", 1),
    ("√d_v", attention_with(scale=lambda q, k, v: math.sqrt(v.size(-1))), "√d_v", 1),
    ("√T", attention_with(scale=lambda q, k, v: math.sqrt(k.size(-2))), "√T", 1),
    ("softmax dim=-2", attention_with(dim=-2), "wrong axis", 1),
    ("softmax dim=0", attention_with(dim=0), "axis", 1),
    ("softmax no dim", attention_with(dim=None), "Softmax without dim=", 2),
    ("softmax dim=1", attention_with(dim=1), "wrong axis", 2),
    ("k.T", attention_with(transpose=lambda k: k.T), "k.transpose(-2, -1)", 2),
    ("k.transpose(0, 1)", attention_with(transpose=lambda k: k.transpose(0, 1)), "k.T", 2),
    ("out only", lambda q, k, v: right_attention(q, k, v)[0], "returned out only", 1),
    ("weights only", lambda q, k, v: right_attention(q, k, v)[1], "weights only", 1),
    ("swapped", lambda q, k, v: right_attention(q, k, v)[::-1], "Swap them", 1),
    (
        "weights transposed",
        lambda q, k, v: (right_attention(q, k, v)[0], right_attention(q, k, v)[1].mT),
        "weights are transposed",
        1,
    ),
    (
        "scores as weights",
        lambda q, k, v: (right_attention(q, k, v)[0], q @ k.mT / math.sqrt(q.size(-1))),
        "before the softmax",
        1,
    ),
    (
        "scale after softmax",
        lambda q, k, v: (
            (w := (q @ k.mT).softmax(-1) / math.sqrt(q.size(-1))) @ v,
            w,
        ),
        "after the softmax",
        1,
    ),
    (
        "out from transposed weights",
        lambda q, k, v: (right_attention(q, k, v)[1].mT @ v, right_attention(q, k, v)[1]),
        "out = weights @ v",
        1,
    ),
    ("self only", lambda q, k, v: attention_with()(q, q, v), "case 1 of 4", 1),
]


@pytest.mark.parametrize(("label", "fn", "says", "case"), ATTENTION, ids=[m[0] for m in ATTENTION])
def test_attention_mistakes(capsys, label, fn, says, case):
    out = wrong(capsys, exercises.check_attention, fn, says=says)
    assert f"case {case} of 4" in out


def test_attention_only_for_equal_lengths_is_named(capsys):
    def same_length_only(q, k, v):
        T = q.size(-2)
        weights = (q @ k.mT[..., :T] / math.sqrt(q.size(-1))).softmax(-1)  # (..., T, T)
        return weights @ v[..., :T, :], weights

    out = wrong(capsys, exercises.check_attention, same_length_only, says="4 queries and 6 keys")
    assert "case 4 of 4" in out


def test_weights_by_hand_mistakes(capsys):
    scores = Q @ K.T  # (3, 3)
    right = (scores / 2).softmax(-1)  # (3, 3)
    wrong(capsys, exercises.check_weights_by_hand, (scores[0]).softmax(-1), says="Forgot to divide")
    wrong(
        capsys, exercises.check_weights_by_hand, (scores[0] / 4).softmax(-1), says="Divided by d_k"
    )
    wrong(capsys, exercises.check_weights_by_hand, [1, 0, 2], says="scaled scores")
    wrong(capsys, exercises.check_weights_by_hand, [2, 0, 4], says="raw scores")
    wrong(capsys, exercises.check_weights_by_hand, (scores / 2).softmax(0)[:, 0], says="a column")
    wrong(capsys, exercises.check_weights_by_hand, right[1], says="row of query 1")
    wrong(capsys, exercises.check_weights_by_hand, [0.3, 0.3, 0.3], says="sum to 0.9")
    wrong(capsys, exercises.check_weights_by_hand, [0.24, 0.09], says="a list of 3 numbers")
    assert verdict(capsys, exercises.check_weights_by_hand, [0.21, 0.58, 0.21], query=1)[0]


def test_score_spread_mistakes(capsys):
    wrong(capsys, exercises.check_score_spread, 64, says="the variance")
    wrong(capsys, exercises.check_score_spread, 1, says="after dividing by √d_k")
    wrong(capsys, exercises.check_score_spread, 0.125, says="scale factor")
    wrong(capsys, exercises.check_score_spread, 0, says="the mean")
    assert verdict(capsys, exercises.check_score_spread, 8.2)[0]
    assert verdict(capsys, exercises.check_score_spread, 16, d_k=256)[0]


def test_saturation_mistakes(capsys):
    wrong(capsys, exercises.check_saturation, 0.35, says="the scaled curve")
    wrong(capsys, exercises.check_saturation, 0.89, says="at d_k = 64")
    out = wrong(capsys, exercises.check_saturation, 0.5, says="Slide d_k to 512")
    assert "0.94" not in out  # read it off the explorer
    assert verdict(capsys, exercises.check_saturation, 0.946)[0]


# --------------------------------------------------------------------------- 04


def sizes(x, h):
    B, T, d_model = x.shape
    return B, T, d_model // h


SPLITS = [
    ("view to [B, h, T, d_k]", lambda x, h: x.view(x.shape[0], h, x.shape[1], -1), "straight to"),
    (
        "reshape to [B, h, T, d_k]",
        lambda x, h: x.reshape(x.shape[0], h, x.shape[1], -1),
        "straight to",
    ),
    (
        "note's transpose",
        lambda x, h: x.view(*sizes(x, h)[:2], h, -1).transpose(-2, -1),
        "the note's transpose(-2, -1)",
    ),
    ("no transpose", lambda x, h: x.view(*sizes(x, h)[:2], h, -1), "without .transpose(1, 2)"),
    (
        "wrong cut",
        lambda x, h: x.view(*sizes(x, h)[:2], -1, h).permute(0, 3, 1, 2),
        "wrong order",
    ),
    ("h and d_k swapped", lambda x, h: x.view(*sizes(x, h)[:2], -1, h).transpose(1, 2), "swapped"),
    (
        "transposed first",
        lambda x, h: x.transpose(1, 2).reshape(x.shape[0], h, x.shape[1], -1),
        "transposed before it was cut",
    ),
    (
        "h = 8 hard-coded",
        lambda x, h: x.view(x.shape[0], x.shape[1], 8, -1).transpose(1, 2),
        "x's own sizes",
    ),
    ("sizes of the note", lambda x, h: x.view(3, 4, 8, 2).transpose(1, 2), "x's own sizes"),
]


@pytest.mark.parametrize(("label", "fn", "says"), SPLITS, ids=[m[0] for m in SPLITS])
def test_split_heads_mistakes(capsys, label, fn, says):
    out = wrong(capsys, exercises.check_split_heads, fn, says=says)
    assert "case 1 of 4 (x [2, 3, 12], h = 4)" in out


def merged_by(order):
    def merge(z):
        B, h, T, d_k = z.shape
        return z.permute(*order).reshape(B, T, h * d_k)

    return merge


MERGES = [
    ("bare view (the note)", lambda z: z.view(z.shape[0], z.shape[2], -1), "the note's slip"),
    ("bare reshape", lambda z: z.reshape(z.shape[0], z.shape[2], -1), "the note's slip"),
    (
        "view, no contiguous",
        lambda z: z.transpose(1, 2).view(z.shape[0], z.shape[2], -1),
        ".contiguous()",
    ),
    ("transpose(-2, -1)", merged_by((0, 1, 3, 2)), "transpose(-2, -1) swaps T and d_k"),
    ("interleaved", merged_by((0, 2, 3, 1)), "interleaved"),
    ("not merged", lambda z: z.transpose(1, 2), "not concatenated"),
    ("summed", lambda z: z.sum(1), "adds the heads up"),
    ("averaged", lambda z: z.mean(1), "averages the heads"),
    ("note's sizes", lambda z: z.transpose(1, 2).reshape(3, 4, 16), "z's own sizes"),
]


@pytest.mark.parametrize(("label", "fn", "says"), MERGES, ids=[m[0] for m in MERGES])
def test_merge_heads_mistakes(capsys, label, fn, says):
    out = wrong(capsys, exercises.check_merge_heads, fn, says=says)
    assert "case 1 of 4" in out


def test_merge_heads_bare_view_fails_on_a_non_contiguous_z(capsys):
    def contiguous_only(z):  # right for a contiguous z, a RuntimeError on split_heads' output
        B, h, T, d_k = z.shape
        return (
            z.transpose(1, 2).contiguous().view(B, T, h * d_k)
            if z.is_contiguous()
            else z.view(B, T, -1)
        )

    wrong(capsys, exercises.check_merge_heads, contiguous_only, says="case 4 of 4")


def test_note_transpose_mistakes(capsys):
    wrong(
        capsys,
        exercises.check_note_transpose,
        [3, 8, 4, 2],
        says="transpose(1, 2), the step the note meant",
    )
    wrong(capsys, exercises.check_note_transpose, [3, 4, 8, 2], says="always swaps two axes")
    wrong(capsys, exercises.check_note_transpose, [2, 8, 4, 3], says="what .T does")
    wrong(capsys, exercises.check_note_transpose, [3, 2, 4, 8], says="count from the end")
    wrong(capsys, exercises.check_note_transpose, "[3, 4, 2, 8]", says="as a list of numbers")
    wrong(capsys, exercises.check_note_transpose, torch.empty(3, 4, 2, 8), says="list(t.shape)")
    out = wrong(capsys, exercises.check_note_transpose, [3, 4, 8], says="torch gives [3, 4, 2, 8]")
    assert out.count("\n") == 2  # the verdict, then its explanation


def test_heads_first_shape_mistakes(capsys):
    wrong(capsys, exercises.check_heads_first_shape, [3, 4, 3, 8], says="the step before")
    wrong(capsys, exercises.check_heads_first_shape, [3, 8, 4, 3], says="h and d_k are swapped")
    wrong(capsys, exercises.check_heads_first_shape, [3, 4, 24], says="the input x")
    wrong(capsys, exercises.check_heads_first_shape, [3, 8, 4, 2], says="the explorer's start")
    out = wrong(capsys, exercises.check_heads_first_shape, [1, 2, 3], says="band labelled")
    assert "[3, 3, 4, 8]" not in out
    assert verdict(capsys, exercises.check_heads_first_shape, [3, 2, 4, 8], d_model=16, h=2)[0]


def test_the_checkers_agree_with_the_helpers_they_cite():
    """The truths come from the series' code: the explorer's trace, split_heads, causal_mask."""
    x = torch.randn(3, 4, 24)
    assert list(split_heads(x, 3).shape) == [3, 3, 4, 8]
    assert torch.equal(causal_mask(3), torch.tensor([[1, 0, 0], [1, 1, 0], [1, 1, 1]]).bool())

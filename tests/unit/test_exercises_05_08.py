"""helpers.exercises, notebooks 05-08: typical wrong answers are caught and named.

Each wrong answer is written the way a learner writes it; the verdict must be ✗, say where
(which case) for code, and name the slip.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from support import verdict, wrong

import helpers.exercises as exercises
from helpers.attention import merge_heads, padding_mask, scaled_dot_product_attention, split_heads
from helpers.cost import attention_cost
from helpers.exercises.why_multi_head import _question_weights

# --------------------------------------------------------------------------- 05


def test_head_count_parameters_mistakes(capsys):
    wrong(capsys, exercises.check_head_count_parameters, 2640 * 16, says="do not multiply")
    wrong(capsys, exercises.check_head_count_parameters, 2640 + 15 * 4 * 16 * 16, says="full-size")
    wrong(capsys, exercises.check_head_count_parameters, 1088, says="attention layer alone")
    wrong(capsys, exercises.check_head_count_parameters, 2650, says="Close, but not exact")
    wrong(capsys, exercises.check_head_count_parameters, 100, says="the code gives 2,640")
    assert verdict(capsys, exercises.check_head_count_parameters, 2640, h=4)[0]


def heads_of(layer, x):
    q, k, v = (split_heads(W(x), layer.h) for W in (layer.W_Q, layer.W_K, layer.W_V))
    return scaled_dot_product_attention(q, k, v)[0]  # (B, h, T, d_k)


def removed(layer, x, head):
    z = heads_of(layer, x)  # (B, h, T, d_k)
    z[:, head] = 0.0
    return z


def after_w_o(layer, x, head):
    out = layer(x)[0]  # (B, T, d_model)
    out[..., head * layer.d_k : (head + 1) * layer.d_k] = 0.0
    return out


def input_cut(layer, x, head):
    x[..., head * layer.d_k : (head + 1) * layer.d_k] = 0.0
    return layer(x)[0]


def uniform(layer, x, head):
    q, k, v = (split_heads(W(x), layer.h) for W in (layer.W_Q, layer.W_K, layer.W_V))
    q[:, head] = 0.0  # zero query: all scores 0, the head averages evenly
    return layer.W_O(merge_heads(scaled_dot_product_attention(q, k, v)[0]))


def keep_only(layer, x, head):
    mask = torch.zeros(layer.h)
    mask[head] = 1.0
    return layer(x, head_mask=mask)[0]


ABLATIONS = [
    ("nothing removed", lambda layer, x, head: layer(x)[0], "Nothing was removed"),
    ("kept only that head", keep_only, "keeps only this head"),
    (
        "next head",
        lambda layer, x, head: layer.W_O(merge_heads(removed(layer, x, head + 1))),
        "next head",
    ),
    ("zeroed after W_O", after_w_o, "after W_O"),
    ("zeroed the input", input_cut, "part of the input x"),
    ("uniform weights", uniform, "uniform weights"),
    (
        "no W_O bias",
        lambda layer, x, head: merge_heads(removed(layer, x, head)) @ layer.W_O.weight.T,
        "bias",
    ),
    ("before W_O", lambda layer, x, head: merge_heads(removed(layer, x, head)), "apply layer.W_O"),
    (
        "returned (out, weights)",
        lambda layer, x, head: layer(x, head_mask=1 - torch.eye(layer.h)[head]),
        "item 0",
    ),
]


@pytest.mark.parametrize(("label", "fn", "says"), ABLATIONS, ids=[m[0] for m in ABLATIONS])
def test_head_ablation_mistakes(capsys, label, fn, says):
    out = wrong(capsys, exercises.check_head_ablation, fn, says=says)
    assert "case 1 of 3" in out


def test_head_ablation_of_the_last_head_counts_from_zero(capsys):
    def one_based(layer, x, head):  # removes head - 1: right nowhere, named as "the head before"
        return layer.W_O(merge_heads(removed(layer, x, head - 1)))

    wrong(capsys, exercises.check_head_ablation, one_based, says="the head before")


def test_match_head_mistakes(capsys):
    on_match, on_prev = _question_weights(8, 0, 6)
    truth, prev = int(on_match.argmax()), int(on_prev.argmax())
    assert on_match[truth] > 0.9  # the example the exercise uses has one clear matching head
    assert verdict(capsys, exercises.check_match_head, truth)[0]
    if truth + 1 < 8:
        wrong(capsys, exercises.check_match_head, truth + 1, says="numbered from 0")
    wrong(capsys, exercises.check_match_head, prev, says="looks at prev")
    wrong(capsys, exercises.check_match_head, truth + 2 if truth >= 6 else 9, says="heads 0 … 7")
    other = next(j for j in range(8) if j not in (truth, truth + 1, prev))
    out = wrong(capsys, exercises.check_match_head, other, says="one head puts far more")
    assert f"head {truth}" not in out


# --------------------------------------------------------------------------- 06


def test_layer_parameters_mistakes(capsys):
    d = 768
    wrong(capsys, exercises.check_layer_parameters, 4 * d * d, says="leaves out the biases")
    wrong(capsys, exercises.check_layer_parameters, 3 * d * d + 3 * d, says="W_Q, W_K, W_V only")
    wrong(capsys, exercises.check_layer_parameters, 3 * d * d, says="W_Q, W_K, W_V only")
    wrong(
        capsys, exercises.check_layer_parameters, 12 * (4 * d * d + 4 * d), says="h does not enter"
    )
    wrong(capsys, exercises.check_layer_parameters, 4 * d * 64 + 4 * 64, says="one head's share")
    wrong(capsys, exercises.check_layer_parameters, d * d + d, says="one projection")
    wrong(capsys, exercises.check_layer_parameters, 2.36e6, says="Close")
    wrong(capsys, exercises.check_layer_parameters, "2362368", says="without quotes")


VIDEO = attention_cost(80, 5120, 8)


def test_video_macs_mistakes(capsys):
    n, d, h = 80, 5120, 8
    wrong(capsys, exercises.check_video_macs, VIDEO.flops, says="FLOPs")
    wrong(capsys, exercises.check_video_macs, 2 * n * n * d, says="leaves out the projections")
    wrong(capsys, exercises.check_video_macs, n * n * d, says="QKᵀ alone")
    wrong(capsys, exercises.check_video_macs, 4 * n * d * d, says="projections alone")
    wrong(capsys, exercises.check_video_macs, 3 * n * d * d + 2 * n * n * d, says="leaves out W_O")
    wrong(
        capsys,
        exercises.check_video_macs,
        4 * n * d * d + h * 2 * n * n * d,
        says="by h once too often",
    )
    wrong(
        capsys,
        exercises.check_video_macs,
        4 * n * d * 640 + 2 * n * n * d,
        says="not 4·n·d_model·d_k",
    )
    wrong(capsys, exercises.check_video_macs, 4 * n * d * d + n * n * d, says="but not AV")
    wrong(capsys, exercises.check_video_macs, 4 * n * d * d + 2 * n * d * d, says="grow with n²")
    assert verdict(capsys, exercises.check_video_macs, 8.454e9)[0]  # rounded is fine
    assert verdict(capsys, exercises.check_video_macs, VIDEO.total_macs)[0]


MACS = [
    ("FLOPs", lambda n, d, h: 2 * (4 * n * d * d + 2 * n * n * d), "FLOPs"),
    ("no projections", lambda n, d, h: 2 * n * n * d, "leaves out the projections"),
    ("no W_O", lambda n, d, h: 3 * n * d * d + 2 * n * n * d, "leaves out W_O"),
    ("only QKᵀ", lambda n, d, h: 4 * n * d * d + n * n * d, "but not AV"),
    ("h times", lambda n, d, h: 4 * n * d * d + 2 * h * n * n * d, "once too often"),
    (
        "d_k in the projections",
        lambda n, d, h: 4 * n * d * (d // h) + 2 * n * n * d,
        "4·n·d_model·d_k",
    ),
    ("n·d²", lambda n, d, h: 6 * n * d * d, "grow with n²"),
    (
        "a dict",
        lambda n, d, h: {"projections": 4 * n * d * d, "attention": 2 * n * n * d},
        "Return one number",
    ),
    ("a list", lambda n, d, h: [4 * n * d * d, 2 * n * n * d], "a list of 2 items"),
]


@pytest.mark.parametrize(("label", "fn", "says"), MACS, ids=[m[0] for m in MACS])
def test_macs_mistakes(capsys, label, fn, says):
    out = wrong(capsys, exercises.check_macs, fn, says=says)
    assert "case 1 of 5 (n = 32, d_model = 512, h = 8)" in out


def test_macs_that_only_fit_short_sequences_are_caught(capsys):
    def without_attention_when_short(n, d, h):  # the n²·d terms dropped when "small"
        return 4 * n * d * d + (2 * n * n * d if n > 100 else 0)

    out = wrong(
        capsys, exercises.check_macs, without_attention_when_short, says="projections alone"
    )
    assert "case 1 of 5" in out


def test_crossover_mistakes(capsys):
    wrong(capsys, exercises.check_crossover, 1024, says="the two are equal")
    wrong(capsys, exercises.check_crossover, 2049, says="QKᵀ alone")
    wrong(capsys, exercises.check_crossover, 512, says="At n = d_model")
    out = wrong(capsys, exercises.check_crossover, 300, says="slide n until the title says")
    assert "1025" not in out
    assert verdict(capsys, exercises.check_crossover, 257, d_model=128)[0]


# --------------------------------------------------------------------------- 07


def ones(T):
    return torch.ones(T, T, dtype=torch.bool)


CAUSAL = [
    ("upper triangle", lambda T: ones(T).triu(), "the future"),
    ("diagonal hidden", lambda T: ones(T).tril(-1), "must also see itself"),
    ("True = blocked", lambda T: ~ones(T).tril(), "True means 'blocked'"),
    ("float 0/1", lambda T: torch.ones(T, T).tril(), "float mask of 0s and 1s"),
    (
        "additive",
        lambda T: torch.nn.Transformer.generate_square_subsequent_mask(T),
        "additive float mask",
    ),
    ("int", lambda T: torch.ones(T, T, dtype=torch.long).tril(), "dtype=torch.bool"),
    ("nothing masked", lambda T: ones(T), "Nothing is masked"),
    ("diagonal only", lambda T: torch.eye(T, dtype=torch.bool), "Only the diagonal"),
    ("extra axes", lambda T: ones(T).tril()[None, None], "shape [1, 1, 4, 4]"),
]


@pytest.mark.parametrize(("label", "fn", "says"), CAUSAL, ids=[m[0] for m in CAUSAL])
def test_causal_mask_mistakes(capsys, label, fn, says):
    out = wrong(capsys, exercises.check_causal_mask, fn, says=says)
    assert "case 1 of 3 (T = 4)" in out


def real(lengths, T, off=0):
    return torch.arange(T)[None, :] < lengths[:, None] + off  # (B, T)


PADDING = [
    ("True at padding", lambda lengths, T: ~real(lengths, T)[:, None, None, :], "key_padding_mask"),
    ("no broadcast axes", lambda lengths, T: real(lengths, T), "Add the two broadcast axes"),
    ("flipped, [B, T]", lambda lengths, T: ~real(lengths, T), "True marks the padding, and"),
    ("on the query axis", lambda lengths, T: real(lengths, T)[:, None, :, None], "query axis"),
    ("[B, 1, T]", lambda lengths, T: real(lengths, T)[:, None, :], "as if B were the heads"),
    ("<= length", lambda lengths, T: real(lengths, T, 1)[:, None, None, :], "too many is let in"),
    ("< length - 1", lambda lengths, T: real(lengths, T, -1)[:, None, None, :], "last real token"),
    ("ignores T", lambda lengths, T: padding_mask(lengths), "ignores T"),
    ("float", lambda lengths, T: real(lengths, T)[:, None, None, :].float(), "float mask"),
]


@pytest.mark.parametrize(("label", "fn", "says"), PADDING, ids=[m[0] for m in PADDING])
def test_padding_mask_mistakes(capsys, label, fn, says):
    wrong(capsys, exercises.check_padding_mask, fn, says=says)


def test_encoder_parameters_mistakes(capsys):
    d, d_ff = 512, 2048
    attention, ffn, norms = 4 * d * d + 4 * d, 2 * d * d_ff + d_ff + d, 4 * d
    wrong(
        capsys, exercises.check_encoder_parameters, attention + ffn, says="LayerNorms are missing"
    )
    wrong(
        capsys,
        exercises.check_encoder_parameters,
        4 * d * d + 2 * d * d_ff + norms,
        says="biases of the six",
    )
    wrong(
        capsys,
        exercises.check_encoder_parameters,
        4 * d * d + 2 * d * d_ff,
        says="Biases and LayerNorms",
    )
    wrong(capsys, exercises.check_encoder_parameters, attention, says="attention alone")
    wrong(capsys, exercises.check_encoder_parameters, ffn, says="feed-forward network alone")
    wrong(
        capsys,
        exercises.check_encoder_parameters,
        6 * (attention + ffn + norms),
        says="stack of six",
    )
    assert verdict(capsys, exercises.check_encoder_parameters, attention + ffn + norms)[0]


def test_pointer_layer_mistakes(capsys):
    table = torch.tensor([[0.31, 0.92, 0.18, 0.07], [0.95, 0.97, 0.99, 0.93]])  # (n_layers, h)
    wrong(capsys, exercises.check_pointer_layer, 2, table, says="numbered from 0")
    wrong(capsys, exercises.check_pointer_layer, 0, table, says="some head looks elsewhere")
    wrong(capsys, exercises.check_pointer_layer, 7, table, says="layers 0 … 1")
    three = torch.tensor([[0.2, 0.3], [0.1, 0.6], [0.96, 0.91]])  # another stack: layer 2
    assert verdict(capsys, exercises.check_pointer_layer, 2, {"on pointer": three})[0]


# --------------------------------------------------------------------------- 08


def test_minilm_shapes_mistakes(capsys):
    T = 9
    wrong(
        capsys,
        exercises.check_minilm_shapes,
        12,
        [1, 12, T, T],
        T=T,
        says="is h, the number of heads",
    )
    wrong(capsys, exercises.check_minilm_shapes, 384, [1, 12, T, T], T=T, says="is d_model")
    wrong(capsys, exercises.check_minilm_shapes, 4608, [1, 12, T, T], T=T, says="do not multiply")
    wrong(capsys, exercises.check_minilm_shapes, 64, [1, 12, T, T], T=T, says="paper's base model")
    wrong(capsys, exercises.check_minilm_shapes, 384 / 12, [1, 12, T, T], T=T, says="decimal point")
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, T, T], T=T, says="averaged over the heads")
    wrong(capsys, exercises.check_minilm_shapes, 32, [12, T, T], T=T, says="batch axis comes first")
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, T, 12, T], T=T, says="Heads come before")
    wrong(capsys, exercises.check_minilm_shapes, 32, [6, 12, T, T], T=T, says="all 6 layers")
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, 12, T, 32], T=T, says="output z")
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, T, 384], T=T, says="layer's output")
    ok, out = verdict(capsys, exercises.check_minilm_shapes, 32, None, T=T)
    assert not ok and out.startswith("Not done yet: replace `weights_shape = None`")


def mask3(hidden, lengths, off=0):
    return real(lengths, hidden.shape[1], off).float()[..., None]  # (B, T, 1)


def masked_mean(hidden, lengths, off=0):
    return (hidden * mask3(hidden, lengths, off)).sum(1) / mask3(hidden, lengths, off).sum(1)


def unit(pool):
    return lambda hidden, lengths: F.normalize(pool(hidden, lengths), dim=-1)


MEANS = [  # wrong means, named both as they are and scaled to length 1
    ("mean over all T", lambda hidden, lengths: hidden.mean(1), "averages the padding too"),
    (
        "divided by T",
        lambda hidden, lengths: (hidden * mask3(hidden, lengths)).sum(1) / hidden.shape[1],
        "divides by T",
    ),
    (
        "padding summed",
        lambda hidden, lengths: hidden.sum(1) / lengths[:, None],
        "the padding",
    ),
    (
        "flipped mask",
        lambda hidden, lengths: (
            (hidden * (1 - mask3(hidden, lengths))).sum(1) / (1 - mask3(hidden, lengths)).sum(1)
        ),
        "mask is flipped",
    ),
    ("one too many", lambda hidden, lengths: masked_mean(hidden, lengths, 1), "too many"),
    ("first token", lambda hidden, lengths: hidden[:, 0], "first token"),
    (
        "max pooling",
        lambda hidden, lengths: (
            hidden.masked_fill(mask3(hidden, lengths) == 0, -math.inf).max(1).values
        ),
        "max pooling",
    ),
]
POOLING = [  # scaled to length 1, dividing by T is harmless and padding summed is padding averaged
    *[(label, unit(fn), says) for label, fn, says in MEANS if label != "divided by T"],
    ("not scaled", masked_mean, "not scaled to length 1"),
    (
        "tokens scaled first",
        lambda hidden, lengths: unit(masked_mean)(F.normalize(hidden, dim=-1), lengths),
        "each token to length 1",
    ),
    (
        "scaled over the batch",
        lambda hidden, lengths: F.normalize(masked_mean(hidden, lengths), dim=0),
        "batch axis",
    ),
    ("mean over d", lambda hidden, lengths: hidden.mean(-1), "shape [3, 5], expected [3, 4]"),
    (
        "list of rows",
        lambda hidden, lengths: [
            F.normalize(hidden[b, :n].mean(0), dim=0) for b, n in enumerate(lengths)
        ],
        "torch.stack",
    ),
]


@pytest.mark.parametrize(("label", "fn", "says"), POOLING, ids=[m[0] for m in POOLING])
def test_mean_pooling_mistakes(capsys, label, fn, says):
    out = wrong(capsys, exercises.check_mean_pooling, fn, says=says)
    assert "case 1 of 3 (hidden [3, 5, 4], lengths [5, 2, 3])" in out


PLAIN = [
    *MEANS,
    (
        "not normalised (a sum)",
        lambda hidden, lengths: (hidden * mask3(hidden, lengths)).sum(1),
        "divide by their number",
    ),
    ("scaled to length 1", unit(masked_mean), "case 1 of 3"),
]


@pytest.mark.parametrize(("label", "fn", "says"), PLAIN, ids=[m[0] for m in PLAIN])
def test_plain_mean_pooling_mistakes(capsys, label, fn, says):
    wrong(capsys, exercises.check_mean_pooling, fn, unit_length=False, says=says)


def test_mean_pooling_reference_is_minilms():
    """The checker's truth is what helpers.pretrained pools MiniLM's tokens with."""
    from helpers.exercises.real_heads import _mean, _pooling_cases
    from helpers.pretrained import mean_pool

    for _, (hidden, lengths) in _pooling_cases():
        assert torch.allclose(
            F.normalize(_mean(hidden, lengths), dim=-1), mean_pool(hidden, lengths)
        )
    assert verdict_quiet(exercises.check_mean_pooling, masked_mean, unit_length=False)
    assert verdict_quiet(exercises.check_mean_pooling, mean_pool)


def verdict_quiet(check, *answers, **options):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        return check(*answers, **options)


def test_minilm_sizes_come_from_the_backend():
    from helpers.pretrained import CONFIG

    d_k = CONFIG["hidden_size"] // CONFIG["num_attention_heads"]
    assert d_k == 32
    T = 5
    shape = [1, CONFIG["num_attention_heads"], T, T]
    assert verdict_quiet(exercises.check_minilm_shapes, d_k, shape, T=T)


def test_previous_token_head_mistakes(capsys):
    table = torch.zeros(6, 12)  # (n_layers, h)
    table[2, 5], table[4, 1], table[3, 3] = 0.91, 0.90, 0.40
    assert verdict(capsys, exercises.check_previous_token_head, (2, 5), table)[0]
    assert verdict(capsys, exercises.check_previous_token_head, (4, 1), table)[
        0
    ]  # as good, in a figure
    wrong(capsys, exercises.check_previous_token_head, (5, 2), table, says="Layer first, then head")
    wrong(capsys, exercises.check_previous_token_head, (3, 6), table, says="numbered from 0")
    wrong(capsys, exercises.check_previous_token_head, (3, 3), table, says="puts 0.40")
    wrong(capsys, exercises.check_previous_token_head, (6, 0), table, says="Layers go from 0 to 5")
    wrong(capsys, exercises.check_previous_token_head, 29, table, says="a pair (layer, head)")
    wrong(capsys, exercises.check_previous_token_head, (2.0, 5), table, says="decimal point")
    roles = {"previous": table, "next": table.flip(0)}  # helpers.senses.head_roles(run)
    assert verdict(capsys, exercises.check_previous_token_head, (2, 5), roles)[0]


def test_minilm_shapes_counts_the_tokens_of_a_sentence(capsys):
    """Notebook 08 asks for one sentence; the checker tokenizes it with the model's tokenizer."""
    sentence = "A bat flew out of the cave."  # [CLS] a bat flew out of the cave . [SEP]: T = 10
    ok, out = verdict(capsys, exercises.check_minilm_shapes, 32, [1, 12, 10, 10], sentence=sentence)
    assert ok and "[1, 12, 10, 10]" in out
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, 12, 8, 8], sentence=sentence,
          says="adds [CLS] at the start and [SEP] at the end: T = 10")  # fmt: skip
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, 12, 7, 7], sentence=sentence,
          says="That counts the words (7)")  # fmt: skip
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, 12, 9, 9], sentence=sentence,
          says="a full stop is a token of its own")  # fmt: skip
    wrong(capsys, exercises.check_minilm_shapes, 32, [1, 10, 12, 10], sentence=sentence,
          says="Heads come before")  # fmt: skip
    ok, out = verdict(capsys, exercises.check_minilm_shapes, None, None, sentence=sentence)
    assert not ok and out.startswith("Not done yet")


def test_previous_token_head_is_measured_by_the_checker(capsys):
    """Without a table the checker runs the model on the shipped sentences itself."""
    ok, out = verdict(capsys, exercises.check_previous_token_head, (0, 2))
    assert ok and out.startswith("✓") and "1.00 of each token's weight" in out
    wrong(capsys, exercises.check_previous_token_head, (1, 8), says="That head looks at the next")
    wrong(capsys, exercises.check_previous_token_head, (2, 0), says="Layer first, then head")
    wrong(capsys, exercises.check_previous_token_head, (3, 4), says="Layer 3, head 4 puts")
    wrong(capsys, exercises.check_previous_token_head, (3, 4), says="one head puts 1.00")
    ok, out = verdict(capsys, exercises.check_previous_token_head, None)
    assert not ok and out.startswith("Not done yet: replace `answer = None`")

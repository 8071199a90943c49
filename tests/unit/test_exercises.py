"""helpers.exercises: every checker passes the notebooks' solutions, shows the friendly
"Not done yet" for the stubs, and never raises on a broken answer (exceptions, None, numpy,
tuples, wrong dtypes and shapes, NaN); the machinery prints one short, deterministic verdict.

The named mistakes of each notebook's checkers: tests/test_exercises_01_04.py and
tests/test_exercises_05_08.py.
"""

import math
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from support import verdict

import helpers.exercises as exercises
from helpers.attention import merge_heads, scaled_dot_product_attention, split_heads
from helpers.exercises import core

# --------------------------------------------------------------------------- the solutions
# What each notebook's folded solution cell holds.


def my_one_hot(ids, V):  # 01
    x = torch.zeros(len(ids), V)  # (T, V)
    x[torch.arange(len(ids)), ids] = 1.0  # row t: a single 1, in column ids[t]
    return x


def my_skipgram_loss(W_in, W_out, centre, context, negatives):  # 02
    v_c = W_in[centre]  # (B, d): word vectors of the centre words
    u_o = W_out[context]  # (B, d): context vectors of the true contexts
    u_k = W_out[negatives]  # (B, k, d): context vectors of k noise words per pair
    positive = F.logsigmoid((u_o * v_c).sum(-1))  # (B,): log σ(u_o·v_c)
    negative = F.logsigmoid(-(u_k @ v_c.unsqueeze(-1)).squeeze(-1)).sum(-1)  # (B,)
    return -(positive + negative).mean()


def my_attention(q, k, v):  # 03
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., T_q, T_k)
    weights = scores.softmax(dim=-1)  # (..., T_q, T_k): each row sums to 1
    return weights @ v, weights  # (..., T_q, d_v), (..., T_q, T_k)


def my_split_heads(x, h):  # 04
    B, T, d_model = x.shape
    return x.view(B, T, h, d_model // h).transpose(1, 2)  # (B, h, T, d_k)


def my_merge_heads(z):  # 04
    B, h, T, d_k = z.shape
    return z.transpose(1, 2).contiguous().view(B, T, h * d_k)  # (B, T, d_model)


def my_remove_head(layer, x, head):  # 05
    q = split_heads(layer.W_Q(x), layer.h)  # (B, h, T, d_k)
    k = split_heads(layer.W_K(x), layer.h)  # (B, h, T, d_k)
    v = split_heads(layer.W_V(x), layer.h)  # (B, h, T, d_k)
    z, _ = scaled_dot_product_attention(q, k, v)  # (B, h, T, d_k)
    keep = torch.ones(layer.h)  # (h,)
    keep[head] = 0.0
    z = z * keep.view(1, layer.h, 1, 1)  # (B, h, T, d_k): that head now adds nothing
    return layer.W_O(merge_heads(z))  # (B, T, d_model)


def my_macs(n, d_model, h):  # 06
    d_k = d_model // h
    projections = 4 * n * d_model * d_model  # x W_Q, x W_K, x W_V, z W_O
    scores = h * n * n * d_k  # QKᵀ: per head (n, d_k) @ (d_k, n)
    weighted_sum = h * n * n * d_k  # AV: per head (n, n) @ (n, d_k)
    return projections + scores + weighted_sum


def my_causal_mask(T):  # 07
    return torch.ones(T, T, dtype=torch.bool).tril()  # (T, T): query i sees keys 0 … i


def my_padding_mask(lengths, T):  # 07
    real = torch.arange(T)[None, :] < lengths[:, None]  # (B, T): True at the real tokens
    return real[:, None, None, :]  # (B, 1, 1, T)


def my_mean_pooling(hidden, lengths):  # 08
    B, T, d = hidden.shape
    real = (torch.arange(T)[None, :] < lengths[:, None]).float()  # (B, T): 1 at real tokens
    mean = (hidden * real[:, :, None]).sum(dim=1) / real.sum(dim=1, keepdim=True)  # (B, d)
    return F.normalize(mean, dim=-1)  # (B, d): length 1, as MiniLM's sentence vectors


POINTER = torch.tensor([[0.31, 0.92, 0.18, 0.07], [0.95, 0.97, 0.99, 0.93]])  # (n_layers, h)
PREVIOUS = torch.zeros(6, 12)  # (n_layers, h)
PREVIOUS[2, 5], PREVIOUS[3, 1], PREVIOUS[1, 1] = 0.91, 0.62, 0.48

# checker, then the answers and options the notebook passes
FUNCTIONS = {
    "check_one_hot": my_one_hot,
    "check_skipgram_loss": my_skipgram_loss,
    "check_attention": my_attention,
    "check_split_heads": my_split_heads,
    "check_merge_heads": my_merge_heads,
    "check_head_ablation": my_remove_head,
    "check_macs": my_macs,
    "check_causal_mask": my_causal_mask,
    "check_padding_mask": my_padding_mask,
    "check_mean_pooling": my_mean_pooling,
}
PREDICTIONS = {  # name: (answers, options)
    "check_one_hot_geometry": ((0, math.sqrt(2)), {}),
    "check_one_hot_id": ((35,), {}),
    "check_initial_loss": ((4.1589,), {}),
    "check_neighbours_in_family": ((0,), {}),
    "check_weights_by_hand": (([0.24, 0.09, 0.67],), {}),
    "check_score_spread": ((8,), {}),
    "check_saturation": ((0.95,), {}),
    "check_note_transpose": (([3, 4, 2, 8],), {}),
    "check_heads_first_shape": (([3, 3, 4, 8],), {}),
    "check_head_count_parameters": ((2640,), {}),
    "check_match_head": ((7,), {}),
    "check_layer_parameters": ((2_362_368,), {}),
    "check_video_macs": ((8_454_144_000,), {}),
    "check_crossover": ((1025,), {}),
    "check_encoder_parameters": ((3_152_384,), {}),
    "check_pointer_layer": ((1,), {"scores": POINTER}),
    "check_minilm_shapes": ((32, [1, 12, 9, 9]), {"T": 9}),
    "check_previous_token_head": (((2, 5),), {"table": PREVIOUS}),
}


def stub(*args):
    raise NotImplementedError  # your code here


def ellipsis_stub(*args): ...


ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")


def well_formed(out: str) -> None:
    """One verdict line (✓, ✗ or Not done yet), at most one line after it, no addresses."""
    lines = out.splitlines()
    assert 1 <= len(lines) <= 2, out
    assert lines[0].startswith((core.RIGHT + " ", core.WRONG + " ", core.NOT_DONE + ": ")), out
    assert len(lines) == 1 or lines[1].startswith("  "), out
    assert not ADDRESS.search(out), out
    assert "Traceback" not in out, out


def test_every_checker_is_exported_and_covered():
    names = {name for name in exercises.__all__ if name.startswith("check_")}
    assert names == set(FUNCTIONS) | set(PREDICTIONS)
    assert all(callable(getattr(exercises, name)) for name in exercises.__all__)
    per_notebook = [name for name in exercises.__all__ if name.startswith("check_")]
    assert len(per_notebook) >= 3 * 8


# --------------------------------------------------------------------------- solutions pass


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_solution_passes(capsys, name):
    ok, out = verdict(capsys, getattr(exercises, name), FUNCTIONS[name])
    assert ok is True, out
    assert out.startswith(core.RIGHT), out
    well_formed(out)


@pytest.mark.parametrize("name", sorted(PREDICTIONS))
def test_right_answer_passes(capsys, name):
    answers, options = PREDICTIONS[name]
    ok, out = verdict(capsys, getattr(exercises, name), *answers, **options)
    assert ok is True, out
    well_formed(out)


# --------------------------------------------------------------------------- not done yet


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_stub_is_not_done(capsys, name):
    for unfinished in (stub, ellipsis_stub, None):
        ok, out = verdict(capsys, getattr(exercises, name), unfinished)
        assert ok is False, out
        assert out.startswith("Not done yet: ") and "run this cell again" in out, out
        well_formed(out)
        again, out_again = verdict(capsys, getattr(exercises, name), unfinished)
        assert out_again == out  # deterministic: the stored notebook shows the same text


@pytest.mark.parametrize("name", sorted(PREDICTIONS))
def test_prediction_stub_is_not_done(capsys, name):
    answers, options = PREDICTIONS[name]
    ok, out = verdict(capsys, getattr(exercises, name), *[None] * len(answers), **options)
    assert ok is False
    assert out.startswith("Not done yet: replace `") and "= None`" in out, out
    well_formed(out)


# --------------------------------------------------------------------------- broken answers


def _broken(name):
    """Broken versions of the solution of ``name``: label → function."""
    right = FUNCTIONS[name]

    def raises(*args):
        raise ValueError("boom")

    def none_later(*args, calls=[]):  # noqa: B006  (counts calls across the cases)
        calls.append(1)
        return right(*args) if len(calls) == 1 else None

    def nested_error(*args):
        return {}["missing"]

    broken = {"raises": raises, "none on case 2": none_later, "KeyError": nested_error}
    if name == "check_macs":
        broken |= {
            "numpy array": lambda *a: np.array([right(*a)]),
            "tuple": lambda *a: (right(*a), 0),
            "string": lambda *a: str(right(*a)),
            "nan": lambda *a: math.nan,
            "bool": lambda *a: True,
            "tensor of 2": lambda *a: torch.tensor([1.0, 2.0]),
        }
        return broken

    def each(f):
        """Apply ``f`` to the (first) tensor the solution returns."""
        if name == "check_attention":
            return lambda *a: (f(right(*a)[0]), right(*a)[1])
        return lambda *a: f(right(*a))

    broken |= {
        "numpy array": each(lambda t: t.detach().numpy()),
        "list": each(lambda t: t.tolist()),
        "tuple": each(lambda t: (t, t)),
        "string": each(lambda t: "tensor"),
        "int dtype": each(lambda t: t.int()),
        "float dtype": each(lambda t: t.float() + 0.5),
        "complex": each(lambda t: t.to(torch.complex64)),
        "nan": each(lambda t: t.float() * math.nan),
        "extra axis": each(lambda t: torch.stack([t, t])),
        "empty": each(lambda t: torch.empty(0)),
        "meta device": each(lambda t: t.to("meta")),
        "module": each(lambda t: torch.nn.Linear(2, 2)),
    }
    return broken


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_broken_answer_is_reported_not_raised(capsys, name):
    for label, broken in _broken(name).items():
        ok, out = verdict(capsys, getattr(exercises, name), broken)
        assert ok is False, (label, out)
        well_formed(out)
        if label in ("raises", "KeyError", "none on case 2"):
            assert out.startswith(core.WRONG) and "case " in out, (label, out)
        if label == "raises":
            assert "raised ValueError: boom" in out
        if label == "none on case 2":
            assert "case 2 of" in out and "returned None" in out


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_keyboard_interrupt_gets_through(name):
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        getattr(exercises, name)(interrupted)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_not_a_function_is_reported(capsys, name):
    for answer in (3, "my_split_heads", torch.zeros(2)):
        ok, out = verdict(capsys, getattr(exercises, name), answer)
        assert ok is False and out.startswith(core.WRONG) and "expected a function" in out, out
        well_formed(out)


ODD_ANSWERS = [
    "12",
    [1, 2],
    {"a": 1},
    True,
    math.nan,
    -3,
    2.5,
    np.array([1, 2]),
    torch.tensor([1.0, 2.0]),
    object(),
]


@pytest.mark.parametrize("name", sorted(PREDICTIONS))
def test_odd_prediction_is_reported_not_raised(capsys, name):
    answers, options = PREDICTIONS[name]
    for odd in ODD_ANSWERS:
        ok, out = verdict(capsys, getattr(exercises, name), *[odd] * len(answers), **options)
        assert ok is False, (odd, out)
        well_formed(out)


def test_answers_in_other_number_types_pass(capsys):
    assert verdict(capsys, exercises.check_one_hot_id, np.int64(35))[0]
    assert verdict(capsys, exercises.check_one_hot_id, torch.tensor(35))[0]
    assert verdict(capsys, exercises.check_initial_loss, torch.tensor(4.1589))[0]
    assert verdict(capsys, exercises.check_video_macs, 8.454e9)[0]  # rounded is fine here
    assert verdict(capsys, exercises.check_note_transpose, torch.Size([3, 4, 2, 8]))[0]
    assert verdict(capsys, exercises.check_note_transpose, (3, 4, 2, 8))[0]
    assert verdict(capsys, exercises.check_weights_by_hand, torch.tensor([0.24, 0.09, 0.67]))[0]
    assert verdict(capsys, exercises.check_previous_token_head, [2, 5], PREVIOUS.tolist())[0]
    assert verdict(capsys, exercises.check_pointer_layer, 1, {"on pointer": POINTER})[0]


def test_other_right_solutions_pass(capsys):
    """Right code written differently from the solution is right."""
    assert verdict(capsys, exercises.check_one_hot, lambda ids, V: F.one_hot(ids, V).float())[0]

    def attention(q, k, v):
        w = F.softmax(q @ k.mT * q.shape[-1] ** -0.5, dim=-1)  # (..., T_q, T_k)
        return [w @ v, w]  # a list is a pair too

    assert verdict(capsys, exercises.check_attention, attention)[0]
    assert verdict(
        capsys,
        exercises.check_split_heads,
        lambda x, h: x.reshape(*x.shape[:2], h, -1).permute(0, 2, 1, 3),
    )[0]
    assert verdict(capsys, exercises.check_merge_heads, lambda z: torch.cat(z.unbind(1), dim=-1))[0]
    assert verdict(
        capsys, exercises.check_macs, lambda n, d, h: 4 * n * d**2 + 2 * n**2 * d / h * h
    )[0]  # a float, the right value
    assert verdict(
        capsys,
        exercises.check_causal_mask,
        lambda T: torch.arange(T)[None, :] <= torch.arange(T)[:, None],
    )[0]

    def pooled(hidden, lengths):  # one sentence at a time
        return torch.stack(
            [F.normalize(hidden[b, :n].mean(0), dim=0) for b, n in enumerate(lengths)]
        )

    assert verdict(capsys, exercises.check_mean_pooling, pooled)[0]
    assert verdict(
        capsys,
        exercises.check_mean_pooling,
        lambda hidden, lengths: F.normalize(
            (hidden * (torch.arange(hidden.shape[1]) < lengths[:, None])[..., None]).sum(1), dim=-1
        ),
    )[0]

    def in_place(layer, x, head):  # zero W_O's columns of that head: the checker's layer is a copy
        with torch.no_grad():
            layer.W_O.weight[:, head * layer.d_k : (head + 1) * layer.d_k] = 0.0
        return layer(x)[0]

    assert verdict(capsys, exercises.check_head_ablation, in_place)[0]
    assert verdict(capsys, exercises.check_head_ablation, in_place)[0]  # nothing leaked


# --------------------------------------------------------------------------- the machinery


def test_run_prints_the_verdict_and_returns_none(capsys):
    assert exercises.run(exercises.check_split_heads, my_split_heads) is None
    assert capsys.readouterr().out.startswith(core.RIGHT + " split_heads: ")
    assert exercises.run(exercises.check_split_heads, stub) is None
    assert capsys.readouterr().out.startswith("Not done yet: ")


def test_checkers_leave_the_random_state_and_stderr_alone(capsys):
    def noisy(q, k, v):
        torch.randn(100)  # draws from the global generator
        warnings.warn("implicit dimension choice for softmax", UserWarning, stacklevel=1)
        return F.softmax(q @ k.mT / math.sqrt(q.size(-1))) @ v, None

    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning escaping the checker would fail here
        exercises.run(exercises.check_attention, noisy)
        exercises.run(exercises.check_head_ablation, my_remove_head)
    assert torch.equal(torch.rand(3), expected)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith(core.WRONG)


def test_the_learners_inputs_are_copies(capsys):
    def vandal(x, h):
        x.zero_()  # edits its input in place
        return my_split_heads(x, h)

    ok, out = verdict(capsys, exercises.check_split_heads, vandal)
    assert not ok and "values differ" in out  # judged against the untouched input
    assert verdict(capsys, exercises.check_split_heads, my_split_heads)[0]  # cases not spoilt


def test_only_the_stubs_own_not_implemented_error_means_not_done(capsys):
    def stub_with_text(T):
        raise NotImplementedError("write causal_mask")

    def torch_refuses(T):
        def deeper():
            raise NotImplementedError("aten::tril is not implemented for this backend")

        return deeper()

    assert verdict(capsys, exercises.check_causal_mask, stub_with_text)[1].startswith("Not done")
    ok, out = verdict(capsys, exercises.check_causal_mask, torch_refuses)
    assert not ok and out.startswith(core.WRONG) and "not implemented for this backend" in out


def test_error_messages_are_short_and_address_free(capsys):
    class Odd:
        def __repr__(self):
            return "<Odd object at 0x7f00deadbeef>"

    def raises_long(*args):
        raise RuntimeError(f"{Odd()} " + "x" * 500 + "\nsecond line")

    ok, out = verdict(capsys, exercises.check_causal_mask, raises_long)
    assert not ok and "second line" not in out and "..." in out
    well_formed(out)


def test_fmt_rounds_and_groups():
    assert core.fmt(2362368) == "2,362,368"
    assert core.fmt(8.454144e9) == "8,454,144,000"
    assert core.fmt(4.158883083) == "4.1589"
    assert core.fmt(0.0) == "0" and core.fmt(1.5) == "1.5"

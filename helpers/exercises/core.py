"""The judging machinery every checker shares: run the learner's answer, compare, say why.

A checker is a plain function decorated with :func:`checker`. Its body asks for the
answer (:func:`given`, :func:`number`, :func:`whole`, :func:`shape`), runs a learner's
function on a case with :func:`call`, compares with :func:`judge_tensor` /
:func:`judge_number` / :func:`judge_shape`, and returns a short sentence of praise. Anything
wrong is raised as :class:`Wrong` (or :class:`NotDone` for an untouched stub) and the
decorator turns it into the printed verdict::

    ✓ split_heads: right on 4 cases, shapes and values.
    ✗ split_heads, case 1 of 4 (x [2, 3, 12], h = 4): shape [2, 3, 4, 3], expected [2, 4, 3, 3].
      That is x.view(B, T, h, d_k) without .transpose(1, 2): the heads must come before the tokens.
    Not done yet: your split_heads still raises NotImplementedError; write its body, then run
    this cell again.   (printed on one line)

One verdict line (✓, ✗ or "Not done yet"), then at most one line of explanation. The
checker returns True or False and never raises on a learner's bug; only KeyboardInterrupt
and SystemExit get through. Messages hold no addresses, timings or fresh random numbers,
so a stored notebook shows the same text on every machine.

A typical mistake is *named* by running the wrong code itself on the same case
(:class:`Mistake`): if the learner's result equals the wrong variant's, the message says
which slip it is.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import numbers
import operator
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch

from helpers.checks import whole_number

__all__ = [
    "RIGHT",
    "WRONG",
    "NOT_DONE",
    "NotDone",
    "Wrong",
    "Mistake",
    "checker",
    "run",
    "quiet",
    "call",
    "function",
    "returned_none",
    "given",
    "number",
    "whole",
    "shape",
    "fmt",
    "kind_of",
    "dims",
    "judge_number",
    "judge_shape",
    "judge_tensor",
    "tensor_problem",
    "named_mistake",
    "container_hint",
    "same",
]

RIGHT = "✓"
WRONG = "✗"
NOT_DONE = "Not done yet"

ATOL = 1e-5  # float32 arithmetic done in another order differs by ~1e-7; a slip by ~1e-1
RTOL = 1e-4


# --------------------------------------------------------------------------- verdicts


class NotDone(Exception):
    """The answer is still the notebook's stub (``answer = None``,
    ``raise NotImplementedError``)."""


class Wrong(Exception):
    """A wrong answer: ``headline`` (what, where, expected, got) and an optional ``hint``."""

    def __init__(self, headline: str, hint: str = ""):
        super().__init__(headline)
        self.headline = headline
        self.hint = hint


def checker(label: str) -> Callable:
    """Turn ``body(*answers) -> praise`` into a checker that prints a verdict and returns a bool.

    ``label`` names the exercise in every verdict (``"split_heads"``, ``"the video's cost"``).
    """

    def wrap(body: Callable[..., str]) -> Callable[..., bool]:
        @functools.wraps(body)
        def check(*args, **kwargs) -> bool:
            try:
                with quiet():
                    praise = body(*args, **kwargs)
            except NotDone as err:
                print(f"{NOT_DONE}: {err}")
                return False
            except Wrong as err:
                sep = ", " if err.headline.startswith("case ") else ": "
                print(f"{WRONG} {label}{sep}{err.headline}")
                if err.hint:
                    print(f"  {err.hint}")
                return False
            except Exception as err:  # an answer so odd that even comparing it failed
                print(f"{WRONG} {label}: your answer could not be checked ({describe(err)}).")
                return False
            print(f"{RIGHT} {label}: {praise}")
            return True

        check.label = label
        return check

    return wrap


def run(check: Callable[..., bool], *answers, **options) -> None:
    """Run an exercise's checker in a notebook cell: the verdict is printed, nothing else.

    ``run(check_split_heads, my_split_heads)`` prints one verdict and returns None, so the
    cell shows no ``True``/``False`` after it; torch's random state and warnings are left as
    they were, so later cells print the same numbers whether the exercise is done or not.
    """
    with quiet():
        check(*answers, **options)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Keep torch's global random state and hide warnings (a notebook's stderr stays empty)."""
    with torch.random.fork_rng(devices=[]), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --------------------------------------------------------------------------- the learner's code

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_VIEW = "view size is not compatible"


def describe(err: BaseException) -> str:
    """``"RuntimeError: the first line of its message"``, without memory addresses, short."""
    text = _ADDRESS.sub("", str(err).strip().splitlines()[0] if str(err).strip() else "")
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _copy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, torch.nn.Module):
        return copy.deepcopy(value)
    return value


def call(
    fn: Callable, args: Sequence, *, label: str, case: str, hint: str = "", fresh: bool = True
):
    """``fn(*args)`` on copies of ``args``; its exceptions become :class:`Wrong` (or
    :class:`NotDone`).

    ``case`` says where (``"case 2 of 4 (x [2, 3, 12], h = 4)"``); ``hint`` is added when the
    function raised. ``fresh=False`` passes ``args`` themselves (e.g. leaves that need grad).
    """
    try:
        return fn(*[_copy(a) for a in args] if fresh else args)
    except NotImplementedError as err:
        if _stub(fn, err):
            raise NotDone(
                f"your {label} still raises NotImplementedError; write its body, then run this "
                "cell again."
            ) from None
        raise Wrong(f"{case}: your {label} raised {describe(err)}", hint) from None
    except Exception as err:
        if _VIEW in str(err):
            hint = (
                "A transposed tensor is not contiguous: call .contiguous() before .view(...), "
                "or use .reshape(...)."
            )
        raise Wrong(f"{case}: your {label} raised {describe(err)}", hint) from None


def _stub(fn: Callable, err: NotImplementedError) -> bool:
    """Whether ``err`` is the stub's own ``raise NotImplementedError`` (a bare one, or one raised
    in the learner's function itself), not one from deep inside torch."""
    if not err.args:
        return True
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code is getattr(fn, "__code__", None)


def function(fn, label: str) -> Callable:
    """``fn`` if it is callable; NotDone for ``None``/``...``; Wrong for anything else."""
    if fn is None or fn is Ellipsis:
        raise NotDone(f"write your {label} function, then run this cell again.")
    if not callable(fn):
        raise Wrong(
            f"expected a function, got {kind_of(fn)}.",
            "Pass the function itself (its name, no brackets), not what it returns.",
        )
    return fn


def judge_cases(
    fn: Callable,
    cases: Sequence[tuple[str, tuple]],
    reference: Callable,
    *,
    label: str,
    hint: str = "",
    **judge,
) -> None:
    """Run the learner's ``fn`` on every ``(text, args)`` case and judge each result against
    ``reference(*args)`` with :func:`judge_tensor` (``judge``: its other options); the first
    problem raises, naming the case."""  # fmt: skip
    for i, (text, args) in enumerate(cases):
        case = f"case {i + 1} of {len(cases)} ({text})"
        got = call(fn, args, label=label, case=case, hint=hint)
        if got is None:
            raise returned_none(label, i == 0, case)
        judge_tensor(got, reference(*args), case=case, label=label, args=args, hint=hint, **judge)


def returned_none(label: str, first: bool, case: str):
    """The error for a function that returned None: 'not done' on the first case, else wrong."""
    if first:
        return NotDone(
            f"your {label} returns None; finish its body (does it end with return?), "
            "then run this cell again."
        )
    return Wrong(
        f"{case}: your {label} returned None.", "Every path through it must end with return."
    )


# --------------------------------------------------------------------------- answers


def given(value, name: str, what: str):
    """``value`` unless it is still the stub's ``None`` (or ``...``): then NotDone."""
    if value is None or value is Ellipsis:
        raise NotDone(f"replace `{name} = None` with {what}, then run this cell again.")
    return value


def kind_of(value) -> str:
    """What a value is, for a message (``"a list of 3 items"``), never its address."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {dims(value)}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}" + ("..." if len(value) > 40 else "")
    if isinstance(value, tuple | list):
        items = "item" if len(value) == 1 else "items"
        return f"a {type(value).__name__} of {len(value)} {items}"
    if type(value).__module__ == "numpy":
        return f"a numpy {type(value).__name__}"
    return f"a {type(value).__name__}"


def number(value, name: str, what: str = "a number") -> float:
    """A learner's number: int, float, numpy scalar or one-element tensor → float."""
    given(value, name, what)
    if isinstance(value, str):
        raise Wrong(f"{name} is {kind_of(value)}; write {what} without quotes.")
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_complex():
        value = value.item()
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        and not hasattr(value, "__float__")
    ):
        raise Wrong(f"{name} is {kind_of(value)}; expected {what}.")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise Wrong(f"{name} is {kind_of(value)}; expected {what}.") from None
    if math.isnan(out) or math.isinf(out):
        raise Wrong(f"{name} is {out}; expected {what}.")
    return out


def _integer(value):
    """numpy and 0-d tensor integers as int; anything else unchanged (whole_number judges it)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        return int(value.item())
    if not isinstance(value, bool | int) and hasattr(value, "__index__"):
        with contextlib.suppress(TypeError):
            return operator.index(value)
    return value


def whole(
    value,
    name: str,
    *,
    at_least: int = 0,
    at_most: int | None = None,
    hint: str = "",
    what: str = "a whole number",
) -> int:
    """A learner's size or index, through :func:`helpers.checks.whole_number`."""
    given(value, name, what)
    value = _integer(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Wrong(f"{name} is {kind_of(value)}; expected {what}.")
    try:
        return whole_number(name, value, at_least=at_least, at_most=at_most, hint=hint)
    except ValueError as err:
        extra = ""
        if isinstance(value, float) and value.is_integer():
            extra = (
                f"Write a whole number without a decimal point ({int(value)}, not {value}); "
                "// divides without one."
            )
        raise Wrong(str(err) + ".", extra) from None


def shape(value, name: str, what: str = "a shape, e.g. [3, 4, 16]") -> list[int]:
    """A learner's shape: a list, tuple or torch.Size of whole numbers → list of int."""
    given(value, name, what)
    if isinstance(value, str):
        raise Wrong(
            f"{name} is {kind_of(value)}; write the shape as a list of numbers, e.g. [3, 4, 16]."
        )
    if isinstance(value, torch.Tensor):
        raise Wrong(
            f"{name} is {kind_of(value)}; write the shape itself as a list, e.g. list(t.shape)."
        )
    if not isinstance(value, list | tuple | torch.Size):
        raise Wrong(f"{name} is {kind_of(value)}; expected {what}.")
    return [whole(v, f"{name}[{i}]", at_least=0) for i, v in enumerate(value)]


# --------------------------------------------------------------------------- formatting


def fmt(value) -> str:
    """Numbers as the verdicts print them: whole numbers with thousands separators, other
    floats rounded to 4 decimals."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if abs(value) < 1e4 else f"{value:,.1f}"
    return str(value)


def dims(t: torch.Tensor) -> str:
    """``[2, 4, 3, 3]``: a tensor's shape as the series prints it."""
    return str(list(t.shape))


# --------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class Mistake:
    """A typical slip: what to tell the learner, and the wrong code that makes it."""

    message: str
    wrong: Callable


def same(got, want, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """Same shape, same kind of dtype (bool with bool) and close values; never raises."""
    try:
        if not isinstance(got, torch.Tensor) or not isinstance(want, torch.Tensor):
            return False
        if got.shape != want.shape or (got.dtype == torch.bool) != (want.dtype == torch.bool):
            return False
        if want.dtype == torch.bool:
            return torch.equal(got.detach(), want.detach())
        g, w = got.detach().double(), want.detach().double()
        return bool(torch.allclose(g, w, atol=atol, rtol=rtol, equal_nan=True))
    except Exception:
        return False


def named_mistake(
    got, mistakes: Sequence[Mistake], args: Sequence, same: Callable = same
) -> str | None:
    """The message of the first mistake whose wrong code gives exactly ``got`` on ``args``."""
    for mistake in mistakes:
        try:
            with quiet():
                wrong = mistake.wrong(*[_copy(a) for a in args])
        except Exception:
            continue
        if same(got, wrong):
            return mistake.message
    return None


def tensor_problem(
    got,
    want: torch.Tensor,
    *,
    exact_dtype: bool = False,
    atol: float = ATOL,
    rtol: float = RTOL,
    what: str = "",
) -> tuple[str, str] | None:
    """What is wrong with ``got`` as a stand-in for ``want``, as ``(problem, kind)``, or None.

    ``kind`` is ``"type"``, ``"shape"``, ``"dtype"``, ``"nan"`` or ``"values"``.
    """
    what = what or "a tensor"
    if not isinstance(got, torch.Tensor):
        if type(got).__module__ == "numpy":
            return (
                f"returned a numpy array where {what} {dims(want)} was expected "
                "(keep to torch operations, or wrap it with torch.from_numpy)"
            ), "type"
        return f"returned {kind_of(got)} where {what} {dims(want)} was expected", "type"
    if got.is_complex() or got.layout != torch.strided:
        return f"returned a {got.dtype} {got.layout} tensor; expected {want.dtype}", "dtype"
    if got.shape != want.shape:
        return f"shape {dims(got)}, expected {dims(want)}", "shape"
    if want.dtype == torch.bool or exact_dtype or not want.is_floating_point():
        if got.dtype != want.dtype:
            return f"dtype {got.dtype}, expected {want.dtype}", "dtype"
    elif not got.is_floating_point():
        return f"dtype {got.dtype}, expected a floating point tensor ({want.dtype})", "dtype"
    if got.is_floating_point():
        bad = ~torch.isfinite(got.detach()) & torch.isfinite(want)
        if bad.any():
            at = [int(i) for i in bad.nonzero()[0]]
            return (
                f"{int(bad.sum())} NaN or infinite value(s), the first at {at} "
                f"(expected {fmt(float(want[tuple(at)]))})"
            ), "nan"
    if want.dtype == torch.bool or not want.is_floating_point():
        differ = got.detach() != want
        if differ.any():
            at = [int(i) for i in differ.nonzero()[0]]
            return (
                f"{int(differ.sum())} of {want.numel()} entries differ, the first at {at}: "
                f"{_item(got, at)} where {_item(want, at)} was expected"
            ), "values"
        return None
    g, w = got.detach().double(), want.double()
    if not torch.allclose(g, w, atol=atol, rtol=rtol):
        if want.dim() == 0:
            return f"the value is {fmt(float(g))} where {fmt(float(w))} was expected", "values"
        diff = (g - w).abs().nan_to_num(nan=math.inf)
        at = [int(i) for i in torch.unravel_index(diff.argmax(), diff.shape)]
        return (
            f"values differ: at {at} you have {fmt(float(g[tuple(at)]))} where "
            f"{fmt(float(w[tuple(at)]))} was expected"
        ), "values"
    return None


def _item(t: torch.Tensor, at: list[int]) -> str:
    v = t[tuple(at)].item() if at else t.item()
    return fmt(v)


def judge_tensor(
    got,
    want: torch.Tensor,
    *,
    case: str,
    label: str,
    args: Sequence = (),
    mistakes: Sequence[Mistake] = (),
    exact_dtype: bool = False,
    dtype_hint: Callable[[torch.Tensor], str] | None = None,
    what: str = "",
    hint: str = "",
) -> None:
    """Raise :class:`Wrong` unless ``got`` equals ``want``; name the mistake when one matches.

    ``args`` are the case's inputs, on which every :class:`Mistake` is run; ``dtype_hint``
    explains a wrong dtype (e.g. a float mask); ``hint`` is the fallback explanation.
    """
    found = tensor_problem(got, want, exact_dtype=exact_dtype, what=what)
    if found is None:
        return
    problem, kind = found
    named = None
    if kind == "type":
        named = container_hint(got, want)
    elif kind == "dtype" and dtype_hint is not None:
        named = dtype_hint(got)
    if named is None and kind in ("shape", "values", "nan", "dtype"):
        named = named_mistake(got, mistakes, args)
    raise Wrong(f"{case}: {problem}.", named or hint)


def container_hint(got, want: torch.Tensor) -> str | None:
    """For a tuple/list/array returned where a tensor was expected: what to return instead."""
    if isinstance(got, tuple | list):
        for i, item in enumerate(got):
            if same(item, want):
                return f"Its item {i} is the right tensor: return only that."
        for axis in range(want.dim()):
            with contextlib.suppress(Exception):
                if same(torch.stack(list(got), dim=axis), want):
                    return (
                        f"The pieces are right: stack them into one tensor, "
                        f"torch.stack(pieces, dim={axis})."
                    )
        with contextlib.suppress(Exception):
            if same(torch.as_tensor(got, dtype=want.dtype), want):
                return (
                    "The numbers are right: return them as a tensor (torch.tensor or torch.stack)."
                )
    if type(got).__module__ == "numpy":
        with contextlib.suppress(Exception):
            if same(torch.as_tensor(got), want):
                return "The numbers are right: return a torch tensor, not a numpy array."
    return None


def judge_number(
    got: float,
    want: float,
    *,
    name: str,
    mistakes: Sequence[tuple[float, str]] = (),
    tol: float = 0.0,
    rel: float = 0.0,
    hint: str = "",
    reveal: bool = False,
) -> None:
    """Raise :class:`Wrong` unless ``got`` is within ``tol`` (absolute) or ``rel`` (relative)
    of ``want``; a mistake whose value matches the same way is named. ``reveal`` (for a
    prediction: the code tells anyway) puts the right value in the message."""

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= max(tol, rel * abs(b), 1e-9 * max(1.0, abs(b)))

    if close(got, want):
        return
    named = next((message for value, message in mistakes if close(got, value)), None)
    if named is None and not tol and not rel and abs(got - want) <= 0.01 * abs(want):
        named = "Close, but not exact: a count must match to the last one."
    told = f"; the code gives {fmt(want)}" if reveal else " is not right"
    raise Wrong(f"{name} = {fmt(got)}{told}.", named or hint)


def judge_shape(
    got: list[int],
    want: list[int],
    *,
    name: str,
    mistakes: Sequence[tuple[list[int], str]] = (),
    hint: str = "",
    reveal: bool = False,
) -> None:
    """Raise :class:`Wrong` unless the shapes are equal; name a matching mistake."""
    if got == want:
        return
    named = next((message for value, message in mistakes if got == list(value)), None)
    told = f"; torch gives {want}" if reveal else " is not right"
    raise Wrong(f"{name} = {got}{told}.", named or hint)

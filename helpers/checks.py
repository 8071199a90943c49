"""The one check every size in the series goes through: a whole number, with a clear message.

    whole_number("n", 0, hint="the number of tokens in a sequence, e.g. 32")
    # ValueError: n=0 must be a whole number >= 1 (the number of tokens in a sequence, e.g. 32)

Booleans are refused although Python counts them as ints (``True`` is not a head count).
"""

from __future__ import annotations

__all__ = ["whole_number"]


def whole_number(
    name: str, value, *, at_least: int = 1, at_most: int | None = None, hint: str = ""
) -> int:
    """``value`` if it is an ``int`` in ``at_least … at_most``; else a ValueError naming it.

    ``hint`` (what the number is, an example, or what to do) is added in brackets.
    """
    ok = not isinstance(value, bool) and isinstance(value, int) and value >= at_least
    if ok and (at_most is None or value <= at_most):
        return value
    wanted = f">= {at_least}" if at_most is None else f"from {at_least} to {at_most}"
    raise ValueError(
        f"{name}={value!r} must be a whole number {wanted}" + (f" ({hint})" if hint else "")
    )

"""Why attention divides its scores by √d_k, measured.

A dot product of two d_k-long vectors with independent N(0, 1) entries has variance d_k
(the paper's footnote 4), so unscaled scores spread like √d_k and their softmax saturates:
nearly all weight on one key, and a gradient near zero. :func:`scaling_stats` measures it
for any list of d_k; notebook 03 checks it by hand and its slider draws it.
"""

from __future__ import annotations

import math

import torch

__all__ = ["scaling_stats"]


def scaling_stats(
    d_ks: list[int], T: int = 8, n: int = 256, seed: int = 0
) -> dict[str, list[float]]:
    """How spread the scores q·k are, and how peaked their softmax is, with and without /√d_k.

    For each d_k: ``n`` queries and ``n × T`` keys with independent N(0, 1) entries;
    a query's scores against its T keys, then softmax. Returns, per d_k (same order):
    score std, mean largest weight and mean entropy (nats; uniform = ln T), unscaled and
    scaled, plus one query's weights (``weights_*``, ``T`` numbers per d_k). Every d_k
    draws from a generator seeded with ``seed``, so ``scaling_stats([256])`` repeats the
    256 row of any longer list.
    """
    out: dict[str, list] = {
        key: []
        for key in (
            "d_k",
            "std_unscaled",
            "std_scaled",
            "max_unscaled",
            "max_scaled",
            "entropy_unscaled",
            "entropy_scaled",
            "weights_unscaled",
            "weights_scaled",
        )
    }
    for d_k in d_ks:
        g = torch.Generator().manual_seed(
            seed
        )  # each d_k on its own: a row does not depend on the others
        q = torch.randn(n, 1, d_k, generator=g)  # (n, 1, d_k)
        k = torch.randn(n, T, d_k, generator=g)  # (n, T, d_k)
        scores = (q * k).sum(-1)  # (n, T)
        out["d_k"].append(d_k)
        for name, s in (("unscaled", scores), ("scaled", scores / math.sqrt(d_k))):
            w = s.softmax(dim=-1)  # (n, T)
            entropy = -(w * w.clamp_min(1e-12).log()).sum(-1)  # (n,)
            out[f"std_{name}"].append(round(float(s.std()), 4))
            out[f"max_{name}"].append(round(float(w.max(-1).values.mean()), 4))
            out[f"entropy_{name}"].append(round(float(entropy.mean()), 4))
            out[f"weights_{name}"].append([round(float(v), 4) for v in w[0]])
    return out

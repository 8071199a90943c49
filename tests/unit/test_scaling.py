"""helpers.scaling: unscaled scores spread like √d_k and their softmax saturates; scaled ones
do not."""

from helpers.scaling import scaling_stats
from helpers.widgets.attention import D_KS


def test_unscaled_softmax_saturates_scaled_does_not():
    stats = scaling_stats(D_KS, T=8, n=256, seed=0)
    assert stats["std_unscaled"][-1] > 15 and all(0.9 < s < 1.1 for s in stats["std_scaled"])
    assert stats["max_unscaled"][-1] > 0.9 and max(stats["max_scaled"]) < 0.45
    assert stats["entropy_unscaled"][-1] < 0.2 < 1.5 < min(stats["entropy_scaled"])


def test_each_d_k_is_measured_on_its_own():
    assert (
        scaling_stats([256])["max_unscaled"]
        == scaling_stats(D_KS)["max_unscaled"][D_KS.index(256) :][:1]
    )

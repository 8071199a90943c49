"""Checked exercises: the learner answers, a checker runs it and says whether it is right.

One module per notebook, named after it; :mod:`helpers.exercises.core` holds the judging
machinery they share. Every checker prints one verdict (``✓``, ``✗`` or ``Not done yet``,
then at most one line of explanation) and returns True or False; it never raises on a
learner's bug. In a notebook, :func:`run` calls one and shows only the verdict::

    from helpers.exercises import check_split_heads, run

    def my_split_heads(x, h):
        raise NotImplementedError  # your code here

    run(check_split_heads, my_split_heads)
"""

from helpers.exercises.core import run
from helpers.exercises.cost_and_scale import (
    check_crossover,
    check_layer_parameters,
    check_macs,
    check_video_macs,
)
from helpers.exercises.encoder_stack import (
    check_causal_mask,
    check_encoder_parameters,
    check_padding_mask,
    check_pointer_layer,
)
from helpers.exercises.multi_head import (
    check_heads_first_shape,
    check_merge_heads,
    check_note_transpose,
    check_split_heads,
)
from helpers.exercises.one_hot import check_one_hot, check_one_hot_geometry, check_one_hot_id
from helpers.exercises.real_heads import (
    check_mean_pooling,
    check_minilm_shapes,
    check_previous_token_head,
)
from helpers.exercises.self_attention import (
    check_attention,
    check_saturation,
    check_score_spread,
    check_weights_by_hand,
)
from helpers.exercises.why_multi_head import (
    check_head_ablation,
    check_head_count_parameters,
    check_match_head,
)
from helpers.exercises.word2vec import (
    check_initial_loss,
    check_neighbours_in_family,
    check_skipgram_loss,
)

__all__ = [
    "run",
    # 01 one-hot vectors
    "check_one_hot_geometry",
    "check_one_hot",
    "check_one_hot_id",
    # 02 word2vec
    "check_initial_loss",
    "check_skipgram_loss",
    "check_neighbours_in_family",
    # 03 self-attention
    "check_weights_by_hand",
    "check_score_spread",
    "check_attention",
    "check_saturation",
    # 04 multi-head attention
    "check_split_heads",
    "check_merge_heads",
    "check_note_transpose",
    "check_heads_first_shape",
    # 05 why several heads
    "check_head_count_parameters",
    "check_head_ablation",
    "check_match_head",
    # 06 cost and scale
    "check_layer_parameters",
    "check_video_macs",
    "check_macs",
    "check_crossover",
    # 07 the encoder stack
    "check_causal_mask",
    "check_padding_mask",
    "check_encoder_parameters",
    "check_pointer_layer",
    # 08 real heads
    "check_minilm_shapes",
    "check_mean_pooling",
    "check_previous_token_head",
]

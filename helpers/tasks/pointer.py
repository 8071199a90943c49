"""A toy task that trains in seconds and needs two encoder layers: "follow the pointer".

Every sequence has ``T`` tokens. Token 0 is a pointer ``p`` (1 … T-1); tokens 1 … T-1 are
random digits. The answer at *every* position is the digit at position ``p``::

    tokens   4  3  8  1  7  2      (the pointer 4 names position 4)
    targets  7  7  7  7  7  7

One attention layer cannot do this for every position: a token at position t does not know
``p`` until something has read position 0, so it cannot know where to look. Two layers can:
e.g. encoder #0 lets the pointer fetch the digit it names, and encoder #1 (which starts from
encoder #0's output) copies it from position 0 to every token.

:func:`baseline_accuracies` gives the accuracies to compare with: a fixed digit, and the best
guess that does not know ``p`` (the commonest digit of the sequence).
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.checks import whole_number
from helpers.encoder import Encoder, sinusoidal_positions
from helpers.threads import torch_threads

__all__ = [
    "pointer_batch",
    "TokenEncoder",
    "train_pointer",
    "accuracy",
    "baseline_accuracies",
    "pointer_head_scores",
    "token_labels",
]


def pointer_batch(
    n: int, T: int = 6, vocab: int = 10, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` sequences of the pointer task: ``(tokens [n, T], targets [n, T])``, integers."""
    whole_number("T", T, at_least=2, hint="a pointer and one digit")
    whole_number("vocab", vocab, at_least=T, hint=f"T={T}, so that a token can name any position")
    tokens = torch.randint(0, vocab, (n, T), generator=generator)  # (n, T) random digits
    p = torch.randint(1, T, (n,), generator=generator)  # (n,) the position each pointer names
    tokens[:, 0] = p  # token 0 is the pointer
    targets = tokens.gather(1, p[:, None]).expand(n, T)  # (n, T) the named digit, everywhere
    return tokens, targets.contiguous()


class TokenEncoder(nn.Module):
    """Token ids → embedding + sinusoidal positions → :class:`Encoder` → a digit per token."""

    def __init__(self, vocab: int, T: int, n_layers: int, d_model: int, h: int, d_ff: int):
        super().__init__()
        self.vocab = vocab
        self.T = T
        self.embed = nn.Embedding(vocab, d_model)
        self.register_buffer("pe", sinusoidal_positions(T, d_model))
        self.encoder = Encoder(n_layers, d_model, h, d_ff)
        self.readout = nn.Linear(d_model, vocab)

    def forward(
        self, tokens: torch.Tensor, head_mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """``tokens [B, T] -> (logits [B, T, vocab], weights)``, one ``[B, h, T, T]`` per layer;
        ``head_mask [n_layers, h]`` (0 = remove that head) as in :class:`Encoder`."""
        if tokens.dim() != 2 or tokens.shape[1] != self.T or tokens.is_floating_point():
            raise ValueError(
                f"tokens must be integer ids of shape [batch, {self.T}], got {tokens.dtype} "
                f"{list(tokens.shape)}"
            )
        x = self.embed(tokens) + self.pe  # (B, T, d_model)  token vector + its position
        y, weights = self.encoder(x, head_mask=head_mask)  # (B, T, d_model), layers × (B, h, T, T)
        logits = self.readout(y)  # (B, T, vocab)
        return logits, weights


@torch_threads(1)
def train_pointer(
    n_layers: int = 2,
    d_model: int = 32,
    h: int = 4,
    d_ff: int = 64,
    T: int = 6,
    vocab: int = 10,
    steps: int = 300,
    batch: int = 64,
    lr: float = 1e-2,
    seed: int = 0,
    head_mask: torch.Tensor | None = None,
) -> tuple[TokenEncoder, list[float]]:
    """Train a :class:`TokenEncoder` on fresh pointer batches; return it and the losses.

    Adam with the learning rate falling linearly to 0. The same ``seed`` gives the same
    model and losses, whatever the caller's random state (it is saved and restored).
    ``head_mask [n_layers, h]`` (0 = remove that head) is applied in every step: a model that
    learns without those heads, to compare fairly with one that has them (use the same
    ``head_mask`` when you evaluate it).
    Training runs on one CPU thread: the sums then happen in the same order on every
    machine (so the numbers repeat), and for a model this small one thread is also the
    fastest (measured here: 3 s on one thread, 60 s on two busy cores).
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = TokenEncoder(vocab, T, n_layers, d_model, h, d_ff)
    data = torch.Generator().manual_seed(seed + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 - step / steps)
    losses = []
    model.train()
    for _ in range(steps):
        tokens, targets = pointer_batch(batch, T, vocab, data)  # (batch, T), (batch, T)
        logits, _ = model(tokens, head_mask)  # (batch, T, vocab)
        loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        losses.append(loss.item())
    return model.eval(), losses


@torch.no_grad()
def accuracy(
    model: TokenEncoder,
    tokens: torch.Tensor,
    targets: torch.Tensor,
    head_mask: torch.Tensor | None = None,
) -> float:
    """Fraction of positions where the model's most likely digit is the target."""
    logits, _ = model(tokens, head_mask)  # (B, T, vocab)
    return (logits.argmax(-1) == targets).float().mean().item()


def baseline_accuracies(tokens: torch.Tensor, vocab: int = 10) -> dict[str, float]:
    """What guessing without following the pointer scores on ``tokens [B, T]``:

    - ``"a fixed digit"``: always the same digit, the one that is the answer most often;
    - ``"the commonest digit"``: the digit seen most often at positions 1 … T-1, a tie
      split evenly (its expected accuracy): the best guess that does not know ``p``.
    """
    digits = tokens[:, 1:]  # (B, T-1)
    p = tokens[:, 0]  # (B,)
    answer = tokens.gather(1, p[:, None])[:, 0]  # (B,)
    counts = nn.functional.one_hot(digits, vocab).sum(1)  # (B, vocab) how often each digit occurs
    commonest = counts == counts.max(-1, keepdim=True).values  # (B, vocab) the tied leaders
    hit = commonest.gather(1, answer[:, None])[:, 0].float()  # (B,) is the answer a leader
    return {
        "a fixed digit": torch.bincount(answer, minlength=vocab).max().item() / len(answer),
        "the commonest digit": (hit / commonest.sum(-1)).mean().item(),
    }


def pointer_head_scores(
    weights: list[torch.Tensor], tokens: torch.Tensor
) -> dict[str, torch.Tensor]:
    """What each head looks at, as mean attention weights, each ``[n_layers, h]``:

    - ``"on pointer"``: weight on position 0 (the pointer), averaged over every query;
    - ``"on target"``: weight on the position the pointer names, averaged over every query;
    - ``"pointer → target"``: the pointer's own row (query 0) on the position it names.

    Averages are over the examples in ``tokens [B, T]``.
    """
    p = tokens[:, 0]  # (B,) position named by the pointer
    scores = {"on pointer": [], "on target": [], "pointer → target": []}
    for w in weights:  # (B, h, T, T)
        B, h, T, _ = w.shape
        at_target = w.gather(-1, p.view(B, 1, 1, 1).expand(B, h, T, 1))[..., 0]  # (B, h, T)
        scores["on pointer"].append(w[..., 0].mean((0, 2)))  # (h,)
        scores["on target"].append(at_target.mean((0, 2)))  # (h,)
        scores["pointer → target"].append(at_target[:, :, 0].mean(0))  # (h,)
    return {name: torch.stack(rows) for name, rows in scores.items()}  # each (n_layers, h)


def token_labels(tokens: torch.Tensor) -> list[str]:
    """Axis labels for one sequence ``[T]``: ``"0:→5"`` for the pointer, ``"t:digit"`` after."""
    ids = tokens.tolist()
    return [f"0:→{ids[0]}"] + [f"{t}:{d}" for t, d in enumerate(ids) if t > 0]

"""Text in, numbers out: the shipped corpus, tokens, a vocabulary with counts, one-hot vectors.

text = load_corpus()                      # the sentences in assets/corpus.txt
tokens = tokenize(text)                   # ["a", "yellow", "horse", ...]
vocab = Vocabulary(tokens, min_count=1)   # word <-> id, with counts
ids = vocab.encode(["the", "king"])       # tensor([id_the, id_king])
x = one_hot(ids, len(vocab))              # (2, V): one 1 per row, the rest 0
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

import torch

from helpers import asset_path

WORD = re.compile(r"[a-z]+")


def load_corpus(name: str = "corpus.txt") -> str:
    """The text of a corpus in ``assets/`` (one sentence per line)."""
    return asset_path(name).read_text(encoding="utf-8")


def load_families(name: str = "word_families.json") -> dict[str, list[str]]:
    """The corpus' word families: family name -> its words (lower case)."""
    return json.loads(asset_path(name).read_text(encoding="utf-8"))


def tokenize(text: str) -> list[str]:
    """Words, lower case, no punctuation: ``"The king rules."`` -> ``["the", "king", "rules"]``."""
    return WORD.findall(text.lower())


def sentences(text: str) -> list[list[str]]:
    """One token list per non-empty line (context windows never cross a sentence)."""
    return [tokens for line in text.splitlines() if (tokens := tokenize(line))]


class Vocabulary:
    """The words kept from a token stream, each with an id and a count.

    Ids go by count, most frequent first (ties alphabetically), so id 0 is the commonest
    word. Words seen fewer than ``min_count`` times are left out; encoding one of them, or
    a word never seen, raises a ValueError that says which.
    """

    def __init__(self, tokens: Iterable[str], min_count: int = 1):
        if min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {min_count}")
        all_counts = Counter(tokens)
        if not all_counts:
            raise ValueError("no tokens: the vocabulary needs at least one word")
        kept = sorted(
            (w for w, c in all_counts.items() if c >= min_count), key=lambda w: (-all_counts[w], w)
        )
        if not kept:
            raise ValueError(
                f"min_count={min_count} leaves no word (the commonest word occurs "
                f"{max(all_counts.values())} times); lower min_count"
            )
        self.min_count = min_count
        self.words: list[str] = kept
        self.counts: list[int] = [all_counts[w] for w in kept]
        self.dropped: list[str] = sorted(w for w, c in all_counts.items() if c < min_count)
        self._id = {w: i for i, w in enumerate(kept)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self._id

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words, min_count={self.min_count})"

    def index(self, word: str) -> int:
        """The id of ``word``; a clear ValueError if it has none."""
        if word in self._id:
            return self._id[word]
        if word in self.dropped:
            raise ValueError(
                f"{word!r} occurs fewer than min_count={self.min_count} times, so it has no id; "
                "build the Vocabulary with a smaller min_count"
            )
        raise ValueError(
            f"{word!r} is not in the vocabulary ({len(self)} words, e.g. "
            f"{', '.join(self.words[:5])}); use a word of the corpus"
        )

    def encode(self, words: Iterable[str]) -> torch.Tensor:
        """Token ids of ``words``: a 1-D long tensor."""
        return torch.tensor([self.index(w) for w in words], dtype=torch.long)

    def decode(self, ids: Iterable[int] | torch.Tensor) -> list[str]:
        """Words of token ids."""
        out = []
        for i in torch.as_tensor(ids).flatten().tolist():
            if not 0 <= i < len(self):
                raise ValueError(f"id {i} is outside the vocabulary's 0 .. {len(self) - 1}")
            out.append(self.words[i])
        return out

    def count(self, word: str) -> int:
        """How often ``word`` occurs in the tokens the vocabulary was built from."""
        return self.counts[self.index(word)]


def one_hot(ids: torch.Tensor | Iterable[int], size: int) -> torch.Tensor:
    """One row per id, ``size`` columns: a 1 in column ``id``, 0 elsewhere (float)."""
    ids = torch.as_tensor(ids, dtype=torch.long)  # (T,)
    if ids.dim() != 1:
        raise ValueError(f"one_hot takes a 1-D tensor of ids, got shape {list(ids.shape)}")
    if len(ids) and not (0 <= int(ids.min()) and int(ids.max()) < size):
        raise ValueError(
            f"ids must lie in 0 .. {size - 1} for size={size}, got min {int(ids.min())}, "
            f"max {int(ids.max())}; pass size=len(vocab)"
        )
    x = torch.zeros(len(ids), size)  # (T, V)
    x[torch.arange(len(ids)), ids] = 1.0  # (T, V)
    return x

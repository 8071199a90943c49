"""The generator of ``assets/corpus.txt`` and ``assets/word_families.json``.

The corpus is small and made on purpose: sentences from templates whose slots are filled
with words of one *family* (royalty, animals, colours, numbers, places, verbs, food). Words
of a family share their contexts, so word2vec can find the families from the text alone.
The word "bank" appears in river sentences and in money sentences: one word, two meanings.

    python -m helpers.corpus      # rewrites both files; a test checks they reproduce exactly

Fixed seed, ``random.Random`` only (its ``choice`` is stable across Python versions).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 2017
N_SENTENCES = 700

FAMILIES: dict[str, list[str]] = {
    "royalty": ["king", "queen", "prince", "princess", "lord", "lady"],
    "animals": ["cat", "dog", "horse", "cow", "sheep", "goat"],
    "colours": ["red", "blue", "green", "yellow", "white", "black"],
    "numbers": ["two", "three", "four", "five", "six", "seven"],
    "places": ["Paris", "London", "Rome", "Tokyo", "Cairo", "Lima"],
    "verbs": ["walks", "runs", "jumps", "swims", "climbs", "dances"],
    "food": ["bread", "cheese", "soup", "rice", "cake", "fruit"],
}
SLOTS = {
    "R": "royalty",
    "A": "animals",
    "C": "colours",
    "N": "numbers",
    "P": "places",
    "V": "verbs",
    "F": "food",
}

TEMPLATES = [
    # royalty
    "the {R} rules the kingdom",
    "the {R} wears a golden crown",
    "the {R} sits on the throne",
    "the {R} speaks to the court",
    "the old {R} lives in the castle",
    "the young {R} rides to {P}",
    "the {R} eats {F} at the feast",
    # animals
    "the {A} eats grass in the field",
    "the {A} sleeps in the barn",
    "the farmer feeds the {A}",
    "the {A} drinks water from the river",
    "the little {A} follows the farmer",
    "a {C} {A} {V} in the field",
    # colours
    "she painted the door {C}",
    "he wore a {C} coat",
    "the flowers are {C} and {C}",
    "her favourite colour is {C}",
    "the {C} flag waves over the castle",
    "the sky turned {C} at dusk",
    # numbers
    "the farmer has {N} animals",
    "they waited {N} hours for the boat",
    "she counted {N} coins",
    "{N} days later the {R} returned",
    "the train leaves in {N} minutes",
    "the child counts to {N}",
    # places
    "the train goes to {P}",
    "she lives in {P}",
    "we flew from {P} to {P}",
    "{P} is a large city",
    "the museum in {P} is famous",
    "he travelled to {P} by train",
    # verbs
    "the child {V} in the park",
    "every morning she {V} to school",
    "he {V} faster than his brother",
    "the {A} {V} across the field",
    "the girl {V} and the boy {V}",
    # food
    "we ate {F} for dinner",
    "the baker sells {F}",
    "she cooked {F} in the kitchen",
    "he bought {F} at the market",
    "the children share the {F}",
    # bank: the river
    "the boat is tied at the bank of the river",
    "we walked along the river bank",
    "the fisherman sat on the bank and watched the water",
    "the river flooded the bank after the rain",
    # bank: the money
    "she put her money in the bank",
    "the bank gave him a loan",
    "he opened an account at the bank",
    "the bank keeps the gold and the money in a safe",
]


def fill(template: str, rng: random.Random) -> str:
    """One sentence: every ``{X}`` slot replaced by a random word of its family."""
    words = []
    for part in template.split():
        if part.startswith("{") and part.endswith("}"):
            words.append(rng.choice(FAMILIES[SLOTS[part[1:-1]]]))
        else:
            words.append(part)
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + "."


def generate(seed: int = SEED, n_sentences: int = N_SENTENCES) -> str:
    """The corpus text: ``n_sentences`` lines, one sentence each."""
    rng = random.Random(seed)
    return "\n".join(fill(rng.choice(TEMPLATES), rng) for _ in range(n_sentences)) + "\n"


def families_json() -> str:
    """``word_families.json``: family -> its words, lower case as the tokeniser yields them."""
    lower = {family: [w.lower() for w in words] for family, words in FAMILIES.items()}
    return json.dumps(lower, indent=2) + "\n"


def write(folder: Path) -> None:
    """Write ``corpus.txt`` and ``word_families.json`` into ``folder``."""
    (folder / "corpus.txt").write_text(generate(), encoding="utf-8")
    (folder / "word_families.json").write_text(families_json(), encoding="utf-8")


if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "assets")

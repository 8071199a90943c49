"""The generator of ``assets/senses.json`` and ``assets/sentence_pairs.json`` (notebook 08).

``senses.json``: five words that each have two senses (bank, bat, spring, match, light), each
kept whole by all-MiniLM-L6-v2's WordPiece tokenizer (one token, checked by the tests), in 20
sentences per sense: 10 templates per sense, each filled twice with different people and times.
Every sentence holds its word exactly once. A template's ``fold`` (its number modulo 5) puts
both its sentences in the same fold, so a probe tested on a fold meets templates it never saw.
It also holds ``repeats``: sentences in which a noun occurs twice, for the "same word
elsewhere" head role.

``sentence_pairs.json``: 32 paraphrase pairs written by hand, and 32 unrelated pairs made by
pairing each first sentence with the second sentence of another pair (a seeded derangement);
also 10 ``swapped`` pairs, the same words with the roles swapped ("The dog bit the man." /
"The man bit the dog."): a mean over token vectors can hardly tell them apart.

    python -m helpers.sense_corpus      # rewrites both files; a test checks they reproduce exactly

Fixed seed, ``random.Random`` only (its ``sample`` and ``shuffle`` are stable across Pythons).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 2019  # Michel et al., "Are Sixteen Heads Really Better than One?"
PER_TEMPLATE = 2
N_FOLDS = 5

PEOPLE = [
    "my sister", "the old man", "our neighbour", "a tourist", "the teacher",
    "her brother", "the boy", "a young woman", "my grandfather", "the student",
]  # fmt: skip
TIMES = ["yesterday", "last week", "on Sunday", "this morning", "last night", "on Friday"]
SLOTS = {"P": PEOPLE, "T": TIMES}

# word -> {sense: 10 templates}; {P} a person, {T} a time; the word itself appears once.
SENSES: dict[str, dict[str, list[str]]] = {
    "bank": {
        "river": [
            "{P} sat on the bank and watched the river {T}.",
            "{P} pulled the boat up onto the grassy bank {T}.",
            "Ducks were sleeping on the bank of the stream {T}.",
            "{P} fished from the steep bank of the river.",
            "After the flood {P} found the bank of the river covered in mud.",
            "{P} walked along the bank beside the water {T}.",
            "{P} saw reeds growing thick on the far bank of the lake.",
            "The river overflowed its bank {T}.",
            "{P} had a picnic on the bank near the old bridge {T}.",
            "{P} climbed down the bank where the stream bends.",
        ],
        "money": [
            "{P} paid the cheque into the bank {T}.",
            "The bank approved the loan for {P} {T}.",
            "{P} withdrew some cash from the bank {T}.",
            "{P} complained that the bank charges a fee for every transfer.",
            "{P} works as a clerk at the bank in town.",
            "Interest rates at the bank went up {T}.",
            "{P} opened a savings account at the bank {T}.",
            "The bank was robbed {T}.",
            "{P} phoned the bank about a missing payment.",
            "{P} heard that the bank closed the branch near the station.",
        ],
    },
    "bat": {
        "animal": [
            "{P} saw a bat flying out of the cave {T}.",
            "A bat hung upside down in the barn {T}.",
            "The bat hunted moths above the pond {T}.",
            "{P} found a sleeping bat in the attic.",
            "{P} watched the little bat flap its wings in the dark.",
            "{P} learned that the bat finds insects by their echoes.",
            "A bat flew past the lamp {T}.",
            "{P} heard a bat squeak in the trees {T}.",
            "The bat ate a beetle in the garden {T}.",
            "{P} rescued a bat with a broken wing.",
        ],
        "sport": [
            "{P} swung the bat and hit the ball {T}.",
            "{P} bought a new cricket bat {T}.",
            "{P} chose a bat made of willow.",
            "{P} dropped the bat and ran to first base.",
            "{P} gripped the bat with both hands {T}.",
            "{P} broke the wooden bat during the game {T}.",
            "The coach handed {P} a heavier bat.",
            "{P} left the bat and the gloves in the car.",
            "{P} practised with an aluminium bat {T}.",
            "The umpire checked the bat of {P} before the game.",
        ],
    },
    "spring": {
        "season": [
            "{P} planted tulips last spring.",
            "{P} loves the flowers that bloom in spring.",
            "{P} says the days grow longer in spring.",
            "{P} visited Japan in the spring to see the cherry blossom.",
            "{P} heard the birds return in spring after the long winter.",
            "{P} cleaned the whole house in spring.",
            "{P} fed the lambs born on the farm this spring.",
            "{P} got married in the spring of that year.",
            "{P} waited for the snow to melt in early spring.",
            "{P} always catches a cold in spring.",
        ],
        "coil": [
            "{P} replaced the broken spring in the old mattress.",
            "The spring inside the pen snapped {T}.",
            "{P} stretched the metal spring until it broke.",
            "{P} oiled the steel spring that pushes the door shut.",
            "{P} compressed the spring and let it go {T}.",
            "{P} wound the spring of the old clock {T}.",
            "{P} found a loose spring inside the toy car.",
            "The trampoline lost a spring {T}.",
            "{P} bought a stronger spring for the garage door.",
            "The spring in the seat squeaked when {P} sat down.",
        ],
    },
    "match": {
        "game": [
            "{P} watched the football match on television {T}.",
            "Our team won the match by two goals {T}.",
            "{P} scored in the last minute of the match.",
            "The tennis match lasted four hours {T}.",
            "{P} bought tickets for the match {T}.",
            "The match was cancelled because of the rain {T}.",
            "{P} played a chess match against the champion.",
            "The referee stopped the match {T}.",
            "{P} lost the match in the final set.",
            "Thousands of fans came to the match {T}.",
        ],
        "fire": [
            "{P} struck a match and lit the candle {T}.",
            "{P} blew out the match before it burned the fingers.",
            "{P} lit the stove with a single match {T}.",
            "{P} tried the wet match but it would not burn.",
            "{P} dropped a burning match into the fireplace.",
            "{P} found one dry match in the box {T}.",
            "{P} held the match to the fire {T}.",
            "{P} struck the match on the side of the box.",
            "A single match started the forest fire {T}.",
            "{P} used a match to burn the old letters.",
        ],
    },
    "light": {
        "lamp": [
            "{P} switched on the light in the kitchen {T}.",
            "The light in the hallway flickered {T}.",
            "{P} turned off the light and went to sleep.",
            "A bright light shone through the window {T}.",
            "{P} could not read without a light.",
            "The light above the door was broken {T}.",
            "{P} saw a strange light over the hills {T}.",
            "The traffic light turned red {T}.",
            "{P} fixed the light in the bathroom.",
            "{P} painted by the light of the candle.",
        ],
        "weight": [
            "{P} carried the light suitcase up the stairs {T}.",
            "{P} said the box was light enough to lift.",
            "{P} packed a light jacket for the trip.",
            "{P} rode a light bicycle to work {T}.",
            "{P} lifted the light parcel with one hand.",
            "{P} felt that the empty bag was light on the back.",
            "{P} bought a light tent for hiking {T}.",
            "{P} said the feather was as light as air.",
            "{P} wore light shoes for the race {T}.",
            "{P} chose a light laptop for travelling.",
        ],
    },
}

# A noun twice in one sentence: {N} is filled with the same noun both times.
NOUNS = ["horse", "car", "tree", "house", "bird", "ship", "chair", "door", "dog", "cat"]
REPEAT_TEMPLATES = [
    "{P} painted the {N} and then washed the {N}.",
    "The old {N} stood next to a new {N}.",
    "{P} drew a small {N} beside a big {N}.",
    "One {N} was red and the other {N} was blue.",
    "{P} sold the {N} and bought another {N}.",
    "Every {N} in the street looked like the {N} of {P}.",
    "{P} compared the first {N} with the second {N}.",
    "The {N} that {P} liked was the cheapest {N}.",
    "{P} saw one {N} and then another {N} {T}.",
    "A {N} is not always a good {N}.",
]
N_REPEATS = 20

PARAPHRASES = [
    ("The cat is sleeping on the sofa.", "A cat naps on the couch."),
    ("He bought a new car yesterday.", "Yesterday he purchased a new automobile."),
    ("The meeting was moved to Friday.", "They postponed the meeting until Friday."),
    ("She is learning to play the piano.", "She takes piano lessons."),
    ("The shop closes at nine in the evening.", "The store shuts at 9 pm."),
    ("It is raining heavily outside.", "There is a downpour out there."),
    ("The children are playing in the garden.", "The kids play outside in the yard."),
    ("I am very tired after the long trip.", "The long journey left me exhausted."),
    ("The film was extremely boring.", "The movie was really dull."),
    ("He fixed the broken window.", "He repaired the window that was broken."),
    ("The train arrived late this morning.", "This morning the train was delayed."),
    ("She forgot her keys at home.", "She left her keys in the house."),
    ("The soup is too hot to eat.", "The soup is still too hot to have."),
    ("We need to buy more milk.", "We are running out of milk."),
    ("The doctor told him to rest.", "His physician advised him to take it easy."),
    ("The company hired ten new workers.", "The firm took on ten new employees."),
    ("My phone battery is almost empty.", "My mobile is nearly out of charge."),
    ("The road is closed because of snow.", "Snow has blocked the road."),
    ("He runs five kilometres every morning.", "Each morning he goes for a five kilometre run."),
    ("The museum is free on Sundays.", "On Sundays you can visit the museum without paying."),
    ("She won the first prize in the contest.", "She came first in the competition."),
    ("The baby started crying at midnight.", "At midnight the infant began to cry."),
    ("The price of bread has gone up.", "Bread has become more expensive."),
    ("They are moving to a bigger flat.", "They will move into a larger apartment."),
    (
        "The teacher explained the lesson again.",
        "The lesson was explained a second time by the teacher.",
    ),
    ("I cannot find my glasses anywhere.", "My spectacles have gone missing."),
    ("The dog barked at the postman.", "The postman was barked at by the dog."),
    ("Dinner will be ready in ten minutes.", "The meal will be served in ten minutes."),
    ("He speaks three languages fluently.", "He is fluent in three languages."),
    ("The flight to Rome was cancelled.", "The plane to Rome did not leave."),
    ("The library opens at eight.", "The library's doors open at 8 am."),
    ("She painted the kitchen walls yellow.", "She gave the kitchen walls a coat of yellow paint."),
]

# Same words, roles swapped: different meaning, (almost) the same bag of words.
SWAPPED = [
    ("The dog bit the man.", "The man bit the dog."),
    ("Anna owes Tom money.", "Tom owes Anna money."),
    ("The cat chased the mouse.", "The mouse chased the cat."),
    ("Tom is taller than Anna.", "Anna is taller than Tom."),
    ("The teacher praised the student.", "The student praised the teacher."),
    ("The boy pushed the girl into the pool.", "The girl pushed the boy into the pool."),
    ("The company bought the bank.", "The bank bought the company."),
    ("My sister called my brother.", "My brother called my sister."),
    ("The police followed the thief.", "The thief followed the police."),
    ("Paris is bigger than Rome.", "Rome is bigger than Paris."),
]


def fill(template: str, choice: dict[str, str]) -> str:
    """One sentence: each ``{X}`` slot replaced by ``choice[X]``; capitalised first letter."""
    sentence = template.format(**choice)
    return sentence[0].upper() + sentence[1:]


def _fillings(template: str, rng: random.Random, n: int, extra: dict[str, list[str]] | None = None):
    """``n`` different slot choices for ``template``, drawn from ``rng``."""
    slots = dict(SLOTS, **(extra or {}))
    used = [name for name in slots if "{" + name + "}" in template]
    options = [{}]
    for name in used:
        options = [dict(o, **{name: value}) for o in options for value in slots[name]]
    return rng.sample(options, n)


def sense_sentences(seed: int = SEED) -> list[dict]:
    """Every sense sentence as ``{"word", "sense", "template", "fold", "text"}``."""
    rng = random.Random(seed)
    rows = []
    for word, senses in SENSES.items():
        for sense, templates in senses.items():
            for t, template in enumerate(templates):
                for choice in _fillings(template, rng, PER_TEMPLATE):
                    text = fill(template, choice)
                    rows.append(
                        {
                            "word": word,
                            "sense": sense,
                            "template": t,
                            "fold": t % N_FOLDS,
                            "text": text,
                        }
                    )
    return rows


def repeat_sentences(seed: int = SEED) -> list[str]:
    """Sentences in which one noun occurs twice."""
    rng = random.Random(seed + 1)
    rows = []
    for i in range(N_REPEATS):
        template = REPEAT_TEMPLATES[i % len(REPEAT_TEMPLATES)]
        (choice,) = _fillings(template, rng, 1, {"N": NOUNS})
        rows.append(fill(template, choice))
    return rows


def senses_json(seed: int = SEED) -> str:
    """The text of ``senses.json``."""
    data = {
        "about": "Five words with two senses each, 20 sentences per sense (10 templates x 2); "
        "fold = template % 5. Made by python -m helpers.sense_corpus.",
        "senses": {word: list(senses) for word, senses in SENSES.items()},
        "sentences": sense_sentences(seed),
        "repeats": repeat_sentences(seed),
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def unrelated_pairs(seed: int = SEED) -> list[tuple[str, str]]:
    """Each paraphrase pair's first sentence with the second sentence of another pair."""
    rng = random.Random(seed + 2)
    n = len(PARAPHRASES)
    while True:  # a derangement: no sentence keeps its own partner
        order = list(range(n))
        rng.shuffle(order)
        if all(i != j for i, j in enumerate(order)):
            break
    return [(PARAPHRASES[i][0], PARAPHRASES[j][1]) for i, j in enumerate(order)]


def pairs_json(seed: int = SEED) -> str:
    """The text of ``sentence_pairs.json``."""
    data = {
        "about": "Paraphrase pairs (written by hand), unrelated pairs (each first sentence "
        "with another pair's second sentence), swapped pairs (same words, roles swapped). "
        "Made by python -m helpers.sense_corpus.",
        "paraphrase": [list(p) for p in PARAPHRASES],
        "unrelated": [list(p) for p in unrelated_pairs(seed)],
        "swapped": [list(p) for p in SWAPPED],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def write(folder: Path) -> None:
    """Write ``senses.json`` and ``sentence_pairs.json`` into ``folder``."""
    (folder / "senses.json").write_text(senses_json(), encoding="utf-8")
    (folder / "sentence_pairs.json").write_text(pairs_json(), encoding="utf-8")


if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "assets")

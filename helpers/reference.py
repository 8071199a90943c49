"""A reference for notebook 08: all-MiniLM-L6-v2's sentence vectors as ``sentence-transformers``
itself makes them, computed once and stored (``assets/minilm_reference.json``), so that the
notebook can check the series' own implementation against an independent one live, without
importing that library (its import adds about 8 s to torch's).

    ref = load_reference()        # {"sentences": [...], "vectors": [[384 floats], ...], ...}
    model.embed(ref["sentences"])  # must equal ref["vectors"] within 1e-5

Made by (sentence-transformers is installed with the model package; run it again after the
model or the sentences change)::

    python -m helpers.reference --out assets/minilm_reference.json

``tests/unit/test_pretrained.py`` computes the vectors again with ``sentence-transformers`` and
checks them equal to the stored ones. The helpers never import ``sentence-transformers``
otherwise: :func:`reference_json` imports it only when the file is made.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from helpers import asset_path

__all__ = ["REFERENCE", "REFERENCE_COMMAND", "SENTENCES", "reference_json", "load_reference"]

REFERENCE = "minilm_reference.json"
REFERENCE_COMMAND = "python -m helpers.reference --out assets/minilm_reference.json"
# Three lengths in one batch (so padding is part of the check): 3, 8 and 16 tokens.
SENTENCES = [
    "Hi",
    "The bank raised its rates.",
    "We sat on the bank of the river and watched the boats go by.",
]
DIGITS = 6  # rounding of the stored vectors: an error of at most 5e-7


def reference_vectors(sentences: list[str] = SENTENCES) -> list[list[float]]:
    """The sentence vectors ``sentence-transformers`` makes for ``sentences`` (unit length), from
    the files of the installed model package, on the CPU, offline."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    from helpers.pretrained import model_path

    encoder = SentenceTransformer(str(model_path()), device="cpu")
    vectors = encoder.encode(sentences, normalize_embeddings=True)  # numpy (B, 384)
    return [[round(float(v), DIGITS) + 0.0 for v in row] for row in vectors]


def reference_json(sentences: list[str] = SENTENCES) -> str:
    """The text of ``assets/minilm_reference.json``: the sentences, their vectors by
    ``sentence-transformers``, and the versions that made them."""
    import sentence_transformers
    import torch
    import transformers

    from helpers.pretrained import REVISION, WEIGHTS_SHA256

    result = {
        "about": (
            "all-MiniLM-L6-v2's sentence vectors made by sentence-transformers (not by this "
            f"series' code), rounded to {DIGITS} decimals. Made by {REFERENCE_COMMAND} "
            "(helpers/reference.py)."
        ),
        "model": {"revision": REVISION, "sha256": WEIGHTS_SHA256},
        "made_with": {
            "sentence-transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "torch": torch.__version__.split("+")[0],
        },
        "sentences": list(sentences),
        "vectors": reference_vectors(sentences),
    }
    text = json.dumps(result, indent=1, ensure_ascii=False)
    numbers = re.compile(r"\[[\s\d.,eE+-]*\]")  # a list of numbers only: one line per vector
    return numbers.sub(lambda m: json.dumps(json.loads(m.group())), text) + "\n"


def load_reference(name: str = REFERENCE) -> dict:
    """The stored reference (``assets/minilm_reference.json``, made by
    :data:`REFERENCE_COMMAND`)."""
    return json.loads(asset_path(name).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Store sentence-transformers' MiniLM vectors.")
    parser.add_argument("--out", type=Path, required=True, help="e.g. assets/" + REFERENCE)
    args = parser.parse_args(argv)
    text = reference_json()
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()) / 1000:.1f} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

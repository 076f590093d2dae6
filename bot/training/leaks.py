"""Held-out sentences that are near-copies of training sentences.

A held-out set is honest only if no sentence of it is (almost) in training. Both sides are folded
— lower case, no accents, no punctuation, no emoji, spaces collapsed — and a fuzzy ratio of at
least `LEAK_RATIO` (rapidfuzz's normalized Indel similarity, 0–100) counts as a leak: one number
changed or one word swapped is still the same sentence. So does a sentence of three words or more
that shares `LEAK_WORD_OVERLAP` of its words (Jaccard) with a training sentence: the same words
reordered.

`python -m bot.training.leaks` lists them (the held-out side by default; `--show training` names the
training sentence instead, for whoever edits data/nlu without reading the held-out sets).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.training.nlu_files import Example, holdout_paths, load_examples, training_paths

LEAK_RATIO = 85.0
LEAK_WORD_OVERLAP = 0.8


def leak_key(text: str) -> str:
    """What a sentence says, without case, accents, punctuation or emoji; every number is 0."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"\d+", "0", word) for word in re.findall(r"[^\W_]+", bare))


@dataclass(frozen=True)
class Leak:
    heldout: Example
    training: Example
    ratio: float


def find_leaks(
    heldout: Sequence[Example], training: Sequence[Example], threshold: float = LEAK_RATIO
) -> list[Leak]:
    """Each held-out example whose folded text has a training example at `threshold` or above."""
    if not heldout or not training:
        return []
    held_keys = [leak_key(e.text) for e in heldout]
    train_keys = [leak_key(e.text) for e in training]
    scores = process.cdist(held_keys, train_keys, scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
    train_words = [set(key.split()) for key in train_keys]
    leaks = []
    for row, example in enumerate(heldout):
        if not held_keys[row]:
            continue
        best = int(scores[row].argmax())
        if scores[row, best] >= threshold:
            leaks.append(Leak(example, training[best], float(scores[row, best])))
        elif (overlap := _same_words(set(held_keys[row].split()), train_words)) is not None:
            leaks.append(Leak(example, training[overlap], float(scores[row, overlap])))
    return leaks


def _same_words(words: set[str], training: list[set[str]]) -> int | None:
    """The first training sentence made of (almost) the same words, for sentences of 3 words or more."""
    if len(words) < 3:
        return None
    for index, other in enumerate(training):
        if other and len(words & other) / len(words | other) >= LEAK_WORD_OVERLAP:
            return index
    return None


def leaking_texts(candidates: Sequence[str], heldout: Sequence[Example] | None = None) -> set[str]:
    """The `candidates` (new training sentences) that would leak into a held-out set."""
    heldout = load_examples(holdout_paths()) if heldout is None else heldout
    as_training = [Example(text, "") for text in candidates]
    return {leak.training.text for leak in find_leaks(heldout, as_training)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.training.leaks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--show", choices=("heldout", "training"), default="heldout")
    parser.add_argument("--threshold", type=float, default=LEAK_RATIO)
    args = parser.parse_args(argv)
    leaks = find_leaks(load_examples(holdout_paths()), load_examples(training_paths()), args.threshold)
    for leak in leaks:
        side = leak.heldout if args.show == "heldout" else leak.training
        print(f"{side.source}\t{side.full_intent}\t{leak.ratio:.0f}\t{side.text}")
    print(f"{len(leaks)} held-out sentences leak (ratio >= {args.threshold:g})", file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())

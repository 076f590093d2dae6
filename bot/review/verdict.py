"""Whether a retrained NLU model may replace the one in production.

Both models are scored on the same held-out sets (`bot.training.evaluation.evaluate`); the
candidate is promoted only if it is not worse:

* its macro-F1 over the core intents is at most `Gate.f1_tolerance` below production's, and
* no core intent loses more than `Gate.max_recall_drop` of its recall — a model can win on average
  while it stops recognising complaints, and a missed `queja` costs more than the average shows.

A core intent absent from a `Scores` (no held-out example of it) counts as recall 0.0 and F1 0.0 there,
so a candidate scored without it never passes for one scored with it. Figures are compared with a
margin of 1e-9: equal figures pass, whatever the floating point rounding did to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.training.evaluation import CORE_INTENTS, Scores

EPSILON = 1e-9


@dataclass(frozen=True)
class Gate:
    f1_tolerance: float = 0.0  # the candidate's macro-F1 may be at most this much lower
    max_recall_drop: float = 0.05  # no core intent may lose more recall than this
    core_intents: tuple[str, ...] = CORE_INTENTS


@dataclass(frozen=True)
class Verdict:
    promote: bool
    production_f1: float
    candidate_f1: float
    recall_changes: dict[str, tuple[float, float]]  # core intent → (production recall, candidate recall)
    reasons: list[str]  # why it is refused, with the figures; empty when promoted


def recall(scores: Scores, intent: str) -> float:
    """The recall of `intent`, 0.0 when the scores have no example of it."""
    return scores.per_intent[intent][1] if intent in scores.per_intent else 0.0


def macro_f1(scores: Scores, intents: tuple[str, ...] = CORE_INTENTS) -> float:
    """`Scores.macro_f1`, counting an intent the scores have no example of as F1 0.0."""
    if not intents:
        return 0.0
    return sum(scores.per_intent[i][2] if i in scores.per_intent else 0.0 for i in intents) / len(intents)


def judge(production: Scores, candidate: Scores, gate: Gate = Gate()) -> Verdict:
    """Compare `candidate` with `production` under `gate`; the reasons say every rule it breaks."""
    production_f1 = macro_f1(production, gate.core_intents)
    candidate_f1 = macro_f1(candidate, gate.core_intents)
    reasons = []
    if candidate_f1 < production_f1 - gate.f1_tolerance - EPSILON:
        reasons.append(
            f"macro-F1 {candidate_f1:.3f} is lower than production's {production_f1:.3f} "
            f"(tolerance {gate.f1_tolerance:.3f})"
        )
    recall_changes = {}
    for intent in gate.core_intents:
        before, after = recall(production, intent), recall(candidate, intent)
        recall_changes[intent] = (before, after)
        if before - after > gate.max_recall_drop + EPSILON:
            reasons.append(
                f"recall of {intent} fell from {before:.3f} to {after:.3f} "
                f"(more than {gate.max_recall_drop:.3f})"
            )
    return Verdict(not reasons, production_f1, candidate_f1, recall_changes, reasons)

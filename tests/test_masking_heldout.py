"""The review loop's masking measured on annotated Spanish messages from Spain and Latin America
(tests/data/personal_data_*.yml; see tests/support/personal_data_sets.py for how a span counts as caught).

The held-out set was written by someone who saw neither the masker nor the tuning sets; the masker
was developed against the tuning sets only. Figures in docs/operators.md («What is masked»)."""

from __future__ import annotations

import pytest

from bot.privacy.masking import mask_personal_data
from tests.support.personal_data_sets import load, report, score

HELDOUT_RECALL = 0.95
HELDOUT_CLEAN_KEPT = 0.90  # sentences without personal data that come out unchanged
# The sets the masker was developed against (B: the kinds it found hardest, unusual formats).
TUNING_RECALL = {"tuning": 0.98, "tuning_b": 0.92}


def test_the_held_out_set_has_what_issue_19_asks_for():
    sentences = load("heldout")
    with_data = [sentence for sentence in sentences if sentence.spans]
    kinds = {kind for sentence in with_data for kind, _ in sentence.spans}
    assert len(with_data) >= 100
    assert {
        "nombre",
        "direccion",
        "codigo_postal",
        "email_deletreado",
        "usuario",
        "cvv",
        "pasaporte",
    } <= kinds
    assert {"matricula", "documento", "telefono", "email", "tarjeta", "iban"} <= kinds


def test_held_out_personal_data_is_masked_with_a_recall_of_at_least_0_95():
    result = score(load("heldout"), mask_personal_data)
    print(report(result))
    assert result.recall >= HELDOUT_RECALL, report(result)
    assert result.clean_kept >= HELDOUT_CLEAN_KEPT, report(result)


@pytest.mark.parametrize("name", sorted(TUNING_RECALL))
def test_the_tuning_sets_are_masked(name):
    result = score(load(name), mask_personal_data)
    print(report(result))
    assert result.recall >= TUNING_RECALL[name], "\n".join(
        f"{kind}: {span!r} in {masked!r}" for kind, span, masked in result.missed
    )

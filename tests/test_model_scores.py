"""The held-out scores kept beside a model are reported only for that model."""

from __future__ import annotations

import json

from bot.training.model_scores import held_out_scores, scores_path


def test_the_scores_of_the_model_in_use_and_of_no_other(tmp_path):
    model = tmp_path / "atencion.tar.gz"
    assert scores_path(model) == tmp_path / "atencion.scores.json"
    assert held_out_scores("a1b2", model) == {}  # never measured
    recorded = {"model_id": "a1b2", "macro_f1": {"nlu_holdout": 0.969, "nlu_holdout_c": 0.955}}
    scores_path(model).write_text(json.dumps(recorded), encoding="utf-8")
    assert held_out_scores("a1b2", model) == {"nlu_holdout": 0.969, "nlu_holdout_c": 0.955}
    assert held_out_scores("c3d4", model) == {}  # a model retrained or rolled back since
    assert held_out_scores(None, model) == {}  # no model loaded
    scores_path(model).write_text("{not json", encoding="utf-8")
    assert held_out_scores("a1b2", model) == {}

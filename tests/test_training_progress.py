"""Reading `rasa train`'s log, and following it while it trains."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from bot.training.progress import PREPARING, Progress, follow_training, read_progress

# Excerpts of a real Rasa 3.6 log (`rasa train` of this repo's data, 3 epochs), \r as tqdm wrote them.
VALIDATION = (
    "2026-11-24 22:16:28 INFO     rasa.cli.train  - Started validating domain and training data...\n"
    "2026-11-24 22:16:32 INFO     rasa.validator  - Story structure validation...\n"
    "\rProcessed story blocks:   0%|          | 0/4 [00:00<?, ?it/s]"
    "\rProcessed story blocks:   0%|          | 0/4 [00:00<?, ?it/s, # trackers=1]"
    "\rProcessed story blocks: 100%|██████████| 4/4 [00:00<00:00, 2153.69it/s, # trackers=1]\n"
    "2026-11-24 22:16:32 INFO     rasa.validator  - No story structure conflicts found.\n"
)
FEATURIZERS = (
    "2026-11-24 22:16:35 INFO     rasa.nlu.utils.spacy_utils  - "
    "Trying to load SpaCy model with name 'es_core_news_sm'.\n"
    "2026-11-24 22:16:40 INFO     rasa.engine.training.hooks  - "
    "Starting to train component 'RegexFeaturizer'.\n"
    "2026-11-24 22:16:40 INFO     rasa.engine.training.hooks  - "
    "Finished training component 'RegexFeaturizer'.\n"
    "2026-11-24 22:16:47 INFO     rasa.engine.training.hooks  - "
    "Starting to train component 'CountVectorsFeaturizer'.\n"
    "2026-11-24 22:16:47 INFO     rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer  - "
    "6631 vocabulary items were created for text attribute.\n"
    "2026-11-24 22:16:48 INFO     rasa.engine.training.hooks  - "
    "Finished training component 'CountVectorsFeaturizer'.\n"
)
DIET_STARTS = (
    "2026-11-24 22:16:53 INFO     rasa.engine.training.hooks  - "
    "Starting to train component 'DIETClassifier'.\n"
    "\x1b[93m/work/main/.venv/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: UserWarning: "
    "'evaluate_every_number_of_epochs=20' is greater than 'epochs=3'. No evaluation will occur.\n"
    "\x1b[0m\rEpochs:   0%|          | 0/3 [00:00<?, ?it/s]"
)
DIET_EPOCH_1 = (
    "\rEpochs:  33%|███▎      | 1/3 [00:08<00:16,  8.34s/it]"
    "\rEpochs:  33%|███▎      | 1/3 [00:08<00:16,  8.34s/it, t_loss=4.63, i_acc=0.554]"
)
DIET_ENDS = (
    "\rEpochs:  67%|██████▋   | 2/3 [00:10<00:04,  4.75s/it, t_loss=4.63, i_acc=0.554]"
    "\rEpochs: 100%|██████████| 3/3 [00:12<00:00,  3.63s/it, t_loss=2.93, i_acc=0.905]"
    "\rEpochs: 100%|██████████| 3/3 [00:12<00:00,  4.29s/it, t_loss=2.93, i_acc=0.905]\n"
    "2026-11-24 22:17:08 INFO     rasa.engine.training.hooks  - "
    "Finished training component 'DIETClassifier'.\n"
)
RESPONSE_SELECTOR_STARTS = (
    "2026-11-24 22:17:08 INFO     rasa.engine.training.hooks  - "
    "Starting to train component 'ResponseSelector'.\n"
)
MEMOIZATION = (
    "2026-11-24 22:17:17 INFO     rasa.engine.training.hooks  - "
    "Starting to train component 'MemoizationPolicy'.\n"
    "\rProcessed trackers:   0%|          | 0/4 [00:00<?, ?it/s]"
    "\rProcessed trackers:   0%|          | 0/4 [00:00<?, ?it/s, # action=1]"
    "\rProcessed trackers: 100%|██████████| 4/4 [00:00<00:00, 2544.70it/s, # action=30]\n"
    "\rProcessed actions: 0it [00:00, ?it/s]"
    "\rProcessed actions: 30it [00:00, 22453.45it/s, # examples=30]\n"
)
TED = (
    "2026-11-24 22:17:18 INFO     rasa.engine.training.hooks  - Starting to train component 'TEDPolicy'.\n"
    "\rProcessed trackers: 100%|██████████| 244/244 [00:00<00:00, 2419.54it/s, # action=78]\n"
    "\rEpochs:   0%|          | 0/3 [00:00<?, ?it/s]"
    "\rEpochs:  67%|██████▋   | 2/3 [00:08<00:08,  8.08s/it, t_loss=4.54, loss=4.38, acc=0.128] "
    "\rEpochs: 100%|██████████| 3/3 [00:08<00:00,  2.73s/it, t_loss=4.46, loss=4.29, acc=0.115]\n"
    "2026-11-24 22:17:28 INFO     rasa.engine.training.hooks  - Finished training component 'TEDPolicy'.\n"
)
TRAINED = "\x1b[92mYour Rasa model is trained and saved at '/tmp/trainprog.nv5m/out/x.tar.gz'.\x1b[0m\n"


def test_an_empty_log_is_preparing() -> None:
    assert read_progress("") == Progress(PREPARING, 0, 0, False)


def test_validation_bars_are_not_epochs() -> None:
    assert read_progress(VALIDATION) == Progress(PREPARING, 0, 0, False)


def test_a_component_without_epochs() -> None:
    assert read_progress(VALIDATION + FEATURIZERS) == Progress("CountVectorsFeaturizer", 0, 0, False)


def test_the_latest_epoch_of_the_bar_rewritten_with_carriage_returns() -> None:
    log = VALIDATION + FEATURIZERS + DIET_STARTS
    assert read_progress(log) == Progress("DIETClassifier", 0, 3, False)
    assert read_progress(log + DIET_EPOCH_1) == Progress("DIETClassifier", 1, 3, False)


def test_a_bar_half_written_does_not_count() -> None:
    log = VALIDATION + FEATURIZERS + DIET_STARTS + DIET_EPOCH_1
    assert read_progress(log + "\rEpochs:  67%|██████▋   | 2/") == Progress("DIETClassifier", 1, 3, False)


def test_a_finished_component_stays_the_stage_until_the_next_starts() -> None:
    log = FEATURIZERS + DIET_STARTS + DIET_EPOCH_1 + DIET_ENDS
    assert read_progress(log) == Progress("DIETClassifier", 3, 3, False)


def test_a_new_stage_does_not_inherit_the_previous_epochs() -> None:
    log = FEATURIZERS + DIET_STARTS + DIET_EPOCH_1 + DIET_ENDS + RESPONSE_SELECTOR_STARTS
    assert read_progress(log) == Progress("ResponseSelector", 0, 0, False)


def test_tracker_bars_of_a_policy_are_not_epochs() -> None:
    assert read_progress(DIET_STARTS + DIET_ENDS + MEMOIZATION) == Progress("MemoizationPolicy", 0, 0, False)


def test_two_digit_epochs() -> None:
    log = DIET_STARTS + "\rEpochs:  45%|████▌     | 27/60 [00:03<00:04,  8.12it/s, t_loss=1.2, i_acc=0.97]"
    assert read_progress(log) == Progress("DIETClassifier", 27, 60, False)


def test_the_trained_model() -> None:
    log = VALIDATION + FEATURIZERS + DIET_STARTS + DIET_ENDS + MEMOIZATION + TED + TRAINED
    assert read_progress(log) == Progress("TEDPolicy", 3, 3, True)


# A stand-in for `rasa train`: writes Rasa's kind of log to its stdout over ~1 s, then exits.
FAKE_TRAINING = r"""
import sys, time

def say(text, pause=0.07):
    sys.stdout.write(text)
    sys.stdout.flush()
    time.sleep(pause)

HOOKS = "2026-11-24 22:16:40 INFO     rasa.engine.training.hooks  - "

def component(name, epochs=0):
    say(f"{HOOKS}Starting to train component '{name}'.\n")
    for done in range(epochs + 1 if epochs else 0):
        say(f"\rEpochs: {100 * done // epochs:3d}%|          | {done}/{epochs} [00:00<00:00,  1.00it/s]")
    say(f"\n{HOOKS}Finished training component '{name}'.\n")

say("2026-11-24 22:16:28 INFO     rasa.cli.train  - Started validating domain and training data...\n")
component("RegexFeaturizer")
component("DIETClassifier", epochs=3)
component("ResponseSelector", epochs=2)
component("TEDPolicy", epochs=2)
if sys.argv[1] == "0":
    say("\x1b[92mYour Rasa model is trained and saved at 'models/atencion.tar.gz'.\x1b[0m\n", 0)
sys.exit(int(sys.argv[1]))
"""


def fake_training(log_path: Path, exit_code: int) -> subprocess.Popen:
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [sys.executable, "-c", FAKE_TRAINING, str(exit_code)], stdout=log, stderr=subprocess.STDOUT
        )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_following_a_training_without_a_terminal(tmp_path: Path) -> None:
    log_path, out = tmp_path / "train.log", io.StringIO()
    assert follow_training(fake_training(log_path, 0), log_path, out, every=0.02) == 0
    lines = out.getvalue().splitlines()
    assert lines[:-1] == [
        "preparing the training data…",
        "training RegexFeaturizer…",
        "training DIETClassifier (3 epochs)…",
        "training ResponseSelector (2 epochs)…",
        "training TEDPolicy (2 epochs)…",
    ]
    assert lines[-1].startswith("model trained in 0:0")
    assert "\r" not in out.getvalue()


def test_a_failed_training_returns_its_exit_code(tmp_path: Path) -> None:
    log_path, out = tmp_path / "train.log", io.StringIO()
    assert follow_training(fake_training(log_path, 3), log_path, out, every=0.02) == 3
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines if line.startswith("training ")] == [
        "training RegexFeaturizer…",
        "training DIETClassifier",
        "training ResponseSelector",
        "training TEDPolicy",
    ]
    assert lines[-1].startswith("rasa train failed (exit 3) after 0:0")


@pytest.mark.parametrize("exit_code, last", [(0, "modelo entrenado · 0:0"), (3, "falló (código 3) · 0:0")])
def test_on_a_terminal_one_line_is_rewritten(tmp_path: Path, exit_code: int, last: str) -> None:
    log_path, out = tmp_path / "train.log", Terminal()
    assert follow_training(fake_training(log_path, exit_code), log_path, out, every=0.02) == exit_code
    shown = out.getvalue()
    assert shown.count("\n") == 1 and shown.endswith("\n")
    states = [state.rstrip() for state in shown.rstrip("\n").split("\r")[1:]]
    bars = [state.split(" · ")[0] for state in states]
    assert bars[0] == "preparando los datos"
    assert "entrenando DIETClassifier ███░░░░░░░ 1/3 épocas" in bars
    assert "entrenando TEDPolicy ██████████ 2/2 épocas" in bars
    assert last in states[-1]

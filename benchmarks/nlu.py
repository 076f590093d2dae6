"""NLU on the held-out sets: the product's model beside the TF-IDF baseline trained on the same
data in the same run, with calibration and parse latency; and the candidate pipelines compared.

    python -m benchmarks.nlu [--model models/atencion.tar.gz]       # the product's model
    python -m benchmarks.nlu --candidates                            # train and compare every pipeline
                                                                     # of benchmarks/nlu_pipelines/
    python -m benchmarks.nlu --tune-fallback                         # FallbackClassifier thresholds
                                                                     # from set A only

The tables go to stdout and into benchmarks/results.md («NLU» sections).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.results_file import write_results
from benchmarks.stats import percentile
from bot.config import PROJECT_ROOT
from bot.training.baseline import baseline_predictions, train_baseline
from bot.training.evaluation import Scores, load_agent, predict, score_predictions
from bot.training.nlu_files import holdout_paths, load_examples, training_paths
from bot.training.train import MODEL_PATH, run_rasa_train

PIPELINES_DIR = Path(__file__).with_name("nlu_pipelines")
PRODUCT_HEADING = "## NLU: the model against the baseline"
CANDIDATES_HEADING = "## NLU candidates"
HEADINGS = (PRODUCT_HEADING, CANDIDATES_HEADING)
SET_NAMES = {"nlu_holdout": "A (shop)", "nlu_holdout_b": "B (shop)", "nlu_holdout_c": "C (other sectors)"}


@dataclass(frozen=True)
class SetResult:
    name: str
    model: Scores
    baseline: Scores


def set_name(path: Path) -> str:
    return SET_NAMES.get(path.stem, path.stem)


def baseline_results() -> dict[str, Scores]:
    baseline = train_baseline(load_examples(training_paths()))
    results = {}
    for path in holdout_paths():
        examples = load_examples([path])
        results[set_name(path)] = score_predictions(
            examples, baseline_predictions(baseline, [e.text for e in examples])
        )
    return results


def model_results(agent) -> dict[str, Scores]:
    results = {}
    for path in holdout_paths():
        examples = load_examples([path])
        results[set_name(path)] = score_predictions(examples, predict(agent, [e.text for e in examples]))
    return results


async def parse_latencies(agent, texts: list[str]) -> list[float]:
    await agent.parse_message("hola")  # warm-up
    latencies = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        latencies.append(time.perf_counter() - started)
    return latencies


def parse_latency_ms(agent) -> tuple[float, float]:
    texts = [e.text for e in load_examples(holdout_paths())]
    latencies = asyncio.run(parse_latencies(agent, texts))
    return percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000


def product_table(model: dict[str, Scores], baseline: dict[str, Scores], p50: float, p95: float) -> str:
    lines = [
        "| set | n | model macro-F1 | baseline macro-F1 | margin | duda topic | ECE model / baseline "
        "| mistakes caught by the fallback | right answers sent to it |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, scores in model.items():
        base = baseline[name]
        topic = f"{scores.topic_accuracy:.3f}" if "C" not in name else "—"
        lines.append(
            f"| {name} | {scores.examples} | **{scores.macro_f1():.3f}** | {base.macro_f1():.3f} "
            f"| {scores.macro_f1() - base.macro_f1():+.3f} | {topic} "
            f"| {scores.calibration_error:.3f} / {base.calibration_error:.3f} "
            f"| {scores.caught:.0%} of {scores.errors} | {scores.false_alarms:.1%} |"
        )
    lines += ["", f"Parse latency (one process, one message at a time): p50 {p50:.1f} ms, p95 {p95:.1f} ms."]
    return "\n".join(lines)


def scratch_config(pipeline: Path, scratch: Path) -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = yaml.safe_load(pipeline.read_text(encoding="utf-8"))["pipeline"]
    root = scratch / pipeline.stem
    shutil.copytree(PROJECT_ROOT / "data", root / "data")
    (root / "config.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


def candidate_rows(baseline: dict[str, Scores]) -> list[str]:
    names = list(baseline)
    rows = [
        "| pipeline | training (s) | parse p95 (ms) | " + " | ".join(f"macro-F1 {n}" for n in names) + " |",
        "|---|---|---|" + "---|" * len(names),
        "| baseline (TF-IDF char_wb 2–5 + LR) | — | — | "
        + " | ".join(f"{baseline[n].macro_f1():.3f}" for n in names)
        + " |",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        for pipeline in [PROJECT_ROOT / "config.yml", *sorted(PIPELINES_DIR.glob("*.yml"))]:
            root = scratch_config(pipeline, Path(scratch))
            started = time.monotonic()
            model = run_rasa_train(root / "models", root / "train.log", root=root, nlu_only=True)
            seconds = time.monotonic() - started
            agent = load_agent(model)
            scores = model_results(agent)
            _, p95 = parse_latency_ms(agent)
            figures = " | ".join(f"{scores[n].macro_f1():.3f}" for n in names)
            name = "config.yml (the product)" if pipeline.stem == "config" else pipeline.stem
            rows.append(f"| {name} | {seconds:.0f} | {p95:.1f} | {figures} |")
            print(rows[-1], flush=True)
    return rows


def tune_fallback(agent, allowed_false_alarms: float = 0.03) -> tuple[float, float, float, float]:
    """The FallbackClassifier's (threshold, ambiguity_threshold) that send the most of set A's
    mistakes to the clarifying question while sending at most `allowed_false_alarms` of its right
    answers there. Set A only: the other sets judge the choice."""
    path = next(p for p in holdout_paths() if p.stem == "nlu_holdout")
    examples = load_examples([path])
    predictions = predict(agent, [e.text for e in examples])
    right = [p.intent == e.intent for e, p in zip(examples, predictions, strict=True)]
    best = (0.0, 0.0, 0.0, 0.0)
    for threshold in [t / 100 for t in range(20, 91)]:
        for ambiguity in [a / 100 for a in range(0, 41)]:
            flagged = [p.confidence < threshold or p.margin < ambiguity for p in predictions]
            wrong_flagged = sum(f for f, r in zip(flagged, right, strict=True) if not r)
            right_flagged = sum(f for f, r in zip(flagged, right, strict=True) if r)
            caught = wrong_flagged / max(1, right.count(False))
            false_alarms = right_flagged / max(1, right.count(True))
            if false_alarms <= allowed_false_alarms and caught > best[2]:
                best = (threshold, ambiguity, caught, false_alarms)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nlu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--candidates", action="store_true", help="train and compare benchmarks/nlu_pipelines/"
    )
    parser.add_argument("--tune-fallback", action="store_true", help="thresholds for config.yml, from set A")
    parser.add_argument("--no-write", action="store_true", help="print only; leave results.md alone")
    args = parser.parse_args(argv)
    if args.tune_fallback:
        threshold, ambiguity, caught, false_alarms = tune_fallback(load_agent(args.model))
        print(
            f"FallbackClassifier threshold {threshold:.2f}, ambiguity_threshold {ambiguity:.2f}: on set A "
            f"{caught:.0%} of the mistakes caught, {false_alarms:.1%} of the right answers sent to it"
        )
        return
    if args.candidates:
        heading, section = CANDIDATES_HEADING, candidates_section()
    else:
        heading, section = PRODUCT_HEADING, product_section(args.model)
    print(section)
    if not args.no_write:
        write_results({heading: section})


def measured(heading: str, body: str) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    said = f"Measured {stamp} on this machine; baseline and model(s) trained in the same run."
    return f"{heading}\n\n{said}\n\n{body}\n"


def product_section(model: Path) -> str:
    agent = load_agent(model)
    table = product_table(model_results(agent), baseline_results(), *parse_latency_ms(agent))
    return measured(PRODUCT_HEADING, table)


def candidates_section() -> str:
    return measured(CANDIDATES_HEADING, "\n".join(candidate_rows(baseline_results())))


if __name__ == "__main__":
    main()

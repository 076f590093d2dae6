"""What a retraining run leaves behind for the operators: the production and candidate confusion
matrices as one PNG, and a Markdown report with the decision, its reasons and the figures behind it.

The PNG is drawn with matplotlib's object API on the Agg canvas: no pyplot, so no global figure state
and no display needed; matplotlib is imported only when a PNG is drawn.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.review.verdict import Verdict
from bot.training.evaluation import CORE_INTENTS, Scores

PANEL_TITLES = ("Producción", "Candidato")
MISSING = "—"


def confusion_labels(*scores: Scores) -> list[str]:
    """Every intent expected or predicted in any of `scores`, core intents first, then by name."""
    labels = set()
    for one in scores:
        labels |= {intent for pair in one.confusion for intent in pair}
    labels |= {intent for one in scores for intent in one.per_intent}
    return sorted(labels, key=lambda label: (label not in CORE_INTENTS, label))


def confusion_png(production: Scores, candidate: Scores, path: Path) -> None:
    """Both confusion matrices side by side (rows expected, columns predicted), same labels, same
    colour scale, the count written in every cell."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = confusion_labels(production, candidate)
    matrices = [[[one.confusion[(e, p)] for p in labels] for e in labels] for one in (production, candidate)]
    highest = max([count for matrix in matrices for row in matrix for count in row] + [1])
    side = max(3.5, 1.5 + 0.6 * len(labels))
    figure = Figure(figsize=(2 * side + 1.0, side + 0.5), dpi=100, constrained_layout=True)
    FigureCanvasAgg(figure)
    try:
        axes = figure.subplots(1, 2)
        for ax, title, matrix in zip(axes, PANEL_TITLES, matrices, strict=True):
            ax.set_title(title)
            if not labels:
                ax.text(0.5, 0.5, "sin ejemplos", ha="center", va="center")
                ax.set_axis_off()
                continue
            image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=highest)
            ax.set_xticks(range(len(labels)))
            ax.set_xticklabels(labels, rotation=45, ha="right")
            ax.set_yticks(range(len(labels)))
            ax.set_yticklabels(labels)
            ax.set_xlabel("predicha")
            ax.set_ylabel("esperada")
            for row, counts in enumerate(matrix):
                for column, count in enumerate(counts):
                    colour = "white" if count > highest / 2 else "black"
                    ax.text(column, row, str(count), ha="center", va="center", color=colour)
        if labels:
            figure.colorbar(image, ax=list(axes), shrink=0.8, ticks=MaxNLocator(integer=True))
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    finally:
        figure.clear()


def _ratio(value: float | None) -> str:
    return MISSING if value is None else f"{value:.3f}"


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return MISSING
    change = after - before
    return "0.000" if abs(change) < 0.0005 else f"{change:+.3f}"


def markdown(
    verdict: Verdict,
    production: Scores,
    candidate: Scores,
    *,
    examples_added: int,
    candidate_path: str,
    png_name: str,
    started: datetime,
    took_seconds: float,
) -> str:
    """The retraining report: decision and reasons, then the figures production vs candidate."""
    decision = "PROMOTED" if verdict.promote else "REFUSED"
    lines = [
        f"# NLU retraining — {started:%Y-%m-%d}",
        "",
        f"Started {started:%Y-%m-%d %H:%M:%S}{f' {started:%Z}' if started.tzinfo else ''}, "
        f"took {took_seconds:.1f} s.",
        "",
        f"Decision: **{decision}**",
        "",
    ]
    if verdict.reasons:
        lines += [f"- {reason}" for reason in verdict.reasons] + [""]
    else:
        lines += ["The candidate is not worse than production on the held-out sets.", ""]
    lines += [
        f"- Labelled examples added: {examples_added}",
        f"- Candidate model: `{candidate_path}`",
        "",
        "## Summary",
        "",
        "| | production | candidate | change |",
        "|---|---|---|---|",
        f"| macro-F1 ({', '.join(verdict.recall_changes)}) | {verdict.production_f1:.3f} "
        f"| {verdict.candidate_f1:.3f} | {_change(verdict.production_f1, verdict.candidate_f1)} |",
        f"| duda topic accuracy | {production.topic_accuracy:.3f} | {candidate.topic_accuracy:.3f} "
        f"| {_change(production.topic_accuracy, candidate.topic_accuracy)} |",
    ]
    for intent, (before, after) in verdict.recall_changes.items():
        lines.append(f"| recall of {intent} | {before:.3f} | {after:.3f} | {_change(before, after)} |")
    lines += [
        "",
        "## Per intent",
        "",
        "| intent | P prod | R prod | F1 prod | n prod | P cand | R cand | F1 cand | n cand | ΔF1 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for intent in sorted(set(production.per_intent) | set(candidate.per_intent)):
        cells = []
        for scores in (production, candidate):
            if intent in scores.per_intent:
                p, r, f1, n = scores.per_intent[intent]
                cells += [_ratio(p), _ratio(r), _ratio(f1), str(n)]
            else:
                cells += [MISSING] * 4
        before = production.per_intent.get(intent, (None, None, None, 0))[2]
        after = candidate.per_intent.get(intent, (None, None, None, 0))[2]
        lines.append(f"| {intent} | " + " | ".join(cells) + f" | {_change(before, after)} |")
    lines += [
        "",
        "## Confusion matrices",
        "",
        "Rows: expected intent; columns: predicted intent.",
        "",
        f"![confusion matrices]({png_name})",
        "",
    ]
    return "\n".join(lines)

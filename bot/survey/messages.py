"""What the survey says to the customer and shows agents (`survey` in labels_es.yml), the same
from the action server (a duda the bot closes), the channel (an agent's /cerrar, the answers)
and the worker (the reminder)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.labels import label
from bot.store.models import Survey
from bot.survey.store import COMMENT, EXPIRED, RATING, RESOLVED, SKIP, payload


def text(key: str, **variables: object) -> str:
    return label("survey", key).format(**variables)


@dataclass(frozen=True)
class Question:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)  # Rasa's shape: title, payload


def question(number: str, step: str, lead: str | None = None, wording: str | None = None) -> Question:
    """The question `step` of case `number`'s survey with its buttons (`lead`: a line before it;
    `wording`: other words for it, when asking again)."""
    if step == RESOLVED:
        default = text("resolved", numero=number)
        answers = [(text("answer_yes"), "si"), (text("answer_no"), "no")]
    elif step == RATING:
        default, answers = text("rating"), [(str(n), str(n)) for n in range(1, 6)]
    elif step == COMMENT:
        default, answers = text("comment"), [(text("skip"), SKIP)]
    else:
        raise ValueError(f"no survey question {step!r}")
    words = wording or default
    words = f"{lead}\n{words}" if lead else words
    return Question(words, [{"title": title, "payload": payload(number, step, a)} for title, a in answers])


def card_line(survey: Survey | None) -> str | None:
    """The survey's outcome on the case card, once there is one."""
    if survey is None:
        return None
    if survey.status == EXPIRED and survey.resolved is None:
        return text("card_expired")
    if survey.resolved is None:
        return None
    line = text("card_resolved" if survey.resolved else "card_not_resolved")
    return line + (text("card_rating", csat=survey.csat) if survey.csat else "")

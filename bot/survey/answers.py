"""Typed answers to the satisfaction survey, read as the buttons would have been.

The rule: unambiguous or nothing — a wrong guess stores a wrong score. Anything unclear returns None and the
bot asks again with buttons. A question ("¿qué?", "¿un 5?") is never an answer.
"""

from __future__ import annotations

import re

from bot.text import fold

# --- Rating, 1 to 5 -----------------------------------------------------------------------------------------

# Number words and their usual slips. Squeezing repeated letters first is safe: none of them has any.
NUMBER_WORDS = {
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "tre": 3,
    "trez": 3,
    "cuatro": 4,
    "quatro": 4,
    "kuatro": 4,
    "cautro": 4,
    "cuatr": 4,
    "cinco": 5,
    "sinco": 5,
    "zinco": 5,
    "cinko": 5,
    "cico": 5,
}
# "un"/"una" are articles ("un 4", "un servicio") unless they count stars or points. A lone "una" is a
# rating; a lone "un" is a message sent too early.
ONE_ARTICLES = {"un", "una"}
ONE_UNITS = ("estrell", "punt")
SCALE_WORDS = {"/", "de", "sobre"}
STARS = {"⭐", "★"}
# Words that turn a clear number into a hedge or a comparison: "no le doy un 5", "casi un 5", "más de 3".
HEDGES = {"no", "ni", "casi", "mas", "menos", "medio"}
RATING_TOKENS = re.compile(r"\d+|[a-zñ]+|[/⭐★]")


def parse_rating(text: str) -> int | None:
    """The 1–5 rating the text states, or None unless every number in it says the same one."""
    tokens = RATING_TOKENS.findall(fold(text))
    if "?" in text or HEDGES.intersection(tokens):
        return None
    numbers = [_number(token) for token in tokens]
    said: set[int] = set()
    stars = 0
    for i, (token, number) in enumerate(zip(tokens, numbers, strict=True)):
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in STARS:
            # "4⭐" uses the star as a unit; "⭐⭐⭐⭐" counts them.
            is_unit = i > 0 and numbers[i - 1] is not None and after not in STARS
            stars += not is_unit
        elif number == 5 and i >= 2 and tokens[i - 1] in SCALE_WORDS and numbers[i - 2] is not None:
            continue  # the "de 5" of "4 de 5" is the scale, not a second rating
        elif number is not None:
            said.add(number)
        elif token in ONE_ARTICLES and (after.startswith(ONE_UNITS) or tokens == ["una"]):
            said.add(1)
    if stars:
        said.add(stars)
    if len(said) != 1:
        return None
    rating = said.pop()
    return rating if 1 <= rating <= 5 else None


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(re.sub(r"(.)\1+", r"\1", token))


# --- Resolved, yes or no ------------------------------------------------------------------------------------

YES_WORDS = {"si", "sip", "claro", "perfecto", "perfecta", "listo", "correcto", "exacto", "afirmativo"}
NO_WORDS = {"no", "nop", "nope", "nada", "negativo", "tampoco"}
YES_EMOJI = ("👍", "✅")
NO_EMOJI = ("👎", "❌")
YES_PHRASES = re.compile(r"\b(?:ya esta|todo bien|por supuesto)\b")
NO_PHRASES = re.compile(r"\b(?:sigue (?:igual|sin|fallando|mal|el problema)|igual que antes)\b")
FIXED = r"(?:(?:resolv|resuelt|solucion|arregl)[a-zñ]*|funcionan?\b)"
YES_VERBS = re.compile(r"\b" + FIXED)
# "no se resolvió", "nunca me lo arreglaron", "sin solución": the verb turns into a no.
NEGATED_VERB = re.compile(r"\b((?:no|sin|nunca|ni|tampoco)(?: [a-zñ]+){0,3}?) " + FIXED)
UNSURE = re.compile(
    r"\bno (?:lo )?se\b(?! (?:me |lo |le )?(?:ha |han )?(?:resolv|resuelt|solucion|arregl))"
    r"|\b(?:ni idea|mas o menos|a medias|en parte|regular|creo|supongo|quiza|quizas|tal vez)\b"
)
STRETCHED = re.compile(r"([aeiou])\1+|([a-zñ])\2{2,}")  # "siii", "nooo", "nopppp"
INTENSIFIER = re.compile(r"\b(?:claro|por supuesto) que\b")  # "claro que no" is a no


def parse_resolved(text: str) -> bool | None:
    """True for a clear yes, False for a clear no, None for doubts, mixtures and questions."""
    folded = STRETCHED.sub(lambda m: m.group(1) or m.group(2), fold(text))
    words = " ".join(re.findall(r"[a-zñ]+", folded))
    if "?" in text or UNSURE.search(words):
        return None
    words = NEGATED_VERB.sub(r"\1 no", INTENSIFIER.sub("", words))
    found = set(words.split())
    says_yes = bool(YES_WORDS & found or YES_PHRASES.search(words) or YES_VERBS.search(words))
    says_no = bool(NO_WORDS & found or NO_PHRASES.search(words))
    says_yes |= any(emoji in text for emoji in YES_EMOJI)
    says_no |= any(emoji in text for emoji in NO_EMOJI)
    return None if says_yes == says_no else says_yes

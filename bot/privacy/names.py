"""People's names in customer text, for the masking of the review loop.

Two sources, both from libraries: the Spanish spaCy model's entities (the one the assistant's
pipeline loads), and gender-guesser's dictionary of 48,000 first names. A name is
- a person entity (PER) of two or more capitalised words, or one that starts with a first name;
- a run of capitalised words (with «de», «del», «de la», «y», «i» inside) that starts with a first
  name: «Zoe Anahí Gómez Vera», which the small model often calls MISC;
- the words after a phrase that introduces a person («me llamo», «soy», «a nombre de», «mi hijo»,
  «atentamente,», «hablé con», «Sra.»…): capitalised, or in lowercase when the phrase leaves no
  doubt («me llamo jose luis garcia») or the first word is a first name («soy valentina rojas»).
Words that are never names (Spanish stop words, greetings) stop a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import spacy
from gender_guesser.detector import Detector
from spacy.lang.es.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token

SPACY_MODEL = "es_core_news_sm"
MAX_NAME_WORDS = 5
PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "i", "da", "do", "dos", "van", "von"})
NOT_NAMES = frozenset(
    {"hola", "buenas", "buenos", "che", "gracias", "saludos", "atentamente", "atte", "vale", "ok", "okey",
     "porfa", "señor", "señora", "cliente", "clienta", "usuario", "usuaria", "titular", "nombre"}
)  # fmt: skip
FIRST_NAME_GENDERS = frozenset({"male", "female", "mostly_male", "mostly_female", "andy"})
SURE_GENDERS = FIRST_NAME_GENDERS - {"andy"}
# Before a capitalised run that no phrase introduced, these make it a thing or a place, not a
# person: «un Mercedes Clase A», «el modelo Victoria», «envío a Santa Fe».
NOT_BEFORE_A_NAME = frozenset(
    {"un", "una", "el", "la", "los", "las", "modelo", "marca", "a", "en", "hacia", "desde", "hasta",
     "tipo", "color", "talla", "versión", "version", "línea", "linea", "colección", "coleccion"}
)  # fmt: skip

# Phrases after which the next words are a name even in lowercase.
SURE_CUES = (
    "me llamo", "mi nombre es", "mi nombre:", "nombre:", "a nombre de", "de parte de", "le habla",
    "les habla", "te habla", "les escribe", "le escribe", "titular:", "destinatario:", "destinataria:",
    "atentamente,", "atentamente", "atte.", "atte,", "att.", "saludos,", "firmado:", "un saludo,",
)  # fmt: skip
# Phrases after which a name must look like one: capitalised, or a known first name.
WEAK_CUES = (
    "soy", "habla", "titular", "destinatario", "destinataria", "hablé con", "hable con", "atendió",
    "atendio", "me atendió", "me atendio", "llamado", "llamada", "se llama", "hijo", "hija", "madre",
    "padre", "mamá", "papá", "mama", "papa", "esposo", "esposa", "marido", "novio", "novia", "hermano",
    "hermana", "abuela", "abuelo", "tía", "tío", "vecino", "vecina", "compañero", "compañera", "jefe",
    "jefa", "sr", "sra", "srta", "sr.", "sra.", "srta.", "señor", "señora", "don", "doña", "lic.", "lic",
    "ing.", "ing", "dr.", "dra.", "dr", "dra", "asesor", "asesora", "agente", "operador", "operadora",
    "repartidor", "repartidora", "chico", "chica", "la señorita", "recoge", "recogerá", "recibe",
    "recibirá", "gracias", "hola", "buenas", "mamá de", "madre de", "papá de", "padre de", "hijo de",
    "hija de", "esposo de", "esposa de", "marido de", "hermano de", "hermana de", "de mi hijo", "de mi hija",
)  # fmt: skip
_CUE_WORDS = {cue: tuple(cue.split()) for cue in SURE_CUES + WEAK_CUES}


@lru_cache(maxsize=1)
def spanish_pipeline() -> spacy.Language:
    return spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer", "attribute_ruler"])


@lru_cache(maxsize=1)
def first_names() -> Detector:
    return Detector(case_sensitive=False)


@lru_cache(maxsize=4096)
def is_first_name(word: str) -> bool:
    """In the dictionary for any country (after a phrase that introduces a person)."""
    if len(word) < 3 or word.lower() in STOP_WORDS or word.lower() in NOT_NAMES:
        return False
    return first_names().get_gender(word.capitalize()) in FIRST_NAME_GENDERS


@lru_cache(maxsize=4096)
def is_spanish_first_name(word: str) -> bool:
    """A first name in Spain's part of the dictionary («Nike», «Visa», «Santa» are not)."""
    return is_first_name(word) and first_names().get_gender(word.capitalize(), "spain") in SURE_GENDERS


def name_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the names in `text`, overlapping ones merged."""
    doc = spanish_pipeline()(text)
    spans = [*entity_names(doc), *capitalised_names(doc), *cued_names(doc)]
    return merged(spans)


def entity_names(doc: Doc) -> Iterator[tuple[int, int]]:
    for entity in doc.ents:
        if entity.label_ not in ("PER", "MISC"):
            continue
        words = [token for token in entity if not token.is_punct]
        words = trimmed(words)
        if not words:
            continue
        capitalised = all(
            is_name_word(token, lowercase=False) or token.lower_ in PARTICLES for token in words
        )
        starts_with_name = is_spanish_first_name(words[0].text)
        if len(words) < 2 or not capitalised or thing_or_place_before(doc, words[0].i):
            continue
        if starts_with_name or entity.label_ == "PER":
            yield words[0].idx, words[-1].idx + len(words[-1])


def capitalised_names(doc: Doc) -> Iterator[tuple[int, int]]:
    """Runs of capitalised words that start with a first name and have a surname after it."""
    index = 0
    while index < len(doc):
        token = doc[index]
        if (
            looks_capitalised(token)
            and is_spanish_first_name(token.text)
            and not thing_or_place_before(doc, index)
        ):
            words = name_words(doc, index, lowercase=False)
            if len(words) >= 2 or not starts_a_sentence(doc, index):
                yield words[0].idx, words[-1].idx + len(words[-1])
                index = words[-1].i + 1
                continue
        index += 1


def cued_names(doc: Doc) -> Iterator[tuple[int, int]]:
    lowered = [token.lower_ for token in doc]
    for index in range(len(doc)):
        for cue, words in _CUE_WORDS.items():
            end = index + len(words)
            if tuple(lowered[index:end]) != words:
                continue
            start = end
            while start < len(doc) and doc[start].text in (",", ":", "-"):
                start += 1
            if start >= len(doc):
                continue
            first = doc[start]
            sure = cue in SURE_CUES
            if not sure and not is_first_name(first.text) and not looks_capitalised_mid_sentence(first):
                continue
            found = name_words(doc, start, lowercase=not looks_capitalised(first) or sure)
            if found:
                yield found[0].idx, found[-1].idx + len(found[-1])


def starts_a_sentence(doc: Doc, index: int) -> bool:
    """First word, after opening «¿¡» or after a full stop: capitalised anyway."""
    before = index - 1
    while before >= 0 and doc[before].text in ("¿", "¡", '"', "«", "("):
        before -= 1
    return before < 0 or doc[before].text in (".", "!", "?", "…", ":", "\n")


def thing_or_place_before(doc: Doc, index: int) -> bool:
    return index > 0 and doc[index - 1].lower_ in NOT_BEFORE_A_NAME


def name_words(doc: Doc, start: int, lowercase: bool) -> list[Token]:
    """The name that starts at `start`: name-like words, particles only between two of them."""
    words: list[Token] = []
    index = start
    while index < len(doc) and len(words) < MAX_NAME_WORDS:
        token = doc[index]
        if token.lower_ in PARTICLES and words:
            following = index + 1
            while following < len(doc) and doc[following].lower_ in PARTICLES:
                following += 1
            if following < len(doc) and is_name_word(doc[following], lowercase):
                words.append(doc[following])
                index = following + 1
                continue
            break
        if not is_name_word(token, lowercase):
            break
        words.append(token)
        index += 1
    return words


def is_name_word(token: Token, lowercase: bool) -> bool:
    text = token.text
    if not re.fullmatch(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?", text) or text.rstrip(".").lower() in NOT_NAMES:
        return False
    if text.lower() in STOP_WORDS or text.lower() in PARTICLES:
        return False
    if looks_capitalised(token):
        return True
    return lowercase and (
        is_first_name(text)
        or token.pos_ not in ("VERB", "AUX", "ADV", "ADP", "CCONJ", "SCONJ", "PRON", "DET", "NUM")
    )


def looks_capitalised(token: Token) -> bool:
    text = token.text
    return text[:1].isupper() and text[:1].isalpha()


def looks_capitalised_mid_sentence(token: Token) -> bool:
    return looks_capitalised(token) and not token.is_sent_start


def trimmed(words: list[Token]) -> list[Token]:
    while words and (words[0].lower_ in NOT_NAMES or words[0].lower_ in PARTICLES):
        words = words[1:]
    while words and words[-1].lower_ in PARTICLES:
        words = words[:-1]
    return words


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result

"""Pure checks and normalisation of what customers type into the forms."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import dateparser
from dateparser.search import search_dates

from bot.entities import order_numbers
from bot.text import fold

EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$")
PHONE_CHARS = re.compile(r"^\+?[\d\s().-]+$")
CASE_NUMBER = re.compile(r"\b([dqs])[\s-]?(20\d{2})[\s-]?(\d{6})\b")
DONT_HAVE_IT = re.compile(
    r"^(no\b.*\b(tengo|se|lo encuentro|me acuerdo|recuerdo|aparece)|ni idea|no|nop|no se|desconozco)\b"
)
MAX_DAYS_AHEAD = 60
SUNDAY = 6

# Words that say "I have a complaint" without saying what happened.
GENERIC_COMPLAINT_WORDS = set(
    [
        "a",
        "al",
        "algo",
        "alguien",
        "asi",
        "buenas",
        "buenos",
        "dias",
        "el",
        "en",
        "es",
        "esta",
        "este",
        "esto",
        "estoy",
        "favor",
        "hola",
        "la",
        "las",
        "lo",
        "los",
        "me",
        "mi",
        "muy",
        "no",
        "para",
        "por",
        "porfa",
        "porfavor",
        "que",
        "quiero",
        "quisiera",
        "queja",
        "quejas",
        "quejarme",
        "queria",
        "reclamo",
        "reclamos",
        "reclamacion",
        "reclamar",
        "poner",
        "hacer",
        "presentar",
        "tengo",
        "una",
        "un",
        "uno",
        "y",
        "ya",
        "tardes",
        "noches",
        "estar",
        "dejar",
        "formal",
        "sobre",
        "servicio",
        "atencion",
        "mal",
        "malo",
        "mala",
        "pesimo",
        "pesima",
        "fatal",
        "horrible",
        "terrible",
        "harto",
        "harta",
        "molesto",
        "molesta",
        "enojado",
        "enojada",
        # «tengo un problema con mi pedido», «estoy muy enojado con ustedes la neta»: still nothing
        # about what happened.
        "problema",
        "problemas",
        "inconveniente",
        "lio",
        "con",
        "ustedes",
        "vosotros",
        "usted",
        "de",
        "del",
        "su",
        "sus",
        "neta",
        "che",
        "wey",
        "guey",
        "oye",
        "oigan",
        "pues",
        "parce",
        "verdad",
        "bastante",
        "super",
        "re",
        "demasiado",
        "cabreado",
        "cabreada",
        "indignado",
        "indignada",
        "decepcionado",
        "decepcionada",
    ]
)
MIN_DETAIL_WORDS = 2


def normalize_order_number(text: str) -> str | None:
    """`ped 1234567`, `#1234567`, `mi pedido es PED-1234567` → `PED-1234567`.

    None when there is no order number, or more than one.
    """
    found = order_numbers(text)
    return found[0] if len(found) == 1 else None


def says_dont_have_it(text: str) -> bool:
    return bool(DONT_HAVE_IT.match(fold(text).strip(" .!¡¿?")))


def normalize_email(text: str) -> str | None:
    candidate = text.strip().strip(".,;").lower()
    return candidate if EMAIL.match(candidate) else None


def normalize_phone(text: str) -> str | None:
    """9 to 13 digits, optionally with +, spaces, dots, dashes or brackets."""
    candidate = text.strip()
    if not PHONE_CHARS.match(candidate):
        return None
    digits = re.sub(r"\D", "", candidate)
    if not 9 <= len(digits) <= 13:
        return None
    return ("+" if candidate.startswith("+") else "") + digits


def normalize_case_number(text: str) -> str | None:
    match = CASE_NUMBER.search(fold(text))
    if not match:
        return None
    letter, year, value = match.groups()
    return f"{letter.upper()}-{year}-{value}"


_DATE_FILLERS = re.compile(
    r"\b(el|la|este|esta|proximo|proxima|que viene|dia|por la (mañana|tarde|noche)|a las? \d+.*"
    r"|por ?fa(vor)?|porfis|gracias|si (se )?puede( ser)?|please)\b"
)


# What makes a phrase found among other words a date («mi» alone is not «miércoles»).
_DATE_WORD = re.compile(
    r"\d|lunes|martes|miercoles|jueves|viernes|sabado|domingo|mañana|hoy|semana"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)


def parse_visit_date(text: str, today: date) -> date | None:
    """A future working day (Monday–Saturday) within MAX_DAYS_AHEAD, or None."""
    folded = fold(text)
    if "pasado mañana" in folded:
        parsed: date | None = today + timedelta(days=2)
    else:
        cleaned = re.sub(r"\s+", " ", _DATE_FILLERS.sub(" ", folded)).strip() or folded
        settings = {
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
        }
        found = dateparser.parse(cleaned, languages=["es"], settings=settings)
        if found is None:  # a date among other words: «el martes, si puede ser porfa»
            hits = search_dates(cleaned, languages=["es"], settings=settings) or []
            # One of them a date: «me equivoqué de año. Mejor el 14/12» is read «14/12», not «de año».
            dated = [moment for words, moment in hits if _DATE_WORD.search(fold(words))]
            found = dated[0] if len(dated) == 1 else None
        parsed = found.date() if found else None
    if parsed is None or parsed <= today or parsed > today + timedelta(days=MAX_DAYS_AHEAD):
        return None
    if parsed.weekday() == SUNDAY:
        return None
    return parsed


def normalize_address(text: str) -> str | None:
    """An address needs a street word and a number: «Calle Mayor 12, Madrid»."""
    candidate = " ".join(text.split())
    words = re.findall(r"[^\W\d_]{2,}", candidate)
    if len(words) < 2 or not re.search(r"\d", candidate) or len(candidate) > 300:
        return None
    return candidate


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-zñ]+", fold(text)) if w not in GENERIC_COMPLAINT_WORDS]


# «…y pásenme con alguien», «quiero hablar con una persona»: a person asked for inside another demand.
PERSON_ASKED = re.compile(
    r"\b(pas[ae](me|nme|rme)|comunic[ae]n?me|hablar|atienda|atender)\b.{0,20}"
    r"\b(alguien|una persona|un humano|una? asesora?|un agente|una? operadora?|un ejecutivo|un supervisor"
    r"|el encargado)\b"
)
# What a request says besides its kind: «quiero devolver un producto» names nothing.
REQUEST_WORDS = {
    "devolver",
    "devolucion",
    "devuelvan",
    "devuelvanme",
    "devolverlo",
    "devolverla",
    "cambiar",
    "cambio",
    "cambien",
    "cambiarlo",
    "cambiarla",
    "reembolso",
    "reembolsen",
    "reembolsar",
    "producto",
    "productos",
    "articulo",
    "articulos",
    "pedido",
    "compra",
    "cosa",
    "dinero",
    "plata",
    "importe",
    "necesito",
    "quisiera",
    "podrian",
    "pueden",
    "puedo",
    "gustaria",
    "ped",
    "hola",
    "buenas",
    "gracias",
}


def asks_for_a_person(text: str) -> bool:
    return bool(PERSON_ASKED.search(fold(text)))


def names_what(text: str) -> bool:
    """True when a request's opening message says which item and why, beyond the kind of request."""
    sizes = re.findall(r"(?<![\d-])\d{1,3}(?![\d-])", text)  # «por un 42»: a size says what they want
    return len([w for w in content_words(text) if w not in REQUEST_WORDS]) + len(sizes) >= MIN_DETAIL_WORDS


def is_vague(text: str) -> bool:
    """True when the message says there is a complaint but not what happened."""
    return len(content_words(text)) < MIN_DETAIL_WORDS


def normalize_description(text: str) -> str | None:
    candidate = " ".join(text.split())
    return None if is_vague(candidate) else candidate

"""Personal data out of customer text before it leaves the database.

`mask_personal_data` replaces emails, phone numbers, order numbers, payment cards, IBANs
and Spanish ID numbers (DNI, NIE) by placeholders («[email]», «[teléfono]»…) and keeps
everything else exactly as written: the assistant's case numbers (`Q-2026-000123`),
dates, times, prices, years, quantities, spacing, punctuation, accents and emoji.

All the kinds are alternatives of one scanner, tried left to right through the text and,
at each position, in the order of `_KINDS`: the first kind that matches there consumes
its characters, so nothing inside it is looked at again. That order is what keeps a card
number from becoming two phone numbers, an IBAN from becoming a card, and a case number's
digits from becoming an order number (case numbers, dates and times are "kept" kinds:
matched so that nothing else can take their digits, and written back unchanged).

Digit runs are delimited by digits only (`(?<!\\d)`, `(?!\\d)`): a number glued to letters
(«tel612345678», «nº1234567») is still masked. The kinds that begin or end with a letter
(IBAN, DNI, NIE) only refuse another letter next to them. Placeholders contain no digit and
no «@», so they are never masked again.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.privacy.names import name_spans

EMAIL = "[email]"
PHONE = "[teléfono]"
ORDER = "[pedido]"
CARD = "[tarjeta]"
IBAN = "[iban]"
ID_DOCUMENT = "[documento]"
NAME = "[nombre]"
ADDRESS = "[dirección]"
POSTAL_CODE = "[código postal]"
HANDLE = "[usuario]"
CVV = "[cvv]"
PASSPORT = "[pasaporte]"
PLATE = "[matrícula]"
PLACEHOLDERS = (
    EMAIL,
    PHONE,
    ORDER,
    CARD,
    IBAN,
    ID_DOCUMENT,
    NAME,
    ADDRESS,
    POSTAL_CODE,
    HANDLE,
    CVV,
    PASSPORT,
    PLATE,
)

_SEPARATOR = r"[ .-]"  # between the digit groups of a phone number
_NO_LETTER_BEFORE = r"(?<![^\W\d_])"
_NO_LETTER_AFTER = r"(?![^\W\d_])"
_DNI_CAPITAL = "[TRWAGMYFPDXBNJZSQVHLCKE]"  # no I, Ñ, O, U
_DNI_LETTER = "[TRWAGMYFPDXBNJZSQVHLCKEtrwagmyfpdxbnjzsqvhlcke]"

# The context words of a number that says what it is: the CVV, a passport, a plate, an identity
# document of Latin America (RUT, CURP, RFC, cédula, DNI without its letter).
_SAYS_LOOSELY_BEFORE_DIGITS = r"(?:\s*[:=#,]?\s*[^\W\d_]+\.?(?=[\s:=#,]|$)){0,4}?\s*[:=#,]?\s*"
# Up to four words between the context and the value («pasaporte mexicano es», «placas de mi carro»).
_SAYS_LOOSELY = r"(?:\s*[:=#,]?\s*(?:[^\W\d_]+\.?|[Nn][º°o]\.?)(?=[\s:=#,]|$)){0,4}?\s*[:=#,]?\s*"
_SAYS = (
    r"(?:\s*(?:[:=#,]|[Nn][º°o]\.|[Nn][º°]|(?i:no)\.|(?i:es|el|la|del|de|mi|su|número|numero|nro\.?|coche|carro|auto|moto|"
    r"veh[ií]culo|camioneta|son|serie|identidad|identificaci[oó]n|elector|extranjer[ií]a|titular)\b)\s*)*\s*"
)
# From the start of the address only (the lookbehind keeps long words from being rescanned).
EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Spanish IBAN (ES + 22 digits, in groups of four or not, any case), or any other
# country's in capitals: the first one or two groups may hold letters (GB29 NWBK …).
IBAN_PATTERN = re.compile(
    rf"{_NO_LETTER_BEFORE}(?:"
    r"(?i:es)\d{2}(?:[ -]?\d{4}){5}"
    r"|[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){1,2}(?:[ -]?\d{4}){1,6}(?:[ -]?\d{1,3})?"
    r")(?!\d)"
)

# The assistant's own case numbers (data/nlu/entidades.yml `numero_caso`), also without
# the type letter when the year and the number are apart («el 2026-000123»). Kept.
CASE_NUMBER_PATTERN = re.compile(r"\b[DQSdqs][ -]?20\d{2}[ -]?\d{6}(?!\d)|(?<!\d)20\d{2}[ -]\d{6}(?!\d)")

# DNI: 8 digits (7 for old ones; dots allowed: 12.345.678) and the letter, glued or after a
# dash. NIE: X, Y or Z, 7 digits and the letter. A space is allowed only around capitals and
# never after 7 digits («y 1234567 y», «PEDIDO 1234567 Y …» hold an order number, no NIE or DNI).
ID_DOCUMENT_PATTERN = re.compile(
    rf"(?<!\d)(?:\d{{1,2}}\.?\d{{3}}\.?\d{{3}}-?{_DNI_LETTER}|\d{{2}}\.?\d{{3}}\.?\d{{3}}[ ]{_DNI_CAPITAL})"
    rf"{_NO_LETTER_AFTER}"
    rf"|{_NO_LETTER_BEFORE}(?:[XYZ][ -]?|[xyz]-?)\d{{7}}(?:-?{_DNI_LETTER}|[ ]{_DNI_CAPITAL})"
    rf"{_NO_LETTER_AFTER}"
)

# 12/03, 12-03-2026, 1.3.26: a real day and month, not the start of a longer digit run. Kept.
DATE_PATTERN = re.compile(
    r"(?<!\d)(?:0?[1-9]|[12]\d|3[01])(?P<date_separator>[/.-])(?:0?[1-9]|1[0-2])"
    r"(?:(?P=date_separator)(?:\d{4}|\d{2}))?(?![/.-]?\d)"
)
TIME_PATTERN = re.compile(r"(?<!\d)(?:[01]?\d|2[0-3]):[0-5]\d(?!\d)")  # 18:30. Kept.

# +34 612 34 56 78, 0034 612345678, (+34) 612…, +44 20 7946 0958: a prefix, then 7 to 13 digits.
INTERNATIONAL_PHONE_PATTERN = re.compile(
    rf"(?<!\+)\(?(?:\+|(?<!\d)00)\d{{1,3}}\)?{_SEPARATOR}?(?:\(\d{{1,4}}\){_SEPARATOR}?)?"
    rf"\d(?:{_SEPARATOR}?\d){{5,11}}(?!\d)"
)

# 13 to 19 digits in a row, or in the groups cards are printed in: 4-4-4-4 (-3), 4-4-4-1…4
# and 4-6-4/5 (Amex, Diners), where the run ends (five groups of four is a bank account, for
# DIGIT_RUN_PATTERN). Luhn is not checked: better safe.
CARD_PATTERN = re.compile(
    r"(?<!\d)(?:\d{13,19}"
    r"|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,4}(?:[ -]\d{1,3})?"
    r"|\d{4}[ -]\d{6}[ -]\d{4,5}"
    r")(?![ .-]?\d)"
)

# Phone numbers with the area code in parentheses, without a country prefix: (55) 4821-0937,
# (011) 15 4839-2017, (2) 2873 4019; and local numbers said to be phones: «el fijo es 4782-3910».
LOCAL_PHONE_PATTERN = re.compile(
    r"(?<![\w)])\(0?\d{1,3}\)\s?\d{1,4}(?:[ -]?\d{2,4}){1,3}(?!\d)"
    rf"|(?<!\w)(?i:tel[eé]fono|tel\.?|fijo|cel|celu|celular|m[oó]vil|whats?app|wsp|wpp|centralita|llamar al|"
    rf"ll[aá]m(?:e|en|ame|enme|adme) al){_SAYS_LOOSELY_BEFORE_DIGITS}\d{{2,4}}[ -]\d{{4}}(?![ -]?\d)"
)
# An extension after a number already masked: «[teléfono] ext. 214», «anexo 12».
EXTENSION_PATTERN = re.compile(r"(?<=\])\s*,?\s*(?i:ext\.?|extensi[oó]n|anexo|int\.)\s*\d{1,5}(?!\d)")

# Spanish numbers: 9 digits from 6, 7, 8 or 9 (612 345 678, 612 34 56 78, 91 123 45 67, 612.345.678).
SPANISH_PHONE_PATTERN = re.compile(rf"(?<!\d)[6-9](?:{_SEPARATOR}?\d){{8}}(?!\d)")

# The shop's order numbers (data/nlu/entidades.yml `numero_pedido`): PED-1234567, ped 1234567,
# PED1234567, ped.1234567, or the 7 digits alone.
ORDER_PATTERN = re.compile(r"(?:\b(?i:ped)\.?[ -]?)?(?<!\d)\d{7}(?!\d)")

# Whatever long digit run is left (55 1234 5678, 4111.1111.1111.1111, a bank account's 20
# digits): 9 to 12 digits is a phone number, 13 to 19 a card, more an account. At least one
# of the first seven groups has three digits or more, so lists of sizes or quantities («tallas 36
# 38 40 42 44») stay (bounded, so that a long list is not rescanned from each of its numbers).
DIGIT_RUN_PATTERN = re.compile(
    rf"(?<!\d)(?=(?:\d{{1,2}}{_SEPARATOR}){{0,6}}\d{{3}})\d(?:{_SEPARATOR}?\d){{8,}}(?!\d)"
)

# Spelled out for a chat that cuts addresses: «maria punto lopez arroba gmail punto com».
_SPELLED_DOT = r"(?:\s+\(?(?i:punto|guion bajo|guión bajo|guion|guión|barra baja)\)?\s+|[._-])"
SPELLED_EMAIL_PATTERN = re.compile(
    rf"(?<![\w.+-])[\w+-]+(?:{_SPELLED_DOT}[\w+-]+)*\s+\(?(?i:arroba)\)?\s+[\w-]+(?:{_SPELLED_DOT}[\w-]+)+"
)

# @handles of social networks (an e-mail address was taken before: it has letters before its @).
HANDLE_PATTERN = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")

# Street addresses of Spain and Latin America: a street type, its name, a number, then floor, door,
# apartment, «# 45-12» (Colombia), colonia (Mexico) or comuna (Chile). Common words that are also
# street types («camino», «plaza», «paseo», «pasaje»…) need a capitalised name after them.
_STREET_TYPE = (
    r"(?i:calle|c/|cl\.|cll\.?|transv\.?|kr|priv\.|r[uú]a|ruta|mz\.?|manzana|avenida|avda\.?|av\.|avd\.|carrera|cra\.?|kra\.?|kr\.|cr\.|jir[oó]n|jr\.|"
    r"boulevard|bulevar|blvd\.?|bv\.|calzada|calz\.|callej[oó]n|urbanizaci[oó]n|urb\.|c\.|pje\.|psje\.|ctra\.|"
    r"diagonal|transversal|tv\.)"
)
_CAPITALISED_STREET_TYPE = (
    r"(?:[Cc]amino|[Pp]laza|[Pp]za\.|[Pp]aseo|P[ºo]\.?|[Rr]onda|[Pp]asaje|[Cc]arretera|[Tt]raves[ií]a|"
    r"[Gg]lorieta|[Pp]rivada|[Cc]errada|[Aa]ndador|[Cc]ircuito|[Pp]rolongaci[oó]n|[Rr]ambla|[Vv][ií]a|[Aa]v)"
)
_NOT_A_STREET_NAME = (
    r"(?!(?i:hace|desde|hasta|por|con|sin|que|para|durante|entre|en|a|y|o|ya|no|me|se|lo|le|hay|"
    r"est[aá]|es|son|fue)\b)"
)
_STREET_WORD = rf"{_NOT_A_STREET_NAME}[^\W\d_][\w'’.ºª-]*"
_CAPITALISED_WORD = r"[A-ZÁÉÍÓÚÑÜ][\w'’.ºª-]*"
_PARTICLE = r"(?:de|del|de la|de las|de los|la|las|los|el|y)"
_STREET_NUMBER = r"(?:n[º°o]\.?\s*|#\s*|(?i:número|numero|nro\.?|num\.?)\s*)?\d{1,5}[A-Za-z]?(?!\d)|(?i:s/n)"
_ADDRESS_EXTRA = (
    r"(?:\s*(?:#|(?i:no\.?|n[º°o]\.?))\s*\d{1,4}[A-Za-z]?(?:\s*-\s*\d{1,4})?"
    r"|,?\s*(?i:km)\.?\s*\d{1,4}(?:[,.]\d{1,3})?"
    r"|,?\s+(?i:pb)(?!\w)|,?\s*\d{1,2}-\d{1,2}(?![\d-])|\s+\d{1,2}[A-Za-z](?!\w)"
    r"|,?\s*(?i:piso|planta|pta\.?|puerta|depto\.?|dpto\.?|departamento|apto\.?|apartamento|int\.?|"
    r"interior|ext\.?|exterior|bloque|blq\.?|portal|esc\.?|escalera|casa|torre|of\.?|oficina|local|"
    r"manzana|mz\.?|lote|lt\.?|edificio|edif\.?|nave|parcela|of\.)\s*[A-Za-z0-9]{1,4}(?:\s*[ºª°])?(?![\w])"
    r"|\s+(?i:sur|norte|este|oeste|bis)(?!\w)"
    r"|,?\s*(?i:piso|planta|bajo|entresuelo|[aá]tico|dcha\.?|derecha|izda\.?|izq\.?|izquierda|centro|interior|exterior)(?!\w)"
    r"|,?\s*\d{1,3}\s*[º°ª]\s*-?\s*[A-Za-z0-9]?(?:\s*[ºª])?(?!\w)"
    r"|,?\s+\d{1,3}[A-Za-z]?(?=\s+(?i:dcha|derecha|izda|izq|izquierda|puerta|pta|piso)\b)"
    r"|,?\s*(?i:col\.?|colonia|fracc\.?|fraccionamiento|barrio|b[º°]|villa|poblaci[oó]n|sector|urb\.?|"
    r"urbanizaci[oó]n|conjunto|barrio cerrado)\s+"
    rf"{_CAPITALISED_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_CAPITALISED_WORD}){{0,3}}"
    r")"
)
ADDRESS_PATTERN = re.compile(
    rf"(?<![\w/])(?:{_STREET_TYPE}\s*(?:{_STREET_WORD},?\s+){{0,5}}?"
    rf"|{_CAPITALISED_STREET_TYPE}\s+(?:{_PARTICLE}\s+)?{_CAPITALISED_WORD}\s+(?:{_STREET_WORD}\s+){{0,4}}?)"
    rf"(?:{_STREET_NUMBER})(?:{_ADDRESS_EXTRA})*"
)

# An address without a street type, after the words that give one: «vivo en Serrano 41, 3º dcha».
_CUED_ADDRESS = (
    rf"{_CAPITALISED_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_CAPITALISED_WORD}){{0,3}},?\s+\d{{1,5}}[A-Za-z]?(?!\d)"
    rf"(?:{_ADDRESS_EXTRA})*"
)
CUED_ADDRESS_PATTERN = re.compile(
    r"(?<!\w)(?i:vivo en|mi direcci[oó]n es|direcci[oó]n:|domicilio:?|entr[eé]guen(?:lo|la|los)? en|"
    r"env[ií]en(?:lo|la|los)? a|m[aá]nd(?:en|e)(?:lo|la|los)? a|queda en|est[aá] en)\s+"
    rf"{_CUED_ADDRESS}"
)

# Postal codes: after «CP», «C.P.», «código postal»; five digits before a capitalised place name
# («28013 Madrid»); Argentina's «C1043AAZ».
_POSTAL_CODE = r"[A-Za-z]?\d{4,7}[A-Za-z]{0,3}"
_POSTAL_CODE_SAID = rf"(?<!\w)(?i:c\.\s?p\.?|cp|c[oó]d(?:igo|\.)?\s+postal|postal|zip){_SAYS_LOOSELY}"
POSTAL_CODE_PATTERN = re.compile(
    rf"{_POSTAL_CODE_SAID}{_POSTAL_CODE}(?!\w)"
    r"|(?<![\w.,/-])\d{5}(?=\s+(?:de\s+)?[A-ZÁÉÍÓÚÑ](?:[a-záéíóúñ]{2,}|[A-ZÁÉÍÓÚÑ]{3,}))"
    r"|(?<!\w)[A-ZÁÉÍÓÚÑ][a-záéíóúñ]{2,}\s+\(?\d{5,6}(?![\w.,/-]?\d)"  # «Lima 15074», «Vigo (36204)»
    r"|(?<!\w)[A-HJ-NP-Z]\d{4}[A-Z]{3}(?!\w)"
)

_CVV_SAID = (
    r"(?<!\w)(?i:cvv\s?2?|cvc\s?2?|ccv\s?2?|cvb|cbv|cod\. seg\.?|security code|c[oó]digo de verificaci[oó]n|"
    r"(?:el|los|c[oó]digo|d[ií]gitos|n[uú]meros) de seguridad|d[ií]gitos del reverso|detr[aá]s de la tarjeta|"
    r"c[oó]digo de (?:3|4|tres|cuatro) d[ií]gitos|c[oó]digo de seguridad|c[oó]d\. de seguridad|"
    r"d[ií]gitos de atr[aá]s|n[uú]meros de atr[aá]s|"
    rf"n[uú]meritos de atr[aá]s|c[oó]digo de atr[aá]s){_SAYS_LOOSELY}"
)
_CVV = r"\d{3,4}|\d(?:[ -]\d){2,3}"
_CVV_NAME = r"(?i:cvv\s?2?|cvc\s?2?|ccv|cvb|cbv|c[oó]digo de seguridad)"
CVV_PATTERN = re.compile(
    rf"{_CVV_SAID}(?:{_CVV})(?![\d/])"
    rf"|(?<![\w/,.])\d{{3,4}}(?=\s+(?:es\s+)?(?:el\s+|mi\s+|en\s+el\s+)?{_CVV_NAME}\b)"  # «517 es el cvv»
)
_PASSPORT_SAID = rf"(?<!\w)(?i:pasaporte|passport|pasap\.){_SAYS_LOOSELY}"
_PASSPORT = r"(?=[A-Za-z]{0,3}\d)[A-Za-z0-9]{1,3}[ -]?\d{5,9}[A-Za-z]?|[A-Za-z]{1,3} \d{4} \d{3,5}"
PASSPORT_PATTERN = re.compile(
    rf"{_PASSPORT_SAID}(?:{_PASSPORT})(?!\w)"
    rf"|(?<!\w)(?=[A-Z]{{1,3}}\d)[A-Z0-9]{{1,3}}\d{{5,9}}(?=\s+es\s+(?:el\s+número\s+de\s+)?(?:mi\s+)?(?i:pasaporte))"
)
# Plates of Spain (1234 BCD, M-1234-AB), Mexico (ABC-123-D, ABC-12-34, 123-ABC), Argentina
# (AB 123 CD, ABC 123), Chile (BBCL-23, AB-1234), Colombia (ABC 123) and Peru (ABC-123, A1B-234).
_PLATE = (
    r"(?<!\w)(?:\d{4}[ -]?[A-Za-z]{3}|[A-Za-z]{3}[ -]?\d{2}[ -]?\d{2}"
    r"|[A-Za-z]{1,2}[ -]?\d{4}[ -]?[A-Za-z]{0,2}"
    r"|[A-Za-z]{2,3}[ -]?\d{2,4}(?:[ -]?[A-Za-z]{1,3})?|[A-Za-z]{4}[ -]?\d{2}"
    r"|[A-Za-z]\d[A-Za-z][ -]?\d{3}|\d{3}[ -]?[A-Za-z]{3})"
)
_NOT_A_PLATE = r"(?i:es|el|la|de|del|mi|su|un|una|son|era|con)\b"  # «la matrícula es 1234 BCD»
_PLATE_SAID = rf"(?<!\w)(?i:matr[ií]cula|placas?|patente|dominio){_SAYS_LOOSELY}"
PLATE_PATTERN = re.compile(rf"{_PLATE_SAID}(?!{_NOT_A_PLATE}){_PLATE}(?!\w)")
_ID_SAID = (
    r"(?<!\w)(?i:dni|d\.n\.i\.?|nie|nif|cif|c[eé]dula|c\.c\.|cc|ci|c\.i\.|rut|run|ruc|cuit|cuil|rfc|documento|"
    rf"doc\.|carnet|ine|nit|clave de elector|identificaci[oó]n){_SAYS}"
)
_ID_NUMBER = r"(?:[A-Za-z][ -]?)?\d[\d.\s-]{4,13}\d(?:-?[A-Za-z]|\s[A-HJ-NP-TV-Z])?|[A-Z]{6}\d{8}[HM]\d{3}"
_BIRTH_DATE = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"  # in a CURP or an RFC: YYMMDD
LATIN_AMERICAN_ID_PATTERN = re.compile(
    rf"(?<!\w)(?i:[A-Z][AEIOUX][A-Z]{{2}}{_BIRTH_DATE}[HM][A-Z]{{5}}[A-Z0-9]\d)(?!\w)"  # CURP
    rf"|(?<!\w)[A-ZÑ&]{{3,4}}{_BIRTH_DATE}[A-Z0-9]{{3}}(?!\w)"  # RFC
    r"|(?<![\w.])\d{1,2}\.?\d{3}\.?\d{3}-[\dkK](?!\w)"  # RUT
    r"|(?<!\w)[ABCDEFGHJNPQRSUVW]-?\d{7}[0-9A-J](?!\w)"  # a Spanish company's NIF
    rf"|{_ID_SAID}{_ID_NUMBER}(?!\w)"
)

_DIGIT = re.compile(r"\d")


def _kept(value: str) -> str:
    return value


def _as(placeholder: str) -> Callable[[str], str]:
    return lambda _value: placeholder


_VALUE_STARTS_AFTER = frozenset(" \t\n:#=(")


def _value_as(placeholder: str, value: str, longest: bool = False) -> Callable[[str], str]:
    """Keeps the words that said what the value is («el CVV es», «pasaporte», «CP») and hides the
    value: the shortest end of the match, from the start of a word, that is one (`value`); the
    longest for values with spaces inside that no context word looks like («53 478 912 W»)."""
    pattern = re.compile(value)

    def replace(found: str) -> str:
        starts = range(1, len(found)) if longest else range(len(found) - 1, 0, -1)
        for start in starts:
            if found[start - 1] in _VALUE_STARTS_AFTER and pattern.fullmatch(found, start):
                return found[:start] + placeholder
        return placeholder

    return replace


def _by_length(value: str) -> str:
    """A phone number (9 to 12 digits), a card (13 to 19) or a bank account (more)."""
    digits = len(_DIGIT.findall(value))
    if digits <= 12:
        return PHONE
    return CARD if digits <= 19 else IBAN


# (group name, pattern, replacement): at each position the first kind that matches wins.
_KINDS: tuple[tuple[str, re.Pattern[str], Callable[[str], str]], ...] = (
    ("spelled_email", SPELLED_EMAIL_PATTERN, _as(EMAIL)),
    ("email", EMAIL_PATTERN, _as(EMAIL)),
    ("handle", HANDLE_PATTERN, _as(HANDLE)),
    ("cvv", CVV_PATTERN, _value_as(CVV, r"\d{3,4}")),
    ("passport", PASSPORT_PATTERN, _value_as(PASSPORT, _PASSPORT)),
    ("plate", PLATE_PATTERN, _value_as(PLATE, _PLATE)),
    ("latin_american_id", LATIN_AMERICAN_ID_PATTERN, _value_as(ID_DOCUMENT, _ID_NUMBER, longest=True)),
    ("postal_code", POSTAL_CODE_PATTERN, _value_as(POSTAL_CODE, _POSTAL_CODE, longest=True)),
    ("address", ADDRESS_PATTERN, _as(ADDRESS)),
    ("cued_address", CUED_ADDRESS_PATTERN, _value_as(ADDRESS, _CUED_ADDRESS, longest=True)),
    ("iban", IBAN_PATTERN, _as(IBAN)),
    ("case_number", CASE_NUMBER_PATTERN, _kept),
    ("id_document", ID_DOCUMENT_PATTERN, _as(ID_DOCUMENT)),
    ("date", DATE_PATTERN, _kept),
    ("time", TIME_PATTERN, _kept),
    ("international_phone", INTERNATIONAL_PHONE_PATTERN, _as(PHONE)),
    ("card", CARD_PATTERN, _as(CARD)),
    ("local_phone", LOCAL_PHONE_PATTERN, _value_as(PHONE, r"\(?\d[\d ()-]*\d", longest=True)),
    ("extension", EXTENSION_PATTERN, _as(" [extensión]")),
    ("spanish_phone", SPANISH_PHONE_PATTERN, _as(PHONE)),
    ("order", ORDER_PATTERN, _as(ORDER)),
    ("digit_run", DIGIT_RUN_PATTERN, _by_length),
)
_REPLACE = {name: replace for name, _, replace in _KINDS}
_SCANNER = re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern, _ in _KINDS))


def _replacement(match: re.Match[str]) -> str:
    # The kind's group closes last, so it is `lastgroup` (not DATE_PATTERN's inner separator).
    return _REPLACE[match.lastgroup](match.group())


def mask_personal_data(text: str) -> str:
    """`text` with personal data replaced by the placeholders; idempotent.

    One pass is stable on every text tried (tests and fuzzing); passes still repeat until
    nothing changes, so that idempotency does not rest on every boundary being right (a
    placeholder's «[» is no letter or digit, where the value it replaced was). Each changing
    pass removes letters, digits or «@» that placeholders replace, so the loop ends.
    """
    masked = _masked_once(text)
    while masked != text:
        text, masked = masked, _masked_once(masked)
    return masked


def _masked_once(text: str) -> str:
    """The scanner's kinds, then the names (bot/privacy/names.py) in what they left."""
    scanned = _SCANNER.sub(_replacement, text)
    pieces, last = [], 0
    for start, end in name_spans(scanned):
        pieces += [scanned[last:start], NAME]
        last = end
    return "".join(pieces) + scanned[last:]

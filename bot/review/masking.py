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

EMAIL = "[email]"
PHONE = "[teléfono]"
ORDER = "[pedido]"
CARD = "[tarjeta]"
IBAN = "[iban]"
ID_DOCUMENT = "[documento]"
PLACEHOLDERS = (EMAIL, PHONE, ORDER, CARD, IBAN, ID_DOCUMENT)

_SEPARATOR = r"[ .-]"  # between the digit groups of a phone number
_NO_LETTER_BEFORE = r"(?<![^\W\d_])"
_NO_LETTER_AFTER = r"(?![^\W\d_])"
_DNI_CAPITAL = "[TRWAGMYFPDXBNJZSQVHLCKE]"  # no I, Ñ, O, U
_DNI_LETTER = "[TRWAGMYFPDXBNJZSQVHLCKEtrwagmyfpdxbnjzsqvhlcke]"

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

_DIGIT = re.compile(r"\d")


def _kept(value: str) -> str:
    return value


def _as(placeholder: str) -> Callable[[str], str]:
    return lambda _value: placeholder


def _by_length(value: str) -> str:
    """A phone number (9 to 12 digits), a card (13 to 19) or a bank account (more)."""
    digits = len(_DIGIT.findall(value))
    if digits <= 12:
        return PHONE
    return CARD if digits <= 19 else IBAN


# (group name, pattern, replacement): at each position the first kind that matches wins.
_KINDS: tuple[tuple[str, re.Pattern[str], Callable[[str], str]], ...] = (
    ("email", EMAIL_PATTERN, _as(EMAIL)),
    ("iban", IBAN_PATTERN, _as(IBAN)),
    ("case_number", CASE_NUMBER_PATTERN, _kept),
    ("id_document", ID_DOCUMENT_PATTERN, _as(ID_DOCUMENT)),
    ("date", DATE_PATTERN, _kept),
    ("time", TIME_PATTERN, _kept),
    ("international_phone", INTERNATIONAL_PHONE_PATTERN, _as(PHONE)),
    ("card", CARD_PATTERN, _as(CARD)),
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
    pass removes digits or «@», which placeholders never contain, so the loop ends.
    """
    masked = _SCANNER.sub(_replacement, text)
    while masked != text:
        text, masked = masked, _SCANNER.sub(_replacement, masked)
    return masked

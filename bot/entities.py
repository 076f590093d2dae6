"""What a customer's words name that an agent acts on: order numbers, amounts, dates. Shared by the
forms' validators (actions/validators.py) and the case card's summary (bot/handoff/case_summary.py)."""

from __future__ import annotations

import re

from bot.text import fold

# Seven digits, not one group of a longer number («+58 414 5550123» is a phone).
ORDER_NUMBER = re.compile(r"(?<![\w-])(?:ped[\s#:-]*|#)?(?<!\d[ .-])(\d{7})(?![\w-])(?![ .-]\d)")
# «39,90 €», «€12», «1.200 pesos», «$ 350», «20 euros», «15 USD»
AMOUNT = re.compile(
    r"(?:(?P<before>€|\$|us\$)\s?(?P<amount>\d{1,3}(?:[.\s]\d{3})*(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?))"
    r"|(?:(?P<number>\d{1,3}(?:[.\s]\d{3})*(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)\s?"
    r"(?P<after>€|euros?|eur|usd|dolares|pesos|mxn|ars|cop|clp|soles)(?!\w))"
)
DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")


def order_numbers(text: str) -> list[str]:
    """`ped 1234567`, `#1234567`, `PED-1234567` → `PED-1234567`, each once, in order."""
    return list(dict.fromkeys(f"PED-{m.group(1)}" for m in ORDER_NUMBER.finditer(fold(text))))


def amounts(text: str) -> list[str]:
    """Amounts with their currency, as written («39,90 €», «1.200 pesos»), each once."""
    found = []
    for match in AMOUNT.finditer(fold(text)):
        if match.group("amount"):
            found.append(f"{match.group('amount')} {currency(match.group('before'))}")
        else:
            found.append(f"{match.group('number')} {currency(match.group('after'))}")
    return list(dict.fromkeys(found))


def currency(word: str) -> str:
    if word in ("€", "eur") or word.startswith("euro"):
        return "€"
    if word in ("$", "us$", "usd", "dolares"):
        return "$" if word == "$" else "USD"
    return word.upper() if len(word) == 3 else word


def dates(text: str) -> list[str]:
    """Day and month as written digits («12/03», «5/1/2027»), valid ones only, each once."""
    found = []
    for match in DATE.finditer(text):
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.append(match.group(0))
    return list(dict.fromkeys(found))

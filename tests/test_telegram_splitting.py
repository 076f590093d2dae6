"""Splitting long outgoing messages for Telegram: every part fits, nothing is lost, nothing is broken."""

from __future__ import annotations

import random
import re
import unicodedata
from html.parser import HTMLParser

import pytest

from bot.telegram_api.splitting import MIN_LIMIT, split_message, utf16_len

SENTENCE_END = re.compile(r"[.!?…][»\"'”’)\]]*$")
MARKUP = re.compile(
    r"""<(?:[^<>"']|"[^"]*"|'[^']*')*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"""
)

FAQ_PARAGRAPHS = [
    "¿Cuánto tarda el envío? Los pedidos peninsulares llegan en 24 a 48 horas laborables. "
    "Para Baleares, Canarias, Ceuta y Melilla el plazo es de 3 a 5 días.",
    "Para cancelar un pedido escriba «cancelar» seguido del número de pedido. Si ya salió del "
    "almacén, tendrá que rechazar la entrega o pedir una devolución.",
    "Formas de pago aceptadas:\n• Tarjeta de crédito o débito.\n• Transferencia bancaria.\n"
    "• Bizum, solo para importes inferiores a 1.000 €.",
    "Las devoluciones son gratuitas durante 30 días… siempre que el producto esté sin usar y en su "
    "embalaje original (incluidas las etiquetas).",
    "Nuestro horario de atención es de lunes a viernes, de 9:00 a 18:00. ¡Gracias por su paciencia!",
]


def faq_text(size: int) -> str:
    paragraphs: list[str] = []
    while len("\n\n".join(paragraphs)) < size:
        paragraphs.append(FAQ_PARAGRAPHS[len(paragraphs) % len(FAQ_PARAGRAPHS)])
    return "\n\n".join(paragraphs)


def collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def assert_fits(parts: list[str], limit: int) -> None:
    for part in parts:
        assert utf16_len(part) <= limit
        assert part.strip(), f"empty or whitespace-only part in {parts!r}"
        part.encode("utf-16-le", errors="strict")  # no lone surrogate


def assert_rejoins(parts: list[str], text: str) -> None:
    """Only the whitespace at the split points changed (holds when no word had to be cut)."""
    assert collapsed(" ".join(parts)) == collapsed(text)


def assert_only_long_words_cut(parts: list[str], text: str, limit: int) -> None:
    """Joined back, the parts give the text's words; a word came in pieces only if it cannot fit."""
    pieces = iter(" ".join(parts).split())
    for word in text.split():
        joined, count = "", 0
        while joined != word:
            joined += next(pieces)
            count += 1
            assert word.startswith(joined), f"{word!r} came back as {joined!r}"
        assert count == 1 or utf16_len(word) > limit, f"{word!r} was cut though it fits"
    assert next(pieces, None) is None


class _TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.starts: list[str] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.open.append(tag)
        self.starts.append(self.get_starttag_text())

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def parse_balanced(part: str) -> _TagChecker:
    """The part's markup is whole (every < and & starts a tag or entity) and its tags balanced."""
    assert not re.search(r"[<>&]", MARKUP.sub("", part)), f"broken tag or entity in {part!r}"
    checker = _TagChecker()
    checker.feed(part)
    checker.close()
    assert checker.open == [], f"unclosed {checker.open} in {part!r}"
    return checker


def shown_text(html_text: str) -> str:
    return "".join(parse_balanced(html_text).data)


# Short texts and validation


@pytest.mark.parametrize(
    "text",
    ["Hola", "  Hola, ¿en qué puedo ayudarle?\n\n", "\t• Envío gratis\n", "😀" * 2048, "x" * 4096],
)
def test_a_text_that_fits_comes_back_unchanged(text: str) -> None:
    assert split_message(text) == [text]


def test_one_unit_over_the_limit_makes_two_parts() -> None:
    text = "palabra " * 512  # 4096 characters, the last one a space
    assert_fits(split_message(text + "x"), 4096)
    assert len(split_message(text + "x")) == 2


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \n", "\u00a0\u2003"])
def test_whitespace_only_gives_no_parts(text: str) -> None:
    assert split_message(text) == []
    assert split_message(text * 5000, 100) == []


def test_html_without_visible_text_gives_no_parts() -> None:
    assert split_message("<b> </b>\n<i></i>", html=True) == []


@pytest.mark.parametrize("limit", [MIN_LIMIT - 1, 1, 0, -5])
def test_a_limit_too_small_is_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        split_message("Hola", limit)


def test_the_smallest_limit_is_accepted() -> None:
    parts = split_message("Hola, ¿en qué puedo ayudarle hoy?", MIN_LIMIT)
    assert parts == ["Hola, ¿en qué", "puedo ayudarle", "hoy?"]


def test_html_whose_tags_cannot_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_message('<a href="https://example.com/larguisimo">enlace</a> ' * 3, 32, html=True)


# Boundaries


def test_faq_text_splits_at_paragraph_breaks() -> None:
    text = faq_text(10_000)
    parts = split_message(text)
    assert len(parts) == 3
    assert_fits(parts, 4096)
    assert "\n\n".join(parts) == text
    paragraphs = set(text.split("\n\n"))
    assert all(set(part.split("\n\n")) <= paragraphs for part in parts)


def test_one_long_paragraph_splits_at_sentence_ends() -> None:
    sentences = [
        "El pedido salió ayer del almacén.",
        "¿Le llegó el correo de confirmación?",
        "El repartidor dijo: «Vuelvo mañana por la tarde.»",
        "Puede consultar el estado en la web (sección «Mis pedidos».)",
        "Si no, escríbanos y lo revisamos…",
        "¡Gracias por confiar en nosotros!",
    ]
    text = " ".join(sentences[i % len(sentences)] for i in range(300))
    assert len(text) > 10_000
    parts = split_message(text)
    assert len(parts) >= 3
    assert_fits(parts, 4096)
    assert_rejoins(parts, text)
    assert all(SENTENCE_END.search(part) for part in parts[:-1])
    assert all(part.rstrip() in text for part in parts)


def test_lines_without_blank_lines_split_at_line_breaks() -> None:
    lines = [f"• Punto {n}: consulte las condiciones de envío y devolución en la web." for n in range(200)]
    text = "\n".join(lines)
    parts = split_message(text, 1000)
    assert len(parts) > 10
    assert_fits(parts, 1000)
    assert "\n".join(parts) == text
    assert all(set(part.split("\n")) <= set(lines) for part in parts)


def test_a_paragraph_break_late_in_the_window_beats_a_later_line_break() -> None:
    first = "Primer párrafo con bastante texto, " * 2  # 70 characters
    text = first.strip() + "\n\nSegundo párrafo.\nUna línea más que ya no cabe en esta parte."
    assert split_message(text, 100)[0] == first.strip()


def test_a_paragraph_break_early_in_the_window_gives_way_to_a_late_line_break() -> None:
    line = "Una línea bastante larga con texto."
    text = f"Hola.\n\n{line}\n{line}\n{line}\nOtra línea que ya no entra."
    parts = split_message(text, 100)
    assert parts[0] == f"Hola.\n\n{line}\n{line}"
    assert_rejoins(parts, text)


def test_a_sentence_end_in_the_last_half_beats_a_later_space() -> None:
    text = "Una frase de unas cuantas palabras. " * 2 + "Y otra que sigue y sigue sin terminar nunca jamás."
    parts = split_message(text, 100)
    assert parts[0] == "Una frase de unas cuantas palabras. Una frase de unas cuantas palabras."


@pytest.mark.parametrize("limit", [16, 23, 40, 97, 500])
def test_no_word_is_ever_cut(limit: int) -> None:
    text = faq_text(3000).replace("\n\n", " ")
    parts = split_message(text, limit)
    assert_fits(parts, limit)
    assert_rejoins(parts, text)
    words = set(text.split())
    assert all(set(part.split()) <= words for part in parts)


def test_indentation_of_the_first_part_and_the_end_of_the_last_are_kept() -> None:
    text = "    Estimado cliente:\n\n" + "texto " * 20 + "\n\n"
    parts = split_message(text, 40)
    assert parts[0] == "    Estimado cliente:"
    assert parts[-1].endswith("texto \n\n")
    assert_rejoins(parts, text)


def test_indentation_that_leaves_no_room_is_dropped_rather_than_cutting_a_word() -> None:
    word = "x" * 20
    assert split_message(" " * 10 + word + " fin", 20) == [word, "fin"]


# Runs longer than the limit


def test_a_huge_url_is_cut_and_rejoins_exactly() -> None:
    url = "https://example.com/seguimiento?" + "id=12345&" * 1000
    url = url[:9000]
    parts = split_message(url)
    assert [len(part) for part in parts] == [4096, 4096, 808]
    assert "".join(parts) == url


def test_a_huge_url_inside_prose_is_cut_only_itself() -> None:
    text = "Su enlace de seguimiento es " + "https://ex.com/" + "a" * 300 + " y caduca mañana."
    parts = split_message(text, 100)
    assert_fits(parts, 100)
    assert_only_long_words_cut(parts, text, 100)
    assert parts[0] == "Su enlace de seguimiento es"
    assert parts[-1].endswith("y caduca mañana.")


@pytest.mark.parametrize("limit", [4096, 4095, 17])
def test_emoji_are_counted_in_utf16_and_never_split(limit: int) -> None:
    text = "😀" * 5000
    parts = split_message(text, limit)
    assert_fits(parts, limit)
    assert "".join(parts) == text
    assert utf16_len(parts[0]) in (limit, limit - 1)


def test_emoji_heavy_prose_respects_the_utf16_limit() -> None:
    text = " ".join(["¡Gracias! 😀🎉👍🙏", "Pedido 📦 en camino 🚚🚚🚚", "Valore 🌟🌟🌟🌟🌟"] * 300)
    assert utf16_len(text) > len(text) * 1.2
    parts = split_message(text)
    assert_fits(parts, 4096)
    assert_rejoins(parts, text)
    assert len(parts[0]) < 4096 * 0.9 < utf16_len(parts[0])


@pytest.mark.parametrize(
    "grapheme",
    [
        "e\u0301",  # é with a combining accent
        "n\u0303\u0323",  # two combining marks
        "👍🏽",  # skin-tone modifier
        "👨\u200d👩\u200d👧",  # family joined by ZWJ
        "🇪🇸",  # flag: two regional indicators
        "1\ufe0f\u20e3",  # keycap
        "❤\ufe0f",  # variation selector
    ],
)
@pytest.mark.parametrize("limit", [16, 17, 31])
def test_a_cut_run_keeps_every_grapheme_whole(grapheme: str, limit: int) -> None:
    text = grapheme * 60
    parts = split_message(text, limit)
    assert_fits(parts, limit)
    assert "".join(parts) == text
    assert all(len(part) % len(grapheme) == 0 for part in parts)


def test_a_flag_run_is_cut_between_flags() -> None:
    text = "A" + "🇪🇸" * 20  # an odd offset must not pair the wrong indicators
    parts = split_message(text, 16)
    assert "".join(parts) == text
    assert all(part.replace("A", "") == "🇪🇸" * (len(part.replace("A", "")) // 2) for part in parts)


# HTML mode


def test_html_bold_spanning_a_split_is_closed_and_reopened() -> None:
    text = "<b>" + "Texto importante. " * 300 + "</b>"
    parts = split_message(text, 1000, html=True)
    assert len(parts) > 5
    assert_fits(parts, 1000)
    assert all(part.startswith("<b>") and part.endswith("</b>") for part in parts)
    for part in parts:
        parse_balanced(part)
    assert collapsed(" ".join(shown_text(part) for part in parts)) == collapsed(shown_text(text))


def test_html_link_is_reopened_with_its_href() -> None:
    opening = '<a href="https://example.com/faq?id=7&amp;lang=es">'
    text = "Lea esto: " + opening + "las condiciones " * 100 + "</a> y nada más."
    parts = split_message(text, 300, html=True)
    assert_fits(parts, 300)
    assert all(parse_balanced(part).starts[0] == opening for part in parts[1:])
    assert parts[-1].endswith("</a> y nada más.")


def test_nested_tags_close_innermost_first_and_reopen_outermost_first() -> None:
    text = "<b>Aviso: <i>" + "muy importante " * 20 + "</i></b>"
    parts = split_message(text, 64, html=True)
    assert_fits(parts, 64)
    for part in parts[1:-1]:
        assert part.startswith("<b><i>") and part.endswith("</i></b>")
        parse_balanced(part)


def test_html_split_whitespace_next_to_tags_leaves_no_empty_elements() -> None:
    text = " ".join(f"<b>palabra{n}</b> <i>otra{n}</i>" for n in range(100))
    parts = split_message(text, 50, html=True)
    assert_fits(parts, 50)
    for part in parts:
        parse_balanced(part)
        assert not re.search(r"<(\w+)[^>]*></\1>", part), part
        assert not re.match(r"\s|<[^>]+>\s", part) and not re.search(r"\s(</[^>]+>)*$", part)


def test_an_unbroken_html_run_is_never_cut_inside_a_tag_or_entity() -> None:
    text = "&amp;&lt;" + "<b>x&#128512;</b>&amp;" * 400 + "&gt;"
    for limit in (16, 29, 100, 4096):
        parts = split_message(text, limit, html=True)
        assert_fits(parts, limit)
        for part in parts:
            parse_balanced(part)
        assert "".join(shown_text(part) for part in parts) == shown_text(text)


def test_pasted_customer_text_for_agents_in_html() -> None:
    pasted = faq_text(6000).replace("&", "&amp;").replace("<", "&lt;")
    text = f"<b>Caso 1234</b>\n<blockquote>{pasted}</blockquote>\n<i>Responda en 24 h</i>"
    parts = split_message(text, html=True)
    assert len(parts) == 2
    assert_fits(parts, 4096)
    assert parts[0].startswith("<b>Caso 1234</b>\n<blockquote>") and parts[0].endswith("</blockquote>")
    assert parts[1].startswith("<blockquote>")
    assert collapsed(" ".join(shown_text(part) for part in parts)) == collapsed(shown_text(text))


def test_html_limit_counts_the_raw_markup() -> None:
    text = "<b>" + "negrita " * 20 + "</b>"
    parts = split_message(text, 40, html=True)
    assert max(len(part) for part in parts) <= 40
    assert all(part.startswith("<b>") and part.endswith("</b>") for part in parts)


# Random texts (hypothesis is not installed: seeded, reproducible cases)

ALPHABET_WORDS = ["hola", "envío", "pedido", "ñandú", "¿qué", "sí?", "¡ya!", "«cita».", "(nota)", "fin…"]
EMOJI = ["😀", "🎉", "👍🏽", "🇪🇸", "👨\u200d👩\u200d👧", "e\u0301", "❤\ufe0f"]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\n \n", "\t", ". ", "! ", "? ", "… ", "» "]


def random_text(rng: random.Random) -> str:
    long_runs = rng.random() < 0.3  # words of up to 250 characters, sometimes over the limit
    chunks: list[str] = []
    for _ in range(rng.randint(0, 120)):
        roll = rng.random()
        if roll < 0.55:
            chunks.append(rng.choice(ALPHABET_WORDS))
        elif roll < 0.7:
            chunks.append("".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 4))))
        elif roll < 0.75 and long_runs:
            chunks.append(rng.choice("abcxyz") * rng.randint(10, 250))
        chunks.append(rng.choice(SEPARATORS))
    return rng.choice(["", " ", "\n  "]) + "".join(chunks)


@pytest.mark.parametrize("seed", range(300))
def test_random_text_keeps_rules_one_to_three(seed: int) -> None:
    rng = random.Random(seed)
    text, limit = random_text(rng), rng.randint(MIN_LIMIT, 200)
    parts = split_message(text, limit)
    if not text.strip():
        assert parts == []
        return
    assert_fits(parts, limit)
    if utf16_len(text) <= limit:
        assert parts == [text]
    assert_only_long_words_cut(parts, text, limit)
    if all(utf16_len(word) <= limit for word in text.split()):
        assert_rejoins(parts, text)
    for part in parts[1:]:
        assert unicodedata.category(part[0]) not in ("Mn", "Me", "Mc") and part[0] not in "\u200d\ufe0f"


def random_html(rng: random.Random) -> str:
    chunks: list[str] = []
    for _ in range(rng.randint(1, 60)):
        words = " ".join(rng.choice(ALPHABET_WORDS + ["&amp;", "&lt;3", "a&#128512;b"]) for _ in range(3))
        tag = rng.choice(["", "b", "i", "a", "code", "bi"])
        if tag == "a":
            chunks.append(f'<a href="https://ex.com/?q={rng.randint(0, 99)}&amp;x=1">{words}</a>')
        elif tag == "bi":
            chunks.append(f"<b>{words} <i>{words}</i></b>")
        elif tag:
            chunks.append(f"<{tag}>{words}</{tag}>")
        else:
            chunks.append(words)
        chunks.append(rng.choice(SEPARATORS))
    return "".join(chunks)


@pytest.mark.parametrize("seed", range(150))
def test_random_html_parts_fit_and_stay_balanced(seed: int) -> None:
    rng = random.Random(seed)
    text, limit = random_html(rng), rng.randint(64, 300)
    parts = split_message(text, limit, html=True)
    assert_fits(parts, limit)
    for part in parts:
        assert shown_text(part).strip()
    joined = " ".join(shown_text(part) for part in parts)
    assert collapsed(joined) == collapsed(shown_text(text))

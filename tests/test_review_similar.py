"""Merging the same customer message written many ways (bot/review/similar.py)."""

from __future__ import annotations

import random

import pytest

from bot.review.similar import Group, Sighting, merge_similar, normalized


def seen(
    text: str,
    source: str = "",
    intent: str | None = None,
    confidence: float | None = None,
    reasons=("low_confidence",),
    label: str | None = None,
) -> Sighting:
    """A sighting as the collector makes them (collected for low confidence unless said)."""
    return Sighting(text, source or f"conv:{text}", intent, confidence, frozenset(reasons), label)


def texts_of(groups: list[Group]) -> list[list[str]]:
    """Each group as its sources, in order."""
    return [list(group.sources) for group in groups]


def merged(*texts: str) -> list[list[str]]:
    """The groups of `texts`, each as its texts (a text is its own sighting's source)."""
    return merged_at(0.9, *texts)


def merged_at(threshold: float, *texts: str) -> list[list[str]]:
    return texts_of(merge_similar((seen(text, source=text) for text in texts), threshold))


# --- normalized ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hola!!", "hola"),
        ("  hola  ", "hola"),
        ("¿Dónde está mi pedido?", "donde esta mi pedido"),
        ("NO ME HA LLEGADO EL PEDIDO.", "no me ha llegado el pedido"),
        ("gracias 🙏🙏", "gracias"),
        ("holaaaaa", "holaa"),
        ("llegar", "llegar"),  # doubled letters are Spanish: only three or more are squeezed
        ("feliz año", "feliz año"),  # ñ kept: «año» is not «ano»
        ("ok,gracias...vale", "ok gracias vale"),
        ("no\tme\n llegó", "no me llego"),
        ("pedido nº 5", "pedido n 5"),  # «nº» is not the word «no»
    ],
)
def test_normalized(text, expected):
    assert normalized(text) == expected


def test_masked_data_is_a_token():
    assert normalized("Mi teléfono es [Teléfono], llamadme") == "mi telefono es [telefono] llamadme"
    assert normalized("mi correo:[email].") == "mi correo [email]"
    assert normalized("el [número de pedido] no aparece") == "el [numero_de_pedido] no aparece"
    assert normalized("[pedido]") == "[pedido]"


def test_a_text_without_words_is_kept_as_written():
    assert normalized("👍") == "👍"
    assert normalized(" ??  ") == "??"
    assert normalized("👍") != normalized("😡")


# --- what merges --------------------------------------------------------------------------------


def test_case_punctuation_accents_and_emoji_do_not_count():
    assert merged("hola", "Hola!!", "hola ", "HOLA 👋", "hóla", "¡Hola!") == [
        ["hola", "Hola!!", "hola ", "HOLA 👋", "hóla", "¡Hola!"]
    ]
    assert merged("Sí", "si", "SI.", "sí!") == [["Sí", "si", "SI.", "sí!"]]


def test_typos_merge():
    assert merged(
        "no me ha llegado el pedido",
        "No me ha llegado el pedido.",
        "no me a llegado el pedido",
        "no me ha llegao el pedido",
        "nome ha llegado el pedido",
    ) == [
        [
            "no me ha llegado el pedido",
            "No me ha llegado el pedido.",
            "no me a llegado el pedido",
            "no me ha llegao el pedido",
            "nome ha llegado el pedido",
        ]
    ]
    assert len(merged("donde esta mi pedido", "dnde esta mi pedido", "donde esta mi pdeido")) == 1
    assert len(merged("necesito la factura de mi compra", "nesesito la factura de mi compra")) == 1
    assert len(merged("no puedo iniciar sesion", "no puedo inicar sesion")) == 1
    assert len(merged("buenas tardes", "buenas tarde")) == 1


@pytest.mark.parametrize(
    "a, b",
    [
        ("quiero cancelar mi pedido", "quiero cambiar mi pedido"),  # ratio 0.857: the threshold
        # The same words in a longer sentence: ratio 0.93, kept apart by the word check.
        (
            "quiero cancelar el pedido que hice ayer por la tarde",
            "quiero cambiar el pedido que hice ayer por la tarde",
        ),
        ("mi pedido ha llegado", "mi pedido no ha llegado"),  # 0.93
        ("el pedido no ha llegado", "el pedido si ha llegado"),  # 0.91
        ("no lo quiero", "yo lo quiero"),  # 0.92, one letter
        ("quiero darme de baja", "quiero darme de alta"),  # 0.90
        ("tengo un problema con mi pedido", "tengo un problema con mi pago"),  # 0.90
        ("me han cobrado el pedido dos veces", "me han cobrado el pedido tres veces"),
        (
            "quiero devolver las zapatillas porque me quedan pequeñas",
            "quiero devolver las zapatillas porque me quedan grandes",
        ),
        ("donde esta mi pedido", "donde esta mi paquete"),
        ("quiero hablar con una persona", "quiero hablar con un agente"),
    ],
)
def test_different_meanings_stay_apart(a, b):
    assert merged(a, b) == [[a], [b]]


def test_short_texts_only_merge_when_equal():
    assert merged("si", "no") == [["si"], ["no"]]
    assert merged("hola", "hora") == [["hola"], ["hora"]]
    assert merged("vale", "valee") == [["vale"], ["valee"]]
    assert merged("ok", "oki") == [["ok"], ["oki"]]
    # One word of any length: «devolucion» and «devoluciones» are not one message to label.
    assert merged("devolucion", "devoluciones") == [["devolucion"], ["devoluciones"]]
    assert merged("👍", "😡", "👍") == [["👍", "👍"], ["😡"]]


def test_masked_values_merge():
    # What the customers wrote: «mi correo es ana@x.es» and «mi correo es luis@y.com», then masked.
    groups = merge_similar(
        [
            seen("mi correo es [email]", "a"),
            seen("Mi correo es [email].", "b"),
            seen("mi telefono es [teléfono]", "c"),
            seen("Mi teléfono es [Teléfono]", "d"),
            seen("no me ha llegado el pedido [pedido]", "e"),
            seen("no me a llegado el pedido [pedido]!!", "f"),
            seen("me cobraron dos veces en la [tarjeta]", "g"),
            seen("me cobraron dos veces en la [pedido]", "h"),  # another kind of data: not merged
        ]
    )
    assert texts_of(groups) == [["a", "b"], ["c", "d"], ["e", "f"], ["g"], ["h"]]


def test_the_threshold_is_a_parameter():
    texts = ("no me ha llegado el pedido", "no me a llegado el pedido")
    assert len(merge_similar([seen(t) for t in texts], threshold=0.9)) == 1
    assert len(merge_similar([seen(t) for t in texts], threshold=1.0)) == 2
    with pytest.raises(ValueError):
        merge_similar([], threshold=0)
    with pytest.raises(ValueError):
        merge_similar([], threshold=1.5)


def test_a_text_equally_close_to_two_groups_joins_the_older():
    a = "necesito la factura de mi compra"
    b = "nesesito la factura de mi conpra"  # two slips: ratio 0.94, under 0.95
    c = "nesesito la factura de mi compra"  # one slip from each: 0.97 to both
    assert merged_at(0.95, a, b, c) == [[a, c], [b]]
    assert merged_at(0.95, b, a, c) == [[b, c], [a]]


# --- what a group says --------------------------------------------------------------------------


def test_group_fields():
    groups = merge_similar(
        [
            seen("No me ha llegado el pedido.", "conv1:1", "queja", 0.41),
            seen("hola", "conv1:2", "saludo", 0.55),
            seen("no me a llegado el pedido", "conv2:7", "solicitud", 0.62, reasons={"fallback"}),
            seen("no me ha llegado el pedido", "conv3:1", "queja", None),
            seen("no me a llegado el pedido", "conv4:3", None, 0.30, reasons={"not_resolved"}),
            seen(
                "no me a llegado el pedido", "caso:12", "solicitud", 0.5, reasons={"corrected"}, label="queja"
            ),
        ]
    )
    assert groups == [
        Group(
            text="no me a llegado el pedido",  # written so 3 times, the other spellings once each
            count=5,
            sources=("conv1:1", "conv2:7", "conv3:1", "conv4:3", "caso:12"),
            predicted_intent="queja",  # 2 against 2 (None not counted): the earliest
            confidence=0.30,
            reasons=frozenset({"low_confidence", "fallback", "not_resolved", "corrected"}),
            labels=frozenset({"queja"}),
        ),
        Group("hola", 1, ("conv1:2",), "saludo", 0.55, frozenset({"low_confidence"}), frozenset()),
    ]


def test_ties_go_to_the_earliest():
    groups = merge_similar(
        [
            seen("No me ha llegado el pedido.", "1", "queja", 0.4),
            seen("no me a llegado el pedido", "2", "solicitud", 0.5),
            seen("no me a llegado el pedido", "3", "solicitud", 0.6),
            seen("No me ha llegado el pedido.", "4", "queja", 0.7),
            seen("no me ha llegado el pedido", "5", None, None),
        ]
    )
    assert len(groups) == 1
    assert groups[0].text == "No me ha llegado el pedido."  # 2 against 2 (and 1): the earliest
    assert groups[0].predicted_intent == "queja"  # 2 against 2, None not counted: the earliest
    assert groups[0].confidence == 0.4
    assert groups[0].count == 5


def test_surrounding_whitespace_is_not_another_spelling():
    groups = merge_similar([seen("hola "), seen("Hola"), seen(" Hola")])
    assert groups[0].text == "Hola"


def test_nothing_known():
    (group,) = merge_similar([seen("hola", "1", None, None, reasons=set()), seen("Hola", "2")])
    assert group.predicted_intent is None
    assert group.confidence is None
    assert group.labels == frozenset()
    assert group.reasons == frozenset({"low_confidence"})


def test_conflicting_labels_are_all_kept():
    (group,) = merge_similar(
        [
            seen("llevo tres semanas esperando mi pedido", "caso:1", label="queja"),
            seen("Llevo tres semanas esperando mi pedido!!", "caso:2", label="solicitud"),
            seen("llevo tres semanas esperando mi pedido", "conv:9"),
            seen("llevo tres semanas esperando mi pedido", "caso:3", label="queja"),
        ]
    )
    assert group.labels == frozenset({"queja", "solicitud"})
    assert group.count == 4


def test_largest_groups_first_then_first_seen():
    groups = merge_similar(
        [
            seen("gracias", "1"),
            seen("hola", "2"),
            seen("quiero cancelar mi pedido", "3"),
            seen("Hola", "4"),
            seen("quiero cancelar mi pedido.", "5"),
            seen("adios", "6"),
        ]
    )
    assert texts_of(groups) == [["2", "4"], ["3", "5"], ["1"], ["6"]]


def test_empty_input():
    assert merge_similar([]) == []
    assert merge_similar(iter(())) == []


def test_deterministic():
    sightings = [seen(text, str(i)) for i, text in enumerate(_realistic_texts(random.Random(3), 300))]
    assert merge_similar(sightings) == merge_similar(list(sightings))
    assert merge_similar(sightings) == merge_similar(iter(sightings))


# --- many -----------------------------------------------------------------------------------------

PRODUCTS = [
    "zapatillas", "camiseta", "sofa", "television", "auriculares", "lampara", "chaqueta", "mochila",
    "cafetera", "alfombra", "bicicleta", "pantalones", "reloj", "microondas", "almohada", "vestido",
    "tostadora", "patinete", "bufanda", "impresora",
]  # fmt: skip
PROBLEMS = [
    "no me ha llegado {el} {p} que pedi",
    "{el} {p} llego roto y quiero una solucion",
    "quiero devolver {el} {p} que compre",
    "me cobraron dos veces {el} {p}",
    "cuanto tarda en llegar {el} {p}",
    "tienen en tienda {el} {p} de la web",
    "puedo pagar a plazos {el} {p}",
    "necesito la factura de {el} {p}",
    "hola quiero cambiar la talla de {el} {p}",
    "me mandaron otro color de {el} {p}",
]
FEMININE = {"zapatillas", "camiseta", "television", "lampara", "chaqueta", "mochila", "cafetera", "alfombra",
            "bicicleta", "microondas", "almohada", "tostadora", "bufanda", "impresora"}  # fmt: skip
PLURAL = {"zapatillas", "auriculares", "pantalones", "microondas"}


def _base(problem: str, product: str) -> str:
    article = {(False, False): "el", (True, False): "la", (False, True): "los", (True, True): "las"}
    return problem.format(el=article[product in FEMININE, product in PLURAL], p=product)


def _variants(base: str) -> list[str]:
    """Five ways of writing `base`: as is, shouted, with emoji, and two typos in different words."""
    words = base.split()
    # One slip per word (two in one word are another word: «lapmara» / «lampaa»).
    longest = max(range(len(words) - 1), key=lambda i: len(words[i]))
    swapped = list(words)
    w = swapped[longest]
    swapped[longest] = w[:2] + w[3] + w[2] + w[4:]  # two letters swapped
    dropped = list(words)
    w = dropped[-1]
    dropped[-1] = w[:-2] + w[-1]  # a letter left out
    return [base, base.upper() + "!!", f"{base.capitalize()} 😡", " ".join(swapped), " ".join(dropped)]


def _realistic_texts(rng: random.Random, n: int) -> list[str]:
    bases = [_base(problem, product) for problem in PROBLEMS for product in PRODUCTS]
    return [rng.choice(_variants(rng.choice(bases))) for _ in range(n)]


def test_five_thousand_sightings():
    bases = [_base(problem, product) for problem in PROBLEMS for product in PRODUCTS]
    variants = {base: _variants(base) for base in bases}
    assert len({text for texts in variants.values() for text in texts}) == 1000
    order = [(base, i) for base in bases for i in range(25)]
    random.Random(11).shuffle(order)
    sightings, expected = [], {}
    for n, (base, i) in enumerate(order):
        text = variants[base][i % 5]
        sightings.append(seen(text, f"s{n}", confidence=(n % 100) / 100))
        expected.setdefault(base, []).append(f"s{n}")

    groups = merge_similar(sightings)

    assert len(sightings) == 5000
    assert sorted(texts_of(groups)) == sorted(expected.values())
    by_first = {sources[0]: base for base, sources in expected.items()}
    for group in groups:
        assert group.count == 25
        assert normalized(group.text) in {normalized(v) for v in variants[by_first[group.sources[0]]]}
    # 25 each: ordered by first appearance.
    assert [group.sources[0] for group in groups] == sorted(
        (sources[0] for sources in expected.values()), key=lambda source: int(source[1:])
    )

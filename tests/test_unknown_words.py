"""The unknown-words guard: trained, persisted and loaded through Rasa's own model storage."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.unknown_words import UnknownWordsGuard

TRAINING = [
    ("quiero cancelar mi pedido", "solicitud"),
    ("cuánto tarda el envío", "duda"),
    ("hola", "saludo"),
    ("no", "negar"),
    ("👍", "afirmar"),
    ("gracias 😀", "agradecer"),
]


def classified(text: str, intent: str = "afirmar", confidence: float = 0.98) -> Message:
    message = Message.build(text=text)
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    return message


def trained_guard(tmp_path) -> tuple[UnknownWordsGuard, LocalModelStorage, Resource]:
    storage, resource = LocalModelStorage(tmp_path), Resource("unknown_words_guard")
    context = ExecutionContext(GraphSchema({}), "test-model")
    config = UnknownWordsGuard.get_default_config()
    guard = UnknownWordsGuard.create(config, storage, resource, context)
    guard.train(TrainingData([Message.build(text=t, intent=i) for t, i in TRAINING]))
    return guard, storage, resource


def confidence_after(guard: UnknownWordsGuard, text: str) -> float:
    return guard.process([classified(text)])[0].get("intent")["confidence"]


def test_keyboard_mashes_and_emoji_lose_their_confidence(tmp_path):
    guard, _, _ = trained_guard(tmp_path)
    for text in ["xyz", "asdfgh qwerty", "😀😀😀", "bla bla", ""]:
        assert confidence_after(guard, text) == 0.0, text


def test_an_emoji_taught_alone_is_an_answer_and_one_seen_beside_words_is_not(tmp_path):
    guard, _, _ = trained_guard(tmp_path)
    assert confidence_after(guard, "👍") == 0.98
    assert confidence_after(guard, "👍🏽👍🏽") == 0.98  # a skin tone is a modifier, not another emoji
    assert confidence_after(guard, "😀😀😀") == 0.0
    assert confidence_after(guard, "👍😀") == 0.0  # not an answer anybody taught


def test_messages_with_a_known_word_keep_it_accents_and_case_aside(tmp_path):
    guard, _, _ = trained_guard(tmp_path)
    for text in ["CANCELAR ya", "el envio a Cádiz", "Hola!!", "NO"]:
        assert confidence_after(guard, text) == 0.98, text


def test_a_letter_said_twice_or_more_is_the_same_word(tmp_path):
    guard, _, _ = trained_guard(tmp_path)
    for text in ["graciass", "GRACIASSS", "holaaa", "nooo", "cancelarrr"]:
        assert confidence_after(guard, text) == 0.98, text
    assert confidence_after(guard, "grasias") == 0.0  # another word, not a longer one


def test_the_vocabulary_survives_persistence(tmp_path):
    _, storage, resource = trained_guard(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test-model")
    loaded = UnknownWordsGuard.load(UnknownWordsGuard.get_default_config(), storage, resource, context)
    assert confidence_after(loaded, "pedido por favor") == 0.98
    assert confidence_after(loaded, "zzz") == 0.0


def intent_after(guard: UnknownWordsGuard, text: str) -> str:
    return guard.process([classified(text)])[0].get("intent")["name"]


def test_english_and_portuguese_are_told_apart_from_spanish(tmp_path):
    guard, _, _ = trained_guard(tmp_path)
    english, portuguese = "Hello, where is my package? I ordered it", "Olá, preciso de ajuda com a encomenda"
    for text in [english, portuguese]:
        assert intent_after(guard, text) == "otro_idioma", text
        ranking = guard.process([classified(text)])[0].get("intent_ranking")
        assert [intent["name"] for intent in ranking] == ["otro_idioma"]


def test_spanish_with_a_few_english_words_or_too_short_stays_spanish(tmp_path):
    guard, _, _ = trained_guard(tmp_path)
    for text in ["quiero cancelar el pedido del cyber monday", "hola, el envío", "ok thanks", "hello"]:
        assert intent_after(guard, text) == "afirmar", text


def test_the_language_check_can_be_switched_off(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("guard")
    context = ExecutionContext(GraphSchema({}), "test-model")
    config = {**UnknownWordsGuard.get_default_config(), "other_languages": False}
    guard = UnknownWordsGuard.create(config, storage, resource, context)
    guard.train(TrainingData([Message.build(text="where is my package", intent="duda")]))
    assert intent_after(guard, "where is my package now please") == "afirmar"

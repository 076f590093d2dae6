"""Two readings that call for the same reply are one answer, not a reason to ask again."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.agreeing_intents import AgreeingIntents


def ranked(*pairs: tuple[str, float]) -> Message:
    message = Message.build(text="si gracias")
    ranking = [{"name": name, "confidence": confidence} for name, confidence in pairs]
    message.set("intent", ranking[0], add_to_output=True)
    message.set("intent_ranking", ranking, add_to_output=True)
    return message


def after(tmp_path, message: Message) -> Message:
    component = AgreeingIntents.create(
        AgreeingIntents.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("agreeing_intents"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )
    return component.process([message])[0]


def test_a_yes_that_thanks_is_a_yes_with_both_confidences(tmp_path):
    message = after(tmp_path, ranked(("agradecer", 0.52), ("afirmar", 0.47), ("negar", 0.01)))
    assert message.get("intent") == {"name": "afirmar", "confidence": 0.99}
    assert [r["name"] for r in message.get("intent_ranking")] == ["afirmar", "negar"]


def test_thanks_and_a_goodbye_are_a_goodbye(tmp_path):
    message = after(tmp_path, ranked(("agradecer", 0.55), ("despedida", 0.43), ("afirmar", 0.02)))
    assert message.get("intent")["name"] == "despedida"


def test_plain_thanks_stay_thanks(tmp_path):
    message = after(tmp_path, ranked(("agradecer", 0.89), ("afirmar", 0.09), ("negar", 0.02)))
    assert message.get("intent") == {"name": "agradecer", "confidence": 0.89}


def test_intents_that_call_for_different_replies_stay_apart(tmp_path):
    message = after(tmp_path, ranked(("queja", 0.5), ("solicitud", 0.45)))
    assert message.get("intent")["name"] == "queja" and len(message.get("intent_ranking")) == 2

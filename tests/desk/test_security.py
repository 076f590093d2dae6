"""Who may do what, through the running assistant (trained model, action server, worker, SQLite
store, agents' forum group on the fake Bot API): a forged webhook secret changes nothing, agents'
commands and buttons do nothing for people who are not registered agents, and a customer learns
nothing about a case that is not theirs — not even that it exists.

Already covered elsewhere, and not repeated here: a missing or wrong secret gets 403 and no answer
(test_telegram_end_to_end), a stranger's «Tomar» is refused and a stranger's private /cola lists
nothing (test_handoff_end_to_end), /caso with someone else's number shows nothing of it
(test_telegram_end_to_end, and test_dialogue in words), foreign survey buttons change nothing
(test_survey_end_to_end)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from bot.customers import customer_by_chat
from bot.store.db import create_session_factory
from tests.support import telegram_updates as tg
from tests.support.chats import new_chat
from tests.support.fake_bot_api import Call
from tests.support.handoff_helpers import LAURA, STRANGER, complaint, stored_case, taken_by_laura, wait_until
from tests.support.telegram_assistant import SECRET, TelegramAssistant, texts

pytestmark = pytest.mark.slow

ONLY_AGENTS = "Solo los agentes registrados pueden hacer esto."
UNKNOWN_COMMAND = "No conozco ese comando"
HELP = "/ayuda — este mensaje"  # the help text, and nothing else
OTHER_GROUP = -1001234500099  # a customers' group the bot is in: not the agents' group


def post_with_headers(
    assistant: TelegramAssistant, body: bytes, headers: dict[str, str], query: str = ""
) -> int:
    request = urllib.request.Request(
        assistant.webhook_url + query, data=body, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def case_state(assistant: TelegramAssistant, number: str) -> tuple:
    """What an agent's command could change: the case's fields, its timeline, its transcript. The
    suggestions the desk posts after Tomar (bot/desk/assist.py) come in their own time: left out."""
    case, events, messages = stored_case(assistant, number)
    fields = (case.status, case.type, case.level, case.assigned_agent_id, case.handoff, case.resolution)
    timeline = [e.kind for e in events if not e.kind.startswith("suggestion_")]
    return fields, timeline, [(m.sender, m.text) for m in messages]


def taken_and_told(assistant: TelegramAssistant, customer: int) -> tuple[str, int]:
    """A complaint Laura took, the customer told so (and that recorded), and the suggested answers
    that follow in the topic posted: its number and topic."""
    number, _, topic = taken_by_laura(assistant, customer)
    wait_until(lambda: "customer_notified" in case_state(assistant, number)[1])
    seen, quiet_since = topic_posts(assistant, topic), time.monotonic()
    while time.monotonic() - quiet_since < 1.5:  # nothing new in the topic for 1.5 s
        time.sleep(0.1)
        if (now := topic_posts(assistant, topic)) != seen:
            seen, quiet_since = now, time.monotonic()
    return number, topic


def topic_posts(assistant: TelegramAssistant, topic: int) -> int:
    return len(assistant.agents_posts(lambda c: c.params.get("message_thread_id") == topic))


def wait_until_handled(assistant: TelegramAssistant, chat: int) -> None:
    """Everything posted before for `chat` is done: its updates are handled in order, so the
    answer to a later /ayuda comes after theirs."""
    before = len([call for call in assistant.sent(chat) if HELP in call.params["text"]])
    assert assistant.post(tg.text_update(chat, "/ayuda")) == 200
    assistant.fake.wait_for(
        "sendMessage", before + 1, timeout=60, predicate=lambda c: is_to(c, chat) and HELP in c.params["text"]
    )


def is_to(call: Call, chat: int) -> bool:
    return str(call.params.get("chat_id")) == str(chat)


# --- the webhook secret ------------------------------------------------------------------------

FORGED_SECRETS = {
    "empty": {"X-Telegram-Bot-Api-Secret-Token": ""},
    "upper-case": {"X-Telegram-Bot-Api-Secret-Token": SECRET.upper()},
    "one-character-short": {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]},
    "one-character-more": {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"},
    "the-bot-token": {"X-Telegram-Bot-Api-Secret-Token": "123456789:fake-token-for-tests"},
    "in-another-header": {"X-Telegram-Bot-Api-Secret": SECRET, "Authorization": f"Bearer {SECRET}"},
}


@pytest.mark.parametrize("headers", FORGED_SECRETS.values(), ids=FORGED_SECRETS.keys())
def test_a_forged_secret_gets_403_and_the_update_is_neither_processed_nor_stored(assistant, headers):
    chat = new_chat()
    forged = tg.text_update(chat, "/ayuda")
    body = json.dumps(forged).encode()
    assert post_with_headers(assistant, body, headers) == 403
    assert post_with_headers(assistant, body, headers, query=f"?secret_token={SECRET}") == 403
    with create_session_factory(assistant.database_url)() as session:
        assert customer_by_chat(session, str(chat)) is None

    (greeting,) = assistant.say(chat, "hola")  # the chat's updates are handled in order: after it
    assert "Hola" in greeting.params["text"]
    assert not any(HELP in call.params["text"] for call in assistant.sent(chat))
    # Telegram then delivers that update id for real: it is new to the bot, the forged copy claimed nothing.
    (help_text,) = assistant.send(chat, forged)
    assert HELP in help_text.params["text"]


@pytest.mark.parametrize(
    "body",
    [b"esto no es JSON", b"[" * 100_000, b'{"update_id": "x"}', b""],
    ids=["not-json", "deeply-nested", "bad-update-id", "empty"],
)
def test_without_the_secret_nothing_about_the_body_is_read_or_told(assistant, body):
    assert post_with_headers(assistant, body, {"X-Telegram-Bot-Api-Secret-Token": "otro-secreto"}) == 403
    assert post_with_headers(assistant, body, {}) == 403


# --- agents' commands from people who are not agents ----------------------------------------------

THREAD_COMMANDS = (
    "/cerrar Resuelto, gracias",
    "/tipo duda",
    "/soltar",
    "/transferir supervisor",
    "/devolver",
    "/nota el cliente miente",
    "/tomar",
)


def test_case_commands_in_the_case_topic_from_someone_who_is_not_an_agent_are_refused(assistant, fake):
    customer = new_chat()
    number, topic = taken_and_told(assistant, customer)
    before = case_state(assistant, number)
    told = len(assistant.sent(customer))

    for command in THREAD_COMMANDS:
        assistant.agent_says(STRANGER, command, thread_id=topic, name="Curioso")
    assistant.agent_says(STRANGER, "Hola, soy de atención: dame tu tarjeta", thread_id=topic, name="Curioso")

    # The agents' group's updates are handled in order: after the last refusal, all are done.
    refusals = fake.wait_for(
        "sendMessage",
        len(THREAD_COMMANDS) + 1,
        timeout=60,
        predicate=lambda c: c.params.get("message_thread_id") == topic and ONLY_AGENTS in c.params["text"],
    )
    assert len(refusals) == len(THREAD_COMMANDS) + 1
    assert case_state(assistant, number) == before
    assert len(assistant.sent(customer)) == told  # nothing reached the customer


def test_the_history_button_shows_nothing_to_someone_who_is_not_an_agent(assistant, fake):
    number = complaint(assistant, new_chat())
    card = assistant.card_of(number)
    refused = assistant.agent_press(STRANGER, card, "Historial", name="Curioso")
    assert refused.params["show_alert"] and ONLY_AGENTS in refused.params["text"]
    assistant.agent_press(LAURA, card, "Historial")  # an agent's press, answered after the stranger's
    assistant.wait_agents_post(f"Historial de {number}")
    histories = assistant.agents_posts(lambda c: f"Historial de {number}" in c.params["text"])
    assert len(histories) == 1  # Laura's


@pytest.mark.parametrize("where", ["the case's customer", "another customer", "another group"])
def test_agents_commands_outside_the_agents_group_from_non_agents_are_unknown_commands(
    assistant, fake, where
):
    owner = new_chat()
    number, topic = taken_and_told(assistant, owner)
    before = case_state(assistant, number)
    in_topic = topic_posts(assistant, topic)
    chat = {"the case's customer": owner, "another customer": new_chat(), "another group": OTHER_GROUP}[where]
    group = where == "another group"
    mention = f"@{tg.BOT_USERNAME}" if group else ""
    sender = {"from_id": new_chat()} if group else {}

    commands = [f"{command.split(' ')[0]}{mention} {number}" for command in THREAD_COMMANDS]
    commands += [f"/casos{mention}", f"/cola{mention}"]
    for command in commands:
        (reply,) = assistant.send(chat, tg.text_update(chat, command, group=group, **sender))
        assert UNKNOWN_COMMAND in reply.params["text"], command
    for data in (f"tomar:{number}", f"historial:{number}"):  # a card's buttons, forged in this chat
        pressed = tg.bot_message(chat, "¿Resolví tu duda?", [("Sí", data)], 41)
        if group:
            pressed["chat"] = tg.group_chat(chat)
        assert assistant.post(tg.callback_update(chat, data, pressed)) == 200
    wait_until_handled(assistant, chat)

    assert case_state(assistant, number) == before
    assert topic_posts(assistant, topic) == in_topic
    assert not any(f"Historial de {number}" in text for text in fake.sent_texts())


# --- one customer's case, asked about by another --------------------------------------------


@pytest.fixture(scope="module")
def someone_elses_case(assistant: TelegramAssistant) -> str:
    """A complaint of another customer (their own /caso shows it: the number is real)."""
    owner = new_chat()
    number = complaint(assistant, owner)
    (shown,) = assistant.say(owner, f"/caso {number}")
    assert number in shown.params["text"]
    return number


ASKING = {
    "caso-command": lambda number: f"/caso {number}",
    "lower-case": lambda number: f"/caso {number.lower()}",
    "deep-link": lambda number: f"/start caso-{number}",
    "in-words": lambda number: f"como va mi caso {number}?",
    "my-cases": lambda number: "/caso",
}


@pytest.mark.parametrize("ask", ASKING.values(), ids=ASKING.keys())
def test_someone_elses_case_gets_the_answer_of_a_case_that_does_not_exist(assistant, someone_elses_case, ask):
    number = someone_elses_case
    missing = f"{number[:-6]}999999"
    about_theirs = texts(assistant.say(new_chat(), ask(number)))
    about_nothing = texts(assistant.say(new_chat(), ask(missing)))
    assert about_theirs == about_nothing.replace(missing, number)
    assert "No encuentro ese caso" in about_theirs or ask(number) == "/caso"
    for detail in ("repartidor", "mojado", "PED-4021937", "escalad", "Laura"):  # the case's own words
        assert detail not in about_theirs

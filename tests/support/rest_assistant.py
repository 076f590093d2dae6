"""The assistant the REST channel serves, as `make run` starts it (trained model, action server,
a real SQLite store), for tests that talk to it like a customer."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.config import get_settings
from bot.ops.launcher import free_port, running_services
from bot.rest_channel import rest_sender
from bot.store.db import create_session_factory
from bot.store.migrate import migrate
from bot.store.models import Case, Customer, Message


@dataclasses.dataclass
class Assistant:
    url: str
    database_url: str
    token: str | None = None  # REST_CHANNEL_TOKEN of the servers, sent as a bearer token

    def say(self, sender: str, text: str) -> list[dict]:
        status, replies = self.post({"sender": sender, "message": text})
        assert status == 200, replies
        return replies

    def post(self, body: object, token: str | None = None) -> tuple[int, object]:
        """POST `body` to the REST channel (with `token`, else the servers' own): status and JSON."""
        headers = {"Content-Type": "application/json"}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook", data=json.dumps(body).encode(), headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def cases(self, sender: str) -> list[Case]:
        """The cases of the REST conversation `sender` (stored as `rest:<sender>`)."""
        factory = create_session_factory(self.database_url)
        with factory() as session:
            query = (
                select(Case)
                .join(Customer)
                .where(Customer.chat_id == rest_sender(sender))
                .options(selectinload(Case.team))
                .order_by(Case.id)
            )
            return list(session.execute(query).scalars())

    def customer_said(self, case_id: int) -> list[str]:
        """What the customer's messages kept on the case say, in order."""
        with create_session_factory(self.database_url)() as session:
            query = select(Message.text).where(Message.case_id == case_id, Message.sender == "customer")
            return list(session.execute(query.order_by(Message.id)).scalars())


@pytest.fixture(scope="module")
def assistant(
    request: pytest.FixtureRequest, trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'atencion.db'}"
    migrate(database_url)
    settings = dataclasses.replace(
        get_settings(), database_url=database_url, rasa_port=free_port(), action_port=free_port()
    )
    module = request.module.__name__.rpartition(".")[2]  # logs of their own: modules may run at once
    with running_services(settings, log_prefix=f"{module}-"):
        yield Assistant(f"http://127.0.0.1:{settings.rasa_port}", database_url)


def new_customer() -> str:
    return f"cliente-{uuid.uuid4().hex[:8]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)

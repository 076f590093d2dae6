"""`python -m bot serve rasa|actions`: one Rasa server or one action server in the foreground, with
the command line and environment `make run` gives it (endpoints.yml's ACTION_HOST, LOCK_STORE_TYPE…
filled in from the settings). The process becomes that server: for containers (docker-compose.yml),
where each server is a service of its own."""

from __future__ import annotations

import os

from bot.config import get_settings
from bot.ops.launcher import action_server_command, rasa_server_command, service_environment


def serve(server: str) -> None:
    settings = get_settings()
    command = rasa_server_command(settings) if server == "rasa" else action_server_command(settings)
    os.execve(command[0], command, service_environment(settings))

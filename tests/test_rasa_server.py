"""The Rasa server's arguments as `bot.ops.rasa_server` hands them to Rasa's own parser."""

from __future__ import annotations

import pytest
from rasa.__main__ import create_argument_parser

from bot.ops.rasa_server import rasa_run_argv


@pytest.mark.parametrize("token", ["abcDEF123_xyz", "-Nq3kPz_5", "--looks-like-an-option", "_x-"])
def test_rasa_reads_the_token_whatever_it_begins_with(token):
    """secrets.token_urlsafe may begin a token with «-»: once in about 32 installs every Rasa
    server refused to start («argument -t/--auth-token: expected one argument»)."""
    argv = rasa_run_argv(["--port", "5005", "--enable-api"], token)
    parsed = create_argument_parser().parse_args(argv[1:])
    assert parsed.auth_token == token
    assert parsed.port == 5005 and parsed.enable_api

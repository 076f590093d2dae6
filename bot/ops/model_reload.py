"""Loading a new model into every process of every Rasa server that shares a Redis lock store.

`PUT /model` reaches one process: the one that accepts the connection. A Rasa server of several
processes (SANIC_WORKERS) would go on answering from the old model in the others, and `retrain`
cannot address them one by one. So each process listens on a Redis channel of the lock store's
database (channels are server-wide: its number keeps two deployments on one Redis apart);
`python -m bot retrain` and `rollback` publish the model's file there, every process loads it (in a
thread: it goes on answering meanwhile) and says so on a reply list, and the publisher waits for as
many replies as Redis says processes heard it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "atencion:model:load:"
REPLY_PREFIX = "atencion:model:loaded:"
REPLY_KEEP_SECONDS = 600
LOAD_TIMEOUT_SECONDS = 180
RECONNECT_SECONDS = 1.0

Load = Callable[[str], Awaitable[str]]  # a model file → the name of the model now answering


@dataclass(frozen=True)
class Loaded:
    """One Rasa server process's answer: the model it now answers with, or why it could not."""

    process: str
    model: str | None
    error: str | None = None


@dataclass(frozen=True)
class Broadcast:
    heard_by: int  # processes listening when it was published
    answers: tuple[Loaded, ...]

    @property
    def failed(self) -> tuple[Loaded, ...]:
        return tuple(answer for answer in self.answers if answer.error)

    def summary(self) -> str:
        if self.heard_by == 0:
            return "no Rasa server listens on LOCK_STORE_URL: each will serve the new model when it starts"
        loaded = len(self.answers) - len(self.failed)
        said = f"loaded into {loaded} of {self.heard_by} Rasa server processes"
        for answer in self.failed:
            said += f"; {answer.process} could not load it ({answer.error}): restart it"
        if len(self.answers) < self.heard_by:
            said += f"; {self.heard_by - len(self.answers)} did not answer in time: restart them"
        return said


def broadcast(lock_store_url: str, model: Path, timeout: float = LOAD_TIMEOUT_SECONDS) -> Broadcast:
    """Tell every listening Rasa server process to load `model`; wait for their answers."""
    client = redis.Redis.from_url(lock_store_url)
    reply_to = f"{REPLY_PREFIX}{uuid.uuid4().hex}"
    message = json.dumps({"model_file": str(model.resolve()), "reply_to": reply_to})
    heard_by = int(client.publish(channel_of(client), message))
    answers: list[Loaded] = []
    deadline = time.monotonic() + timeout
    while len(answers) < heard_by and (left := deadline - time.monotonic()) > 0:
        popped = client.blpop([reply_to], timeout=max(1, int(left)))
        if popped is not None:
            answers.append(Loaded(**json.loads(popped[1])))
    client.delete(reply_to)
    return Broadcast(heard_by, tuple(answers))


def channel_of(client: redis.Redis) -> str:
    return f"{CHANNEL_PREFIX}{client.connection_pool.connection_kwargs.get('db', 0)}"


class ModelFollower:
    """This Rasa server process's side: loads each model published on the channel."""

    def __init__(self, lock_store_url: str, process: str) -> None:
        self.client = redis.Redis.from_url(lock_store_url)
        self.process = process
        self._stopping = threading.Event()

    def start(self, loop: asyncio.AbstractEventLoop, load: Load) -> threading.Thread:
        thread = threading.Thread(target=self._follow, args=(loop, load), name="model-follower", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stopping.set()

    def _follow(self, loop: asyncio.AbstractEventLoop, load: Load) -> None:
        while not self._stopping.is_set():
            try:
                self._listen(loop, load)
            except redis.RedisError as error:
                logger.warning("the model channel on LOCK_STORE_URL is unreachable (%s); trying again", error)
                self._stopping.wait(RECONNECT_SECONDS)

    def _listen(self, loop: asyncio.AbstractEventLoop, load: Load) -> None:
        with self.client.pubsub(ignore_subscribe_messages=True) as pubsub:
            pubsub.subscribe(channel_of(self.client))
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                try:
                    request = json.loads(message["data"])
                except ValueError:
                    logger.warning("a message on the model channel is not JSON; ignored")
                    continue
                self._answer(request, loop, load)

    def _answer(self, request: dict, loop: asyncio.AbstractEventLoop, load: Load) -> None:
        model_file = str(request.get("model_file"))
        logger.info("loading the model %s, as published on the model channel", model_file)
        try:
            model = asyncio.run_coroutine_threadsafe(load(model_file), loop).result(LOAD_TIMEOUT_SECONDS)
            answer = Loaded(self.process, model)
        except Exception as error:  # the publisher reports it and the operator restarts this process
            logger.exception("the model %s could not be loaded", model_file)
            answer = Loaded(self.process, None, f"{type(error).__name__}: {error}")
        reply_to = str(request.get("reply_to"))
        self.client.rpush(reply_to, json.dumps(answer.__dict__))
        self.client.expire(reply_to, REPLY_KEEP_SECONDS)


def follow_published_models(app: Any, lock_store_url: str | None) -> ModelFollower | None:
    """In a Rasa server process (from a listener of its channels): load what is published, when
    the lock store is Redis. `app.ctx.agent` is Rasa's, loaded before the server starts."""
    if not lock_store_url or not lock_store_url.startswith(("redis://", "rediss://", "unix://")):
        return None

    async def load(model_file: str) -> str:
        if not Path(model_file).is_file():
            raise FileNotFoundError(f"no model file at {model_file} on this server")
        agent = app.ctx.agent
        await asyncio.to_thread(agent.load_model, model_file)
        return str(agent.model_name)

    follower = ModelFollower(lock_store_url, f"{socket.gethostname()[:32]}:{os.getpid()}")
    follower.start(asyncio.get_running_loop(), load)
    return follower

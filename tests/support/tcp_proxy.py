"""A TCP proxy on 127.0.0.1 for tests, in a thread of its own: `cut()` closes every connection
through it and refuses new ones (a database that went down, as its clients see it) until
`restore()`."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

CHUNK = 65536


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="tcp-proxy", daemon=True)
        self.writers: set[asyncio.StreamWriter] = set()
        self.is_cut = False
        self.cut_before: bytes | None = None
        self.port = 0

    def start(self) -> None:
        self.thread.start()
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.handle, "127.0.0.1", 0), self.loop
        ).result(10)
        self.server = server
        self.port = server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def cut(self) -> None:
        def close_all() -> None:
            self.is_cut = True
            for writer in list(self.writers):
                writer.close()

        self.loop.call_soon_threadsafe(close_all)

    def cut_when(self, statement: bytes) -> None:
        """Cut everything the moment a client sends `statement` (the query text of PostgreSQL's
        protocol), before it reaches the server: a database lost in the middle of a piece of work."""

        async def arm() -> None:
            self.cut_before = statement

        # Armed before this returns: the statement may be the next thing the server is sent.
        asyncio.run_coroutine_threadsafe(arm(), self.loop).result(5)

    def wait_cut(self, timeout: float) -> bool:
        """Whether the proxy is cut within `timeout` seconds (a `cut_when` statement was sent)."""
        deadline = time.monotonic() + timeout
        while not self.is_cut and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.is_cut

    def restore(self) -> None:
        self.loop.call_soon_threadsafe(setattr, self, "is_cut", False)

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.is_cut:
            client_writer.close()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers.update((client_writer, server_writer))
        await asyncio.gather(
            self.pipe(client_reader, server_writer, watched=True), self.pipe(server_reader, client_writer)
        )

    async def pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, watched: bool = False
    ) -> None:
        try:
            while data := await reader.read(CHUNK):
                if watched and self.cut_before and self.cut_before in data:
                    self.cut_before, self.is_cut = None, True
                    for open_writer in list(self.writers):
                        open_writer.close()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            self.writers.discard(writer)


@contextmanager
def proxied_database(url: str) -> Iterator[tuple[str, TcpProxy]]:
    """`url` rewritten to go through a new proxy, and the proxy."""
    parsed = make_url(url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxy.start()
    try:
        yield parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
    finally:
        proxy.stop()

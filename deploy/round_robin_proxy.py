"""A tiny round-robin TCP proxy (asyncio): each new client connection goes to the next backend.

For `make scale-check` (two gunicorn processes behind one address) where nginx is not installed.
Not for production: use nginx, HAProxy or the platform's load balancer there.

    python deploy/round_robin_proxy.py --listen 127.0.0.1:7400 --backend 127.0.0.1:7401 --backend 127.0.0.1:7402
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import threading
from collections import Counter


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


class RoundRobinProxy:
    def __init__(self, listen: tuple[str, int], backends: list[tuple[str, int]]) -> None:
        self.listen = listen
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self.connections: Counter[str] = Counter()  # backend "host:port" -> client connections sent there
        self.failures: Counter[str] = Counter()
        self._server: asyncio.AbstractServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        # Try each backend once, starting with the next in turn: a dead backend is skipped.
        for _ in range(len(self.backends)):
            host, port = self.backends[next(self._next)]
            try:
                backend_reader, backend_writer = await asyncio.open_connection(host, port)
            except OSError:
                self.failures[f"{host}:{port}"] += 1
                continue
            self.connections[f"{host}:{port}"] += 1
            await asyncio.gather(self._pipe(client_reader, backend_writer), self._pipe(backend_reader, client_writer))
            return
        client_writer.close()

    async def serve(self) -> None:
        self._server = await asyncio.start_server(self._handle, *self.listen, backlog=512)
        async with self._server:
            await self._server.serve_forever()

    def start_in_thread(self) -> None:
        """Serve from a daemon thread (its own event loop); returns once the port listens."""
        started = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._handle, *self.listen, backlog=512)
            )
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="round-robin-proxy", daemon=True)
        self._thread.start()
        if not started.wait(timeout=10):
            raise RuntimeError(f"proxy did not start listening on {self.listen}")

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, type=_address)
    parser.add_argument("--backend", required=True, action="append", type=_address)
    arguments = parser.parse_args()
    asyncio.run(RoundRobinProxy(arguments.listen, arguments.backend).serve())


if __name__ == "__main__":
    main()

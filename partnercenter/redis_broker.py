"""kombu's Redis transport, publishing through one Redis client per channel instead of a new one per message.

kombu 5.7's Redis channel builds a `redis.Redis` client (`Channel._create_client`: a client object and
its table of ~170 response callbacks) for every message it publishes (`_put` → `conn_or_acquire()`)
and for every other command it sends outside its consumer client, then drops it. The client is a
stateless front for the channel's connection pool (connections are taken from the pool and given back
per command, thread-safe), so one client per channel and pool does the same work: about a sixth of the
CPU of `apply_async` on every published outbox row (issue 25, the F4 and F5 floors). Commands,
connections, pools, timeouts, retries and errors are kombu's and redis-py's unchanged; when the channel
drops its pool (close, connection error) the next command builds a client on the new pool, as before.

Registered for `redis://` URLs in partnercenter/celery.py (`register`): kombu's table of transports by
URL scheme; `rediss://`, `sentinel://`, `amqp://`, `memory://` and `filesystem://` keep their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu import transport as kombu_transport
from kombu.transport import redis

SCHEME = "redis"
TRANSPORT = "partnercenter.redis_broker:Transport"


class Channel(redis.Channel):
    _command_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool  # built on first use, and again after the channel dropped it
        command_client = self._command_client
        if command_client is None or command_client.connection_pool is not pool:
            command_client = self._command_client = self._create_client()
        yield command_client


class Transport(redis.Transport):
    Channel = Channel


def register() -> None:
    """Use this transport for `redis://` broker URLs (before the first broker connection resolves it)."""
    kombu_transport.TRANSPORT_ALIASES[SCHEME] = TRANSPORT
    kombu_transport._transport_cache.pop(SCHEME, None)

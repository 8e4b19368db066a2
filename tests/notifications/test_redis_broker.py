"""partnercenter.redis_broker: `redis://` brokers publish through one Redis client per channel, same messages."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from celery import Celery
from kombu.transport import redis as kombu_redis

from notifications.services import outbox_publish
from partnercenter import redis_broker
from tests.notifications.conftest import RedisServer

QUEUE = "default"  # settings.CELERY_TASK_DEFAULT_QUEUE


def test_redis_urls_use_the_transport_and_other_schemes_keep_theirs() -> None:
    from kombu import Connection

    assert Connection("redis://127.0.0.1:1/0").transport_cls == "redis"
    assert Connection("redis://127.0.0.1:1/0").get_transport_cls() is redis_broker.Transport
    assert Connection("rediss://127.0.0.1:1/0").get_transport_cls() is kombu_redis.Transport
    assert Connection("memory://").get_transport_cls() is not redis_broker.Transport


@pytest.mark.redis
def test_publishes_reuse_one_client_and_every_message_arrives(celery_app_on_redis: Celery, redis_server: RedisServer) -> None:
    assert outbox_publish(message_id=10) is True  # the process's channel, its clients built
    with mock.patch.object(redis_broker.Channel, "_create_client", autospec=True, side_effect=kombu_redis.Channel._create_client) as create:
        for message_id in (11, 12, 13):
            assert outbox_publish(message_id=message_id) is True
    assert create.call_count == 0  # kombu's own channel: one client per message
    assert redis_server.queue_length(QUEUE) == 4
    with redis_server.client() as client:
        messages = [json.loads(raw) for raw in client.lrange(QUEUE, 0, -1)]
    assert sorted(m["headers"]["argsrepr"] for m in messages) == ["(10,)", "(11,)", "(12,)", "(13,)"]
    assert {m["headers"]["task"] for m in messages} == {"notifications.send_outbox_message"}


@pytest.mark.redis
def test_a_broker_restart_builds_a_client_on_the_new_pool(celery_app_on_redis: Celery, redis_server: RedisServer) -> None:
    assert outbox_publish(message_id=21) is True
    redis_server.stop()
    assert outbox_publish(message_id=22) is False  # logged; the sweep re-sends
    redis_server.start()
    assert outbox_publish(message_id=23) is True
    assert redis_server.queue_length(QUEUE) == 1  # the first message went with the stopped server (no persistence)

"""The one limiter: fixed-window counters, one atomic upsert per use, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from ratelimits.models import LimitCounter
from ratelimits.rates import Rate, parse_rate
from ratelimits.services import limit_consume, limit_counters_purge, limit_peek, limits_consume
from tests.races import race

NOON = 1_700_000_000.0 - 1_700_000_000.0 % 86400 + 43200  # a past UTC noon: the start of a minute, an hour, mid-day


def test_rates_read_as_settings_write_them():
    assert parse_rate("1200/min") == Rate(1200, 60)
    assert parse_rate("30/10min") == Rate(30, 600)
    assert parse_rate("10/day") == Rate(10, 86400)
    assert parse_rate("") is None and parse_rate(None) is None


def test_a_mistyped_rate_fails_loudly_instead_of_opening_the_limit():
    with pytest.raises(ImproperlyConfigured):
        parse_rate("1200 per minute")


@pytest.mark.django_db
@pytest.mark.parametrize("durable", [True, False])
def test_exactly_the_limit_is_admitted_then_the_window_resets(durable):
    rate = Rate(3, 60)
    decisions = [limit_consume(bucket="t", rate=rate, durable=durable, now=NOON) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.hits for d in decisions] == [1, 2, 3, 4, 5]
    assert decisions[-1].retry_after == 60  # NOON is the start of a minute
    assert limit_consume(bucket="t", rate=rate, durable=durable, now=NOON + 30).retry_after == 30
    assert limit_consume(bucket="t", rate=rate, durable=durable, now=NOON + 60).allowed
    assert limit_consume(bucket="other", rate=rate, durable=durable, now=NOON).allowed


@pytest.mark.django_db
def test_a_count_that_never_resets_keeps_refusing():
    rate = Rate(2, None)
    assert [limit_consume(bucket="forever", rate=rate, now=NOON + n * 86400).allowed for n in range(3)] == [True, True, False]
    assert LimitCounter.objects.get(bucket="forever").expires_at is None


@pytest.mark.django_db(transaction=True)
def test_a_count_made_in_a_transaction_that_rolls_back_is_not_kept():
    rate = Rate(1, 60)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert limit_consume(bucket="rolled-back", rate=rate, now=NOON).allowed
        raise RuntimeError
    assert limit_consume(bucket="rolled-back", rate=rate, now=NOON).allowed


@pytest.mark.django_db
def test_peek_says_which_limit_is_full_without_counting():
    full, free = Rate(1, 60), Rate(5, 60)
    limit_consume(bucket="full", rate=full, now=NOON)
    assert limit_peek(checks=[("free", free)], now=NOON) is None
    refused = limit_peek(checks=[("free", free), ("full", full)], now=NOON)
    assert refused is not None and refused.limit == 1 and refused.retry_after == 60
    assert limit_peek(checks=[("full", full)], now=NOON + 60) is None  # the next window
    assert LimitCounter.objects.get(bucket="full").hits == 1


@pytest.mark.django_db
def test_counters_of_ended_windows_are_purged():
    limit_consume(bucket="old", rate=Rate(5, 60), now=NOON)
    limit_consume(bucket="current", rate=Rate(5, 60))
    limit_consume(bucket="forever", rate=Rate(5, None))
    assert limit_counters_purge() == 1
    assert sorted(LimitCounter.objects.values_list("bucket", flat=True)) == ["current", "forever"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("durable", [True, False])
def test_sixteen_threads_at_once_get_exactly_the_limit(durable):
    rate = Rate(5, 3600)
    for attempt in range(3):
        bucket = f"race-{durable}-{attempt}"

        def use(_n: int, bucket: str = bucket) -> bool:
            if durable:
                with transaction.atomic():  # counted inside a business transaction, as emails are
                    return limit_consume(bucket=bucket, rate=rate, now=NOON).allowed
            return limit_consume(bucket=bucket, rate=rate, durable=False, now=NOON).allowed

        results, refused = race(use, range(16), refusals=())
        assert sorted(results) == [False] * 11 + [True] * 5 and not refused
        assert LimitCounter.objects.get(bucket=bucket).hits == 16


@pytest.mark.django_db
@pytest.mark.parametrize("durable", [True, False])
def test_one_statement_counts_several_buckets_and_reads_the_ones_that_block(durable, django_assert_num_queries):
    per_hour, blocker = Rate(2, 3600), Rate(1, 600)
    limit_consume(bucket="blocker", rate=blocker, now=NOON)
    with django_assert_num_queries(1):
        first, second = limits_consume(uses=[("a", per_hour), ("b", Rate(1, None))], durable=durable, now=NOON)
    assert first.allowed and second.allowed
    refused = limits_consume(uses=[("a", per_hour), ("b", Rate(1, None))], durable=durable, now=NOON)
    assert [d.allowed for d in refused] == [True, False] and refused[1].refused_by == "b"
    with django_assert_num_queries(1):
        blocked = limit_consume(bucket="a", rate=per_hour, durable=durable, now=NOON, blocked_by=[("blocker", blocker)])
    assert not blocked.allowed and blocked.refused_by == "blocker" and blocked.retry_after == 600
    assert limit_consume(bucket="c", rate=per_hour, durable=durable, now=NOON, blocked_by=[("free", blocker)]).allowed

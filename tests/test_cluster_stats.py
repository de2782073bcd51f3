"""The statistics consumer against the real RabbitMQ (127.0.0.1:5672) and
PostgreSQL (127.0.0.1:5432): every event counted once, also when a consumer
dies after saving an event's counts and before acknowledging it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any, Dict, Iterator, List

import aio_pika
import psycopg2
import pytest

from assistant.cluster import stats
from assistant.cluster.services import ServiceDown, ensure_database, rabbitmq_url, scratch
from assistant.cluster.settings import ClusterSettings

NOON = dt.datetime(2026, 5, 4, 12, tzinfo=dt.timezone.utc).timestamp()
EVENTS: List[Dict[str, Any]] = [
    {"event": "user", "text": "my knee buckles", "timestamp": NOON, stats.STORED_ID: 11},
    {"event": "bot", "timestamp": NOON + 1, stats.STORED_ID: 12, "data": {"custom": {
        "type": "muscle_suggestions", "muscles": [{"id": "vastus_medialis"}, {"id": "rectus_femoris"}]}}},
    {"event": "action", "name": "action_listen", "timestamp": NOON + 2, stats.STORED_ID: 13},
    {"event": "user", "text": "my calf is hot and swollen", "timestamp": NOON + 3, stats.STORED_ID: 14},
    {"event": "bot", "timestamp": NOON + 4, stats.STORED_ID: 15, "data": {"custom": {"type": "red_flag", "reason": "clot"}}},
]
EXPECTED = {
    "daily": [{"day": "2026-05-04", "messages": 2, "red_flags": 1, "suggestions": 1}],
    "top_muscles": [{"muscle": "rectus_femoris", "suggested": 1, "ranked_first": 0},
                    {"muscle": "vastus_medialis", "suggested": 1, "ranked_first": 1}],
}


@pytest.fixture
def settings() -> Iterator[ClusterSettings]:
    """A database and a queue of this test's own."""
    with scratch(ClusterSettings.from_env(), "tp_stats_test") as own:
        try:
            ensure_database(own)
        except ServiceDown as err:
            pytest.fail(f"PostgreSQL is required for the statistics tests: {err}")
        yield own


async def publish(settings: ClusterSettings, events: List[Dict[str, Any]]) -> None:
    connection = await aio_pika.connect(rabbitmq_url(settings))
    channel = await connection.channel()
    await channel.declare_queue(settings.rabbitmq_queue, durable=True)
    for event in events:
        body = json.dumps({"sender_id": "someone", **event}).encode()
        await channel.default_exchange.publish(aio_pika.Message(body), routing_key=settings.rabbitmq_queue)
    await connection.close()


async def count_then_die(settings: ClusterSettings, how_many: int) -> None:
    """A consumer that commits the counts of `how_many` events and dies
    before it acknowledges any of them."""
    database = await stats.connect_database(settings)
    connection = await aio_pika.connect(rabbitmq_url(settings))
    channel = await connection.channel()
    queue = await channel.declare_queue(settings.rabbitmq_queue, durable=True)
    for _ in range(how_many):
        message = await queue.get(timeout=5)
        stats.count(database, message.body)
    await connection.close()  # no ack: RabbitMQ delivers them again
    database.close()


async def consume_until_empty(settings: ClusterSettings, seconds: float = 30) -> None:
    """The real consumer, stopped once the queue has nothing left to deliver
    or acknowledge."""
    consumer = asyncio.create_task(stats.consume(settings))
    connection = await aio_pika.connect(rabbitmq_url(settings))
    channel = await connection.channel()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        while loop.time() < deadline:
            await asyncio.sleep(0.3)
            queue = await channel.declare_queue(settings.rabbitmq_queue, durable=True, passive=True)
            if queue.declaration_result.message_count == 0 and consumer_done(settings):
                return
        raise AssertionError("the consumer did not empty the queue")
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        await connection.close()


def consumer_done(settings: ClusterSettings) -> bool:
    """Every published event that adds to the counts has its id recorded."""
    return set(counted_ids(settings)) >= {event[stats.STORED_ID] for event in EVENTS if not stats.tally(event).empty}


def counted_ids(settings: ClusterSettings) -> List[int]:
    connection = psycopg2.connect(**settings.postgres())
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('usage_counted') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return []
            cursor.execute("SELECT event_id FROM usage_counted")
            return [event_id for (event_id,) in cursor.fetchall()]
    finally:
        connection.close()


def test_a_consumer_that_dies_between_saving_and_acknowledging_counts_nothing_twice(settings: ClusterSettings) -> None:
    async def run() -> None:
        await publish(settings, EVENTS)
        await count_then_die(settings, how_many=3)  # the user message, the suggestions, a listen
        await consume_until_empty(settings)  # all five again, redelivered

    asyncio.run(run())
    assert stats.report(settings, days=3650, top=100) == EXPECTED


def test_an_event_published_twice_is_counted_once(settings: ClusterSettings) -> None:
    asyncio.run(publish(settings, EVENTS + EVENTS[:2]))
    asyncio.run(consume_until_empty(settings))
    assert stats.report(settings, days=3650, top=100) == EXPECTED


def test_counted_ids_are_kept_a_week_and_no_text_is_kept(settings: ClusterSettings) -> None:
    database = psycopg2.connect(**settings.postgres())
    stats.ensure_tables(database)
    assert stats.count(database, json.dumps(EVENTS[0]).encode())
    with database, database.cursor() as cursor:
        cursor.execute("UPDATE usage_counted SET counted_on = CURRENT_DATE - 8")
        cursor.execute("INSERT INTO usage_counted (event_id) VALUES (99)")
    stats.prune_counted(database)
    with database.cursor() as cursor:
        cursor.execute("SELECT event_id FROM usage_counted")
        assert cursor.fetchall() == [(99,)]
        cursor.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'usage_counted'"
        )
        assert {kind for (kind,) in cursor.fetchall()} == {"bigint", "date"}
    database.close()


def test_a_body_that_is_not_an_event_is_refused() -> None:
    for body in (b"not json", b"[1, 2]", json.dumps({"event": "bot", "data": [1]}).encode()):
        with pytest.raises((ValueError, TypeError, AttributeError)):
            stats.count(None, body)

"""Anonymous usage statistics from the event broker.

Every Rasa server publishes each stored event to RabbitMQ. This consumer
keeps only counts in PostgreSQL: user messages per day, red-flag replies
per day, and how often each muscle was suggested (knowledge-base ids from
the bot's `muscle_suggestions` payload). No message text and no sender id
is read into the tables.

Each event is counted once. RabbitMQ delivers at least once: an event is
acknowledged after its counts are committed, and one whose consumer died
between the two comes again. The tracker store publishes every event with
its row id (`stored_event_id`), and the counts of an event are committed in
the same transaction as its id in `usage_counted`: an id already there is
not counted again. The ids are kept for a week (no text, no sender id); an
event without an id (published by another tracker store) is counted at
least once.

    python -m assistant.cluster.stats consume   # run by `make cluster`
    python -m assistant.cluster.stats report    # `make stats`
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List

import aio_pika
import psycopg2
from rich.console import Console
from rich.table import Table

from assistant.cluster.services import rabbitmq_url
from assistant.cluster.settings import ClusterSettings

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS usage_daily (
    day date PRIMARY KEY,
    messages bigint NOT NULL DEFAULT 0,
    red_flags bigint NOT NULL DEFAULT 0,
    suggestions bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS usage_muscles (
    muscle text PRIMARY KEY,
    suggested bigint NOT NULL DEFAULT 0,
    ranked_first bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS usage_counted (
    event_id bigint PRIMARY KEY,
    counted_on date NOT NULL DEFAULT CURRENT_DATE
);
"""
# How long the ids of counted events are kept, and how often old ones go.
KEEP_COUNTED_DAYS = 7
PRUNE_EVERY_SECONDS = 3600.0
# The key the tracker store gives each published event's row id.
STORED_ID = "stored_event_id"
# A knowledge-base id; anything else in a payload is not counted.
_MUSCLE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass
class Tally:
    """What one event adds to the statistics."""

    day: dt.date
    messages: int = 0
    red_flags: int = 0
    muscles: List[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.messages or self.red_flags or self.muscles)


def tally(event: Dict[str, Any]) -> Tally:
    stamp = event.get("timestamp")
    when = dt.datetime.fromtimestamp(stamp, dt.timezone.utc) if isinstance(stamp, (int, float)) else dt.datetime.now(dt.timezone.utc)
    result = Tally(day=when.date())
    if event.get("event") == "user":
        result.messages = 1
    elif event.get("event") == "bot":
        custom = (event.get("data") or {}).get("custom") or {}
        if custom.get("type") == "red_flag":
            result.red_flags = 1
        elif custom.get("type") == "muscle_suggestions":
            ids = [m.get("id") for m in custom.get("muscles") or [] if isinstance(m, dict)]
            result.muscles = [m for m in ids if isinstance(m, str) and _MUSCLE_ID.match(m)]
    return result


def ensure_tables(connection: Any) -> None:
    with connection, connection.cursor() as cursor:
        cursor.execute(SCHEMA)


def stored_id(event: Dict[str, Any]) -> int | None:
    value = event.get(STORED_ID)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def record(connection: Any, counts: Tally, event_id: int | None = None) -> bool:
    """Add one event's counts, in one transaction with the event's id: False
    (and nothing added) if that event was counted already."""
    with connection, connection.cursor() as cursor:
        if event_id is not None:
            cursor.execute("INSERT INTO usage_counted (event_id) VALUES (%s) ON CONFLICT DO NOTHING", (event_id,))
            if cursor.rowcount == 0:
                return False
        cursor.execute(
            """INSERT INTO usage_daily (day, messages, red_flags, suggestions) VALUES (%s, %s, %s, %s)
               ON CONFLICT (day) DO UPDATE SET messages = usage_daily.messages + EXCLUDED.messages,
                 red_flags = usage_daily.red_flags + EXCLUDED.red_flags,
                 suggestions = usage_daily.suggestions + EXCLUDED.suggestions""",
            (counts.day, counts.messages, counts.red_flags, 1 if counts.muscles else 0),
        )
        for rank, muscle in enumerate(counts.muscles):
            cursor.execute(
                """INSERT INTO usage_muscles (muscle, suggested, ranked_first) VALUES (%s, 1, %s)
                   ON CONFLICT (muscle) DO UPDATE SET suggested = usage_muscles.suggested + 1,
                     ranked_first = usage_muscles.ranked_first + EXCLUDED.ranked_first""",
                (muscle, 1 if rank == 0 else 0),
            )
    return True


def count(connection: Any, body: bytes) -> bool:
    """Count one published event, once per stored event: True if it added
    anything. ValueError, TypeError or AttributeError for a body that is not
    an event."""
    event = json.loads(body)
    if not isinstance(event, dict):
        raise TypeError("not an event")
    counts = tally(event)
    return not counts.empty and record(connection, counts, stored_id(event))


def prune_counted(connection: Any, days: int = KEEP_COUNTED_DAYS) -> None:
    with connection, connection.cursor() as cursor:
        cursor.execute("DELETE FROM usage_counted WHERE counted_on < CURRENT_DATE - %s", (days,))


async def connect_database(settings: ClusterSettings) -> Any:
    """A connection with the tables there, waiting for PostgreSQL if it is down."""
    while True:
        try:
            connection = psycopg2.connect(**settings.postgres())
            ensure_tables(connection)
            return connection
        except psycopg2.OperationalError:
            logger.warning("PostgreSQL is not reachable; trying again in a second.")
            await asyncio.sleep(1)


async def consume(settings: ClusterSettings) -> None:
    database = await connect_database(settings)
    # A robust connection reconnects by itself when RabbitMQ restarts.
    connection = await aio_pika.connect_robust(rabbitmq_url(settings))
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=50)
        queue = await channel.declare_queue(settings.rabbitmq_queue, durable=True)
        logger.info("Counting events from queue %s.", settings.rabbitmq_queue)
        # Not at start: events redelivered after a crash come first, and their
        # ids must still be there, however long the consumer was down.
        pruned = time.monotonic()
        async with queue.iterator() as messages:
            async for message in messages:
                try:
                    count(database, message.body)
                    if time.monotonic() - pruned > PRUNE_EVERY_SECONDS:
                        prune_counted(database)
                        pruned = time.monotonic()
                except (ValueError, TypeError, AttributeError):
                    await message.reject()  # not an event: drop it, never retry it forever
                    continue
                except psycopg2.Error:
                    logger.exception("Could not store usage counts; the event goes back to the queue.")
                    await message.nack(requeue=True)
                    database.close()
                    database = await connect_database(settings)
                    continue
                await message.ack()
    finally:
        await connection.close()
        database.close()


def report(settings: ClusterSettings, days: int = 14, top: int = 10) -> Dict[str, Any]:
    connection = psycopg2.connect(**settings.postgres())
    try:
        ensure_tables(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT day, messages, red_flags, suggestions FROM usage_daily ORDER BY day DESC LIMIT %s", (days,)
            )
            daily = [{"day": str(d), "messages": m, "red_flags": r, "suggestions": s} for d, m, r, s in cursor.fetchall()]
            cursor.execute(
                "SELECT muscle, suggested, ranked_first FROM usage_muscles ORDER BY suggested DESC, muscle LIMIT %s", (top,)
            )
            muscles = [{"muscle": m, "suggested": s, "ranked_first": f} for m, s, f in cursor.fetchall()]
    finally:
        connection.close()
    return {"daily": daily, "top_muscles": muscles}


def print_report(stats: Dict[str, Any], console: Console) -> None:
    daily = Table(title="Messages per day (UTC)")
    for column in ("day", "messages", "suggestions", "red flags"):
        daily.add_column(column, justify="right")
    for row in stats["daily"]:
        daily.add_row(row["day"], str(row["messages"]), str(row["suggestions"]), str(row["red_flags"]))
    muscles = Table(title="Most suggested muscles")
    for column in ("muscle", "suggested", "ranked first"):
        muscles.add_column(column, justify="right")
    for row in stats["top_muscles"]:
        muscles.add_row(row["muscle"], str(row["suggested"]), str(row["ranked_first"]))
    console.print(daily, muscles)
    console.print(f"Red-flag replies in these days: {sum(row['red_flags'] for row in stats['daily'])}")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["consume", "report"])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    settings = ClusterSettings.from_env()
    if args.command == "consume":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        asyncio.run(consume(settings))
        return 0
    try:
        stats = report(settings)
    except psycopg2.OperationalError as err:
        print(f"PostgreSQL is not reachable: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        print_report(stats, Console())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Anonymous usage statistics from the event broker.

Every Rasa server publishes each stored event to RabbitMQ. This consumer
keeps only counts in PostgreSQL: user messages per day, red-flag replies
per day, and how often each muscle was suggested (knowledge-base ids from
the bot's `muscle_suggestions` payload). No message text and no sender id
is read into the tables.

Delivery is at least once: an event is acknowledged after its counts are
committed, so a consumer that dies between the two counts that event again
when it is redelivered.

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
"""
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


def record(connection: Any, counts: Tally) -> None:
    """Add one event's counts, in one transaction."""
    with connection, connection.cursor() as cursor:
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
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=50)
    queue = await channel.declare_queue(settings.rabbitmq_queue, durable=True)
    logger.info("Counting events from queue %s.", settings.rabbitmq_queue)
    async with queue.iterator() as messages:
        async for message in messages:
            try:
                counts = tally(json.loads(message.body))
            except (ValueError, TypeError):
                await message.reject()  # not an event: drop it, never retry it forever
                continue
            try:
                if not counts.empty:
                    record(database, counts)
            except psycopg2.Error:
                logger.exception("Could not store usage counts; the event goes back to the queue.")
                await message.nack(requeue=True)
                database.close()
                database = await connect_database(settings)
                continue
            await message.ack()


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

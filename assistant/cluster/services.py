"""The shared services the cluster needs, checked before any server starts,
so a missing one is named at once instead of as a server's start-up crash."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from typing import Iterator
from urllib.parse import quote

import aio_pika
import psycopg2
import redis
from psycopg2 import sql

from assistant.cluster.settings import ClusterSettings


class ServiceDown(RuntimeError):
    pass


def ensure_database(settings: ClusterSettings) -> None:
    """Create the tracker database if it does not exist yet."""
    try:
        admin = psycopg2.connect(**settings.postgres("postgres"))
    except psycopg2.OperationalError as err:
        raise ServiceDown(f"PostgreSQL at {settings.postgres_host}:{settings.postgres_port}: {err}".strip()) from err
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (settings.postgres_db,))
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings.postgres_db)))
    finally:
        admin.close()


def check_redis(settings: ClusterSettings) -> None:
    client = redis.Redis(
        host=settings.redis_host, port=settings.redis_port, db=settings.redis_db,
        password=settings.redis_password or None, socket_connect_timeout=3,
    )
    try:
        client.ping()
    except redis.RedisError as err:
        raise ServiceDown(f"Redis at {settings.redis_host}:{settings.redis_port}: {err}") from err
    finally:
        client.close()


def rabbitmq_url(settings: ClusterSettings) -> str:
    user, password = quote(settings.rabbitmq_user, safe=""), quote(settings.rabbitmq_password, safe="")
    return f"amqp://{user}:{password}@{settings.rabbitmq_host}:{settings.rabbitmq_port}/"


def check_rabbitmq(settings: ClusterSettings) -> None:
    async def connect() -> None:
        connection = await aio_pika.connect(rabbitmq_url(settings), timeout=5)
        await connection.close()

    try:
        asyncio.run(connect())
    except (OSError, asyncio.TimeoutError, aio_pika.exceptions.AMQPError) as err:
        raise ServiceDown(f"RabbitMQ at {settings.rabbitmq_host}:{settings.rabbitmq_port}: {err!r}") from err


def prepare(settings: ClusterSettings) -> None:
    """Every service reachable and the database there, or ServiceDown."""
    ensure_database(settings)
    check_redis(settings)
    check_rabbitmq(settings)


@contextlib.contextmanager
def scratch(settings: ClusterSettings, name: str) -> Iterator[ClusterSettings]:
    """The same services with a database and a queue of their own, dropped
    afterwards: for tests and load runs that must not mix with real data."""
    own = f"{name}_{uuid.uuid4().hex[:10]}"
    scratch_settings = dataclasses.replace(settings, postgres_db=own, rabbitmq_queue=own)
    try:
        yield scratch_settings
    finally:
        admin = psycopg2.connect(**settings.postgres("postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own)))
        admin.close()

        async def delete_queue() -> None:
            connection = await aio_pika.connect(rabbitmq_url(settings))
            channel = await connection.channel()
            await channel.queue_delete(own)
            await connection.close()

        asyncio.run(delete_queue())

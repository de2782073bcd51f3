"""The cluster's lock store against the real Redis (127.0.0.1:6379): one
conversation is never processed by two servers at once."""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from typing import Iterator, List

import pytest
import redis
from rasa.core.lock_store import RedisLockStore

from assistant.nlp.redis_lock_store import AtomicRedisLockStore


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own, its keys deleted afterwards."""
    name = f"test{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis(host="127.0.0.1", port=6379)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)
    client.close()


def test_rasa_redis_lock_store_lets_two_servers_in_at_once(prefix: str) -> None:
    """Why we have our own: two servers taking a ticket at the same moment
    both read the lock before either writes it back, so the second write
    erases the first ticket and both are served."""
    server_a, server_b = RedisLockStore(db=0, key_prefix=prefix), RedisLockStore(db=0, key_prefix=prefix)
    lock_a, lock_b = server_a.get_or_create_lock("c"), server_b.get_or_create_lock("c")
    ticket_a, ticket_b = lock_a.issue_ticket(60), lock_b.issue_ticket(60)
    server_a.save_lock(lock_a)
    server_b.save_lock(lock_b)
    stored = server_a.get_lock("c")
    assert not stored.is_locked(ticket_a) and not stored.is_locked(ticket_b)


def hammer(store: AtomicRedisLockStore, rounds: int, inside: List[int], overlaps: List[int], guard: threading.Lock) -> None:
    async def one_turn() -> None:
        async with store.lock("conversation"):
            with guard:
                inside[0] += 1
                overlaps.append(inside[0])
            await asyncio.sleep(random.uniform(0, 0.003))
            with guard:
                inside[0] -= 1

    async def run() -> None:
        await asyncio.gather(*(one_turn() for _ in range(rounds)))
        await store.redis.close()

    asyncio.run(run())


def test_two_servers_never_hold_one_conversation_together(prefix: str) -> None:
    # Two threads, each with its own event loop and Redis connection, play
    # two servers sending 2 x 60 concurrent turns of one conversation.
    inside, overlaps, guard = [0], [], threading.Lock()
    stores = [AtomicRedisLockStore(key_prefix=prefix, poll_seconds=0.001) for _ in range(2)]
    threads = [threading.Thread(target=hammer, args=(s, 60, inside, overlaps, guard)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(overlaps) == 120
    assert max(overlaps) == 1


def test_a_dead_server_frees_its_conversation_within_one_lease(prefix: str) -> None:
    async def run() -> float:
        store = AtomicRedisLockStore(key_prefix=prefix, lease_seconds=0.5)
        await store.issue("c")  # a ticket whose server died: nobody renews it
        started = time.monotonic()
        async with store.lock("c"):
            waited = time.monotonic() - started
        await store.redis.close()
        return waited

    assert 0.3 < asyncio.run(run()) < 1.5


def test_a_long_turn_keeps_its_lease(prefix: str) -> None:
    async def run() -> List[str]:
        store = AtomicRedisLockStore(key_prefix=prefix, lease_seconds=0.3)
        order: List[str] = []

        async def turn(name: str, seconds: float) -> None:
            async with store.lock("c"):
                order.append(f"{name} in")
                await asyncio.sleep(seconds)
                order.append(f"{name} out")

        first = asyncio.create_task(turn("long", 1.0))  # more than three leases
        await asyncio.sleep(0.05)
        await turn("next", 0)
        await first
        await store.redis.close()
        return order

    assert asyncio.run(run()) == ["long in", "long out", "next in", "next out"]


def test_waiting_turns_are_served_in_arrival_order(prefix: str) -> None:
    async def run() -> List[int]:
        store = AtomicRedisLockStore(key_prefix=prefix)
        served: List[int] = []

        async def turn(number: int) -> None:
            async with store.lock("c"):
                served.append(number)
                await asyncio.sleep(0.05)

        tasks = []
        for number in range(5):
            tasks.append(asyncio.create_task(turn(number)))
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
        await store.redis.close()
        return served

    assert asyncio.run(run()) == [0, 1, 2, 3, 4]

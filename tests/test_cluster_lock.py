"""The cluster's lock store against the real Redis (127.0.0.1:6379), and
the tracker store's fence against the real PostgreSQL (127.0.0.1:5432): one
conversation is never processed by two servers at once, and a turn that lost
its lock cannot store anything over the turn that came after it."""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import psycopg2
import pytest
import redis
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.nlp import fencing
from assistant.nlp.erasable_store import ErasableSQLTrackerStore
from assistant.nlp.redis_lock_store import AtomicRedisLockStore
from assistant.nlp.retried_turns import stored_replies

DOMAIN = Domain.load(str(Path(__file__).parents[1] / "domain.yml"))


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
        await store.close()

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
        await store.close()
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
        await store.close()
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
        await store.close()
        return served

    assert asyncio.run(run()) == [0, 1, 2, 3, 4]


def test_a_busy_event_loop_keeps_its_lease(prefix: str) -> None:
    """The lease is renewed from a thread: a turn whose loop is blocked (a
    synchronous SQL commit, a CPU-bound step) far past its lease keeps the
    conversation."""
    store, other = AtomicRedisLockStore(key_prefix=prefix, lease_seconds=0.3), AtomicRedisLockStore(key_prefix=prefix)
    order: List[str] = []
    holding = threading.Event()

    def blocked_turn() -> None:
        async def run() -> None:
            async with store.lock("c"):
                order.append("blocked in")
                holding.set()
                time.sleep(1.2)  # the whole loop stops: four leases
                order.append("blocked out")
            await store.close()

        asyncio.run(run())

    def next_turn() -> None:
        async def run() -> None:
            async with other.lock("c"):
                order.append("next in")
            await other.close()

        holding.wait(10)
        asyncio.run(run())

    threads = [threading.Thread(target=blocked_turn), threading.Thread(target=next_turn)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert order == ["blocked in", "blocked out", "next in"]


def test_lock_lifetime_comes_from_the_endpoint_config_or_rasa() -> None:
    from rasa.core.lock_store import LOCK_LIFETIME
    from rasa.utils.endpoints import EndpointConfig

    assert AtomicRedisLockStore(EndpointConfig("127.0.0.1", lock_lifetime=7)).lock_lifetime == 7
    assert AtomicRedisLockStore().lock_lifetime == LOCK_LIFETIME


def test_a_waiter_past_its_lock_lifetime_raises_lock_error(prefix: str) -> None:
    async def run() -> Tuple[float, bool]:
        store = AtomicRedisLockStore(key_prefix=prefix)

        async def holder() -> None:
            async with store.lock("c"):
                await asyncio.sleep(1.5)

        held = asyncio.create_task(holder())
        await asyncio.sleep(0.1)
        started = time.monotonic()
        with pytest.raises(LockError):
            async with store.lock("c", lock_lifetime=0.5):
                pass
        waited = time.monotonic() - started
        await held  # the holder is not disturbed
        queue = await store.redis.zrange(store._queue("c"), 0, -1)
        await store.close()
        return waited, bool(queue)

    waited, left_behind = asyncio.run(run())
    assert 0.4 < waited < 1.2
    assert not left_behind  # neither ticket is left in the queue


def test_a_stuck_holder_frees_the_conversation_after_its_lock_lifetime(prefix: str) -> None:
    async def run() -> Tuple[float, bool, List[str]]:
        store = AtomicRedisLockStore(key_prefix=prefix, lease_seconds=5)
        order: List[str] = []
        lost: List[bool] = []

        async def stuck() -> None:
            async with store.lock("c", lock_lifetime=0.6):
                order.append("stuck in")
                await asyncio.sleep(2.0)  # alive, renewing, but not finishing
                lost.append(fencing.current("c").lost)
                order.append("stuck out")

        task = asyncio.create_task(stuck())
        await asyncio.sleep(0.1)
        started = time.monotonic()
        async with store.lock("c"):
            waited = time.monotonic() - started
            order.append("next in")
        await task
        await store.close()
        return waited, lost[0], order

    waited, lost, order = asyncio.run(run())
    assert waited < 1.5  # the lifetime, not the 5 s lease and not for ever
    assert lost  # the stuck turn knows it no longer holds the conversation
    assert order == ["stuck in", "next in", "stuck out"]


class Broker:
    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


def sqlite_store(tmp_path: Path, wrapped: bool = False, broker: Broker | None = None) -> Any:
    store = ErasableSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "c.db"), event_broker=broker)
    return FailSafeTrackerStore(store) if wrapped else store


def told(tracker: DialogueStateTracker, text: str, message_id: str) -> None:
    tracker.update(UserUttered(text, message_id=message_id))
    tracker.update(BotUttered("an answer"))
    tracker.update(ActionExecuted("action_listen"))


@pytest.mark.parametrize("wrapped", [False, True], ids=["store", "as Rasa wraps it"])
def test_a_lapsed_lease_is_never_silently_continued(prefix: str, tmp_path: Path, wrapped: bool) -> None:
    """Redis forgets the ticket mid-turn (a restart): the renewer notices, the
    turn's save is refused, and the lock raises when the turn ends, also when
    Rasa's FailSafeTrackerStore swallows the save's error."""

    broker = Broker()

    async def run() -> None:
        lock = AtomicRedisLockStore(key_prefix=prefix, lease_seconds=0.4)
        tracker_store = sqlite_store(tmp_path, wrapped, broker)
        try:
            with pytest.raises(fencing.LeaseLost):
                async with lock.lock("c"):
                    tracker = await tracker_store.get_or_create_tracker("c")
                    await lock.redis.delete(lock._queue("c"))
                    await asyncio.sleep(0.5)
                    assert fencing.current("c").lost
                    told(tracker, "my knee buckles", "m1")
                    await tracker_store.save(tracker)
        finally:
            await lock.close()

    asyncio.run(run())
    stored = asyncio.run(sqlite_store(tmp_path).retrieve("c"))
    assert stored is None or not any(isinstance(e, UserUttered) for e in stored.events)
    assert [e["event"] for e in broker.published] == ["action"]  # the new conversation's listen, nothing refused


@pytest.fixture
def postgres_db() -> Iterator[str]:
    """A database of this test's own on the local PostgreSQL, whose commits of
    a user message from the sender "slow" take 1.5 s (a slow disk)."""
    name = f"tp_fence_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as err:
        pytest.fail(f"PostgreSQL (127.0.0.1:5432) is required for the fencing tests: {err}")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        ErasableSQLTrackerStore(DOMAIN, **postgres(name)).engine.dispose()  # creates the tables
        with psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=name) as connection:
            connection.cursor().execute(SLOW_COMMIT)
        connection.close()
        yield name
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


SLOW_COMMIT = """
CREATE FUNCTION slow_commit() RETURNS trigger AS $$
BEGIN
  IF NEW.type_name = 'user' AND NEW.sender_id = 'slow' THEN PERFORM pg_sleep(1.5); END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION slow_commit();
"""


def postgres(db: str) -> Dict[str, Any]:
    return {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": db, "username": "postgres"}


def user_messages(db: str, sender: str) -> List[str]:
    with psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=db) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id", (sender,))
        found = [json.loads(data)["message_id"] for (data,) in cursor.fetchall()]
    connection.close()
    return found


async def retried_turn(lock: AtomicRedisLockStore, tracker_store: Any, sender: str, message_id: str, stuck: float = 0) -> str:
    """A REST turn as the server runs it, with the check of a retried message
    (assistant/nlp/retried_turns.py): replay a stored turn, else run it."""
    async with lock.lock(sender, lock_lifetime=0.6 if stuck else None):
        tracker = await tracker_store.get_or_create_tracker(sender)
        if stored_replies(tracker, message_id) is not None:
            return "replayed"
        await asyncio.sleep(stuck)
        told(tracker, "my knee buckles", message_id)
        await tracker_store.save(tracker)
        return "stored"


def on_two_servers(first: Callable[[], Any], second: Callable[[], Any]) -> List[Any]:
    """Run two coroutine factories at once, each on a thread and event loop of
    its own (two servers); what each returned or raised."""
    results: List[Any] = [None, None]

    def serve(index: int, work: Callable[[], Any]) -> None:
        try:
            results[index] = asyncio.run(work())
        except Exception as err:
            results[index] = err

    threads = [threading.Thread(target=serve, args=(i, work)) for i, work in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_commit_in_flight_when_its_server_died_is_seen_by_the_retried_turn(prefix: str, postgres_db: str) -> None:
    """The failover duplicate: server A's turn is committing (slowly) when A
    dies; its lease runs out, nginx resends the message to B. B's claim waits
    for A's commit, so B finds the message stored and replays it."""
    committing = threading.Event()
    servers = [AtomicRedisLockStore(key_prefix=prefix, lease_seconds=0.4) for _ in range(2)]
    stores = [ErasableSQLTrackerStore(DOMAIN, **postgres(postgres_db)) for _ in range(2)]
    original_save = stores[0].save

    async def save_and_die(tracker: DialogueStateTracker) -> None:
        if any(isinstance(event, UserUttered) for event in tracker.events):
            committing.set()
        await original_save(tracker)

    stores[0].save = save_and_die  # type: ignore[method-assign]

    async def server_a() -> str:
        try:
            return await retried_turn(servers[0], stores[0], "slow", "request-1")
        finally:
            await servers[0].close()

    async def server_b() -> str:
        assert await asyncio.to_thread(committing.wait, 10)
        await asyncio.sleep(0.1)  # A is inside its commit now
        servers[0].renewer.stop()  # A is dead: nobody renews its lease
        try:
            return await retried_turn(servers[1], stores[1], "slow", "request-1")
        finally:
            await servers[1].close()

    assert on_two_servers(server_a, server_b) == ["stored", "replayed"]
    assert user_messages(postgres_db, "slow") == ["request-1"]
    for store in stores:
        store.engine.dispose()


def test_a_stuck_turn_cannot_store_over_the_turn_after_it(prefix: str, postgres_db: str) -> None:
    """A turn stuck past its lock lifetime (alive, renewing) loses the
    conversation to the resent message; when it wakes up its write is
    refused and the lock says so."""
    servers = [AtomicRedisLockStore(key_prefix=prefix) for _ in range(2)]
    stores = [ErasableSQLTrackerStore(DOMAIN, **postgres(postgres_db)) for _ in range(2)]

    async def stuck_server() -> str:
        try:
            return await retried_turn(servers[0], stores[0], "quick", "request-1", stuck=1.5)
        finally:
            await servers[0].close()

    async def other_server() -> str:
        await asyncio.sleep(0.2)
        try:
            return await retried_turn(servers[1], stores[1], "quick", "request-1")
        finally:
            await servers[1].close()

    stuck, other = on_two_servers(stuck_server, other_server)
    assert isinstance(stuck, fencing.LeaseLost) and other == "stored"
    assert user_messages(postgres_db, "quick") == ["request-1"]
    for store in stores:
        store.engine.dispose()


def test_a_turn_that_missed_losing_its_lock_is_refused_by_the_fence(prefix: str, postgres_db: str) -> None:
    """Server A's renewer stops (A is frozen, or cut off from Redis), so A
    never hears that its lease ran out; B runs the resent message. When A
    goes on, the fence in the database refuses its write."""
    servers = [AtomicRedisLockStore(key_prefix=prefix, lease_seconds=0.4) for _ in range(2)]
    stores = [ErasableSQLTrackerStore(DOMAIN, **postgres(postgres_db)) for _ in range(2)]
    b_done = threading.Event()

    async def frozen_server() -> str:
        try:
            async with servers[0].lock("frozen"):
                tracker = await stores[0].get_or_create_tracker("frozen")
                servers[0].renewer.stop()
                await asyncio.to_thread(b_done.wait, 20)
                assert not fencing.current("frozen").lost  # it did not hear
                told(tracker, "my knee buckles", "request-1")
                await stores[0].save(tracker)
                return "stored"
        finally:
            await servers[0].close()

    async def other_server() -> str:
        await asyncio.sleep(0.2)
        try:
            return await retried_turn(servers[1], stores[1], "frozen", "request-1")
        finally:
            b_done.set()
            await servers[1].close()

    frozen, other = on_two_servers(frozen_server, other_server)
    assert isinstance(frozen, fencing.LeaseLost) and other == "stored"
    assert "later turn" in str(frozen)
    assert user_messages(postgres_db, "frozen") == ["request-1"]
    for store in stores:
        store.engine.dispose()


def fence_numbers(db: Path) -> Dict[str, int]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return dict(connection.execute("SELECT sender_id, epoch FROM conversation_fences"))


def test_clean_turns_write_under_one_claim_and_a_lapse_forces_a_new_one(prefix: str, tmp_path: Path) -> None:
    """A claim costs a commit: a turn after a clean one only reads the fence
    number. A turn after one that lost its lease claims again, and the turn
    that lost it can no longer write."""

    async def run() -> Tuple[List[int], Any]:
        lock, tracker_store = AtomicRedisLockStore(key_prefix=prefix, lease_seconds=0.4), sqlite_store(tmp_path)
        numbers = []
        for number in range(3):
            async with lock.lock("c"):
                tracker = await tracker_store.get_or_create_tracker("c")
                told(tracker, f"turn {number}", f"m{number}")
                await tracker_store.save(tracker)
            numbers.append(fence_numbers(tmp_path / "c.db")["c"])
        lapsed = lock.lock("c")
        await lapsed.__aenter__()
        stale = await tracker_store.get_or_create_tracker("c")
        lock.renewer.stop()  # frozen: its lease runs out unnoticed
        other = AtomicRedisLockStore(key_prefix=prefix)
        async with other.lock("c"):
            tracker = await sqlite_store(tmp_path).get_or_create_tracker("c")
        numbers.append(fence_numbers(tmp_path / "c.db")["c"])
        told(stale, "too late", "m9")
        with pytest.raises(fencing.LeaseLost):
            await tracker_store.save(stale)
        with pytest.raises(fencing.LeaseLost):
            await lapsed.__aexit__(None, None, None)
        await other.close()
        await lock.redis.close()
        lock.renewer.client.close()
        return numbers, tracker

    numbers, _ = asyncio.run(run())
    assert numbers == [1, 1, 1, 2]

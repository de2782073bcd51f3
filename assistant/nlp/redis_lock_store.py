"""A Redis lock store that several Rasa servers can share safely.

Rasa's RedisLockStore reads a conversation's ticket lock, changes it in
Python and writes it back. Two servers taking a ticket for the same
conversation at the same moment both read the same lock, the second write
erases the first ticket, and both servers then process a message of that
conversation at once: interleaved or lost events.

Here every step is one atomic Redis operation (a Lua script): a
conversation's queue is a sorted set of tickets, each scored by the deadline
of its lease; tickets come from one shared counter, so their numbers give the
arrival order, and the lowest live ticket holds the conversation. A ticket's
lease is short and renewed while its request lives (waiting or holding), so
a server that dies frees its conversations within one lease instead of
Rasa's 60 s lock lifetime.

Leases are renewed from a thread of the server's own, not from the event
loop that runs the turns: a loop kept busy (or blocked in a synchronous SQL
commit) past a lease no longer lets a live turn's lock lapse. A live but
stuck turn cannot keep renewing for ever either: a ticket lives at most
`lock_lifetime` seconds from when it was taken (Rasa's meaning), after which
the renewer removes it. A turn still waiting then raises `LockError`; a turn
holding the conversation loses it, and the tracker store refuses its writes
(assistant/nlp/fencing.py), so it cannot write over the turn that came next.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Dict, List

import redis
import redis.retry
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, RedisError, TimeoutError

from assistant.nlp import fencing

logger = logging.getLogger(__name__)

# Deadlines come from Redis' own clock, so servers with skewed clocks agree.
_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) "

# KEYS: queue, counter. ARGV: lease ms. Returns the new ticket.
_ISSUE = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ticket = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ticket)
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[1]))
return ticket
"""

# KEYS: queue, clean mark. ARGV: ticket. Returns 1 (its turn, and the turn
# before ended cleanly), 2 (its turn, and the turn before may still write:
# claim the conversation), 0 (wait) or -1 (expired). Taking the turn takes
# the clean mark away.
_TURN = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local first = nil
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local n = tonumber(member)
  if first == nil or n < first then first = n end
end
if first ~= tonumber(ARGV[1]) then return 0 end
if redis.call('DEL', KEYS[2]) == 1 then return 1 end
return 2
"""

# KEYS: queue, clean mark. ARGV: ticket, 1 if the turn ended cleanly, mark ms.
# The mark is left only by a ticket still there: one whose lease ran out and
# was acted on cannot vouch that nobody else holds the conversation.
_RELEASE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and ARGV[2] == '1' then
  redis.call('SET', KEYS[2], '1', 'PX', tonumber(ARGV[3]))
end
return 1
"""

# KEYS: queue. ARGV: ticket, lease ms. Returns 1 if the ticket was still there
# (a ticket past its deadline that nobody has removed yet has not been acted
# on by anyone, so extending it is safe).
_RENEW = _NOW + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
return 1
"""

DEFAULT_LEASE_SECONDS = 2.0
DEFAULT_POLL_SECONDS = 0.02
# How long a clean mark lasts: a conversation quiet for longer is claimed again.
CLEAN_MARK_MS = 3_600_000


@dataclass(eq=False)
class Ticket:
    """One ticket of this server, waiting or holding."""

    queue: str
    number: int
    ends_at: float  # time.monotonic() when its lock lifetime is over
    lifetime: float
    hold: fencing.Hold
    served: bool = False
    gone: str | None = None  # why Redis no longer has it, once the renewer knows

    def mark_served(self) -> None:
        self.served = True
        if self.gone:  # the renewer found it gone in between
            self.hold.lose(self.gone)

    def mark_gone(self, reason: str) -> None:
        self.gone = reason
        if self.served:
            self.hold.lose(reason)


class Renewer:
    """Renews the leases of one server's tickets from a thread of its own,
    in one round trip per period, and removes tickets past their lifetime."""

    def __init__(self, client: redis.Redis, lease_ms: int) -> None:
        self.client, self.lease_ms = client, lease_ms
        self.period = max(0.05, lease_ms / 4000)
        self._renew = client.register_script(_RENEW)
        self._tickets: Dict[int, Ticket] = {}
        self._guard = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, ticket: Ticket) -> None:
        with self._guard:
            self._tickets[id(ticket)] = ticket
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lock-lease-renewer", daemon=True)
                self._thread.start()
        self._wake.set()

    def discard(self, ticket: Ticket) -> None:
        with self._guard:
            self._tickets.pop(id(ticket), None)

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stopped.is_set():
            with self._guard:
                tickets = list(self._tickets.values())
            if not tickets:
                self._wake.wait(timeout=1)
                self._wake.clear()
                continue
            started = time.monotonic()
            try:
                self.renew(tickets, started)
            except RedisError:
                pass  # the leases may still hold; the next round tries again
            except Exception:
                logger.exception("Renewing conversation lock leases failed; trying again.")
            self._stopped.wait(max(0.0, self.period - (time.monotonic() - started)))

    def renew(self, tickets: List[Ticket], now: float) -> None:
        expired = [ticket for ticket in tickets if now >= ticket.ends_at]
        live = [ticket for ticket in tickets if now < ticket.ends_at]
        pipe = self.client.pipeline(transaction=False)
        for ticket in expired:
            pipe.zrem(ticket.queue, ticket.number)
        for ticket in live:
            self._renew(keys=[ticket.queue], args=[ticket.number, self.lease_ms], client=pipe)
        results = pipe.execute()
        for ticket in expired:
            if self._take(ticket):
                ticket.mark_gone("its lock lifetime ended")
        for ticket, renewed in zip(live, results[len(expired):], strict=True):
            # A ticket released meanwhile was discarded before Redis lost it.
            if not int(renewed) and self._take(ticket):
                ticket.mark_gone("its lease ran out")

    def _take(self, ticket: Ticket) -> bool:
        """Stop renewing a ticket; False if it was discarded already."""
        with self._guard:
            return self._tickets.pop(id(ticket), None) is not None


class AtomicRedisLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        lease_seconds: float | None = None,
        poll_seconds: float | None = None,
        key_prefix: str | None = None,
        lock_lifetime: float | None = None,
    ) -> None:
        kwargs: dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        self.lease_ms = int(1000 * float(lease_seconds or kwargs.get("lease_seconds") or DEFAULT_LEASE_SECONDS))
        self.poll_seconds = float(poll_seconds or kwargs.get("poll_seconds") or DEFAULT_POLL_SECONDS)
        # Rasa's TICKET_LOCK_LIFETIME (60 s) unless the endpoint config says otherwise.
        self.lock_lifetime = float(lock_lifetime or kwargs.get("lock_lifetime") or LOCK_LIFETIME)
        self.prefix = f"{key_prefix or kwargs.get('key_prefix') or 'tp'}:lock:"
        connection: dict[str, Any] = dict(
            host=(endpoint_config.url if endpoint_config else None) or "127.0.0.1",
            port=int(kwargs.get("port") or 6379),
            db=int(kwargs.get("db") or 0),
            password=kwargs.get("password") or None,
            socket_timeout=2,
            socket_connect_timeout=2,
            retry_on_error=[ConnectionError, TimeoutError],
        )
        # Ride out a Redis restart of a second or two instead of failing the turn.
        self.redis = Redis(**connection, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=8))
        self._issue = self.redis.register_script(_ISSUE)
        self._turn = self.redis.register_script(_TURN)
        self._release = self.redis.register_script(_RELEASE)
        # The renewer's own connection: its round trips never wait for the loop.
        renewing = redis.Redis(**connection, retry=redis.retry.Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=2))
        self.renewer = Renewer(renewing, self.lease_ms)
        super().__init__()

    def _queue(self, conversation_id: str) -> str:
        return f"{self.prefix}queue:{conversation_id}"

    async def issue(self, conversation_id: str) -> int:
        return int(await self._issue(keys=[self._queue(conversation_id), f"{self.prefix}counter"], args=[self.lease_ms]))

    def _clean_mark(self, conversation_id: str) -> str:
        return f"{self.prefix}clean:{conversation_id}"

    async def release(self, conversation_id: str, ticket: int, clean: bool = False) -> None:
        """Give the ticket back; `clean` when its turn held the conversation
        to the end and stored nothing it was not entitled to: the next turn
        then need not claim it (assistant/nlp/fencing.py)."""
        await self._release(
            keys=[self._queue(conversation_id), self._clean_mark(conversation_id)],
            args=[ticket, 1 if clean else 0, CLEAN_MARK_MS],
        )

    async def close(self) -> None:
        self.renewer.stop()
        self.renewer.client.close()
        await self.redis.close()

    async def _wait_for_turn(self, ticket: Ticket) -> bool:
        """True once it is the ticket's turn; False if Redis lost the ticket
        (take a new one); LockError once its lifetime is over."""
        while True:
            state = int(await self._turn(keys=[ticket.queue, self._clean_mark(ticket.hold.conversation_id)], args=[ticket.number]))
            if state in (1, 2):
                ticket.hold.must_claim = state == 2
                return True
            if time.monotonic() >= ticket.ends_at:
                raise LockError(f"A turn waited longer than its lock lifetime ({ticket.lifetime:g} s).")
            if state == -1:
                return False
            await asyncio.sleep(self.poll_seconds)

    async def _acquire(self, conversation_id: str, hold: fencing.Hold, lifetime: float) -> Ticket:
        ends_at = time.monotonic() + lifetime
        while True:
            ticket = Ticket(self._queue(conversation_id), await self.issue(conversation_id), ends_at, lifetime, hold)
            self.renewer.add(ticket)
            try:
                if await self._wait_for_turn(ticket):
                    ticket.mark_served()
                    return ticket
            except BaseException:
                self.renewer.discard(ticket)
                with contextlib.suppress(Exception):
                    await self.release(conversation_id, ticket.number)
                raise
            self.renewer.discard(ticket)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float | None = None, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[None]:
        """Hold the conversation for the duration of the block.

        A ticket lives `lock_lifetime` seconds from when it is taken
        (waiting and holding): a waiter past it raises `LockError`, a holder
        past it loses the conversation. `wait_time_in_seconds` belongs to
        Rasa's polling lock; our polling interval replaces it (a 1 s poll
        adds up to a second to a turn that had to wait). Raises `LeaseLost`
        at the end of a block whose writes were refused."""
        hold = fencing.Hold(conversation_id)
        ticket = await self._acquire(conversation_id, hold, float(lock_lifetime or self.lock_lifetime))
        entered = fencing.enter(hold)
        try:
            yield None
        finally:
            fencing.leave(entered)
            self.renewer.discard(ticket)
            # If Redis is away, the lease frees the conversation by itself.
            with contextlib.suppress(RedisError):
                await self.release(conversation_id, ticket.number, clean=hold.clean)
            if hold.lost:
                logger.warning("A turn lost its conversation lock before it ended (%s).", hold.lost_reason)
        if hold.refused:
            raise fencing.LeaseLost(f"A turn's writes were refused: {hold.lost_reason}.")

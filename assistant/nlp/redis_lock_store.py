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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from rasa.core.lock_store import LOCK_LIFETIME, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError

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

# KEYS: queue. ARGV: ticket. Returns 1 (its turn), 0 (wait) or -1 (expired).
_TURN = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local first = nil
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local n = tonumber(member)
  if first == nil or n < first then first = n end
end
if first == tonumber(ARGV[1]) then return 1 end
return 0
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


class TicketExpired(RuntimeError):
    """A ticket's lease ran out before it was served (Redis restarted, or the
    server stalled longer than a lease): take a new one."""


class AtomicRedisLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        lease_seconds: float | None = None,
        poll_seconds: float | None = None,
        key_prefix: str | None = None,
    ) -> None:
        kwargs: dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        self.lease_ms = int(1000 * float(lease_seconds or kwargs.get("lease_seconds") or DEFAULT_LEASE_SECONDS))
        self.poll_seconds = float(poll_seconds or kwargs.get("poll_seconds") or DEFAULT_POLL_SECONDS)
        self.prefix = f"{key_prefix or kwargs.get('key_prefix') or 'tp'}:lock:"
        self.redis = Redis(
            host=(endpoint_config.url if endpoint_config else None) or "127.0.0.1",
            port=int(kwargs.get("port") or 6379),
            db=int(kwargs.get("db") or 0),
            password=kwargs.get("password") or None,
            socket_timeout=2,
            socket_connect_timeout=2,
            # Ride out a Redis restart of a second or two instead of failing the turn.
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=8),
            retry_on_error=[ConnectionError, TimeoutError],
        )
        self._issue = self.redis.register_script(_ISSUE)
        self._turn = self.redis.register_script(_TURN)
        self._renew = self.redis.register_script(_RENEW)
        super().__init__()

    def _queue(self, conversation_id: str) -> str:
        return f"{self.prefix}queue:{conversation_id}"

    async def issue(self, conversation_id: str) -> int:
        return int(await self._issue(keys=[self._queue(conversation_id), f"{self.prefix}counter"], args=[self.lease_ms]))

    async def release(self, conversation_id: str, ticket: int) -> None:
        await self.redis.zrem(self._queue(conversation_id), ticket)

    async def _wait_for_turn(self, conversation_id: str, ticket: int) -> None:
        while True:
            state = int(await self._turn(keys=[self._queue(conversation_id)], args=[ticket]))
            if state == 1:
                return
            if state == -1:
                raise TicketExpired(conversation_id)
            await asyncio.sleep(self.poll_seconds)

    async def _keep_alive(self, conversation_id: str, ticket: int) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            try:
                live = await self._renew(keys=[self._queue(conversation_id)], args=[ticket, self.lease_ms])
            except (ConnectionError, TimeoutError):
                continue  # the lease may still hold; the next round tries again
            if not int(live):
                logger.warning("A conversation lock lease ran out before its request ended.")
                return

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[None]:
        """Hold the conversation for the duration of the block.

        `lock_lifetime` and `wait_time_in_seconds` belong to Rasa's ticket
        lock; the lease and the polling interval replace them (a 1 s poll
        adds up to a second to a turn that had to wait)."""
        while True:
            ticket = await self.issue(conversation_id)
            keeper = asyncio.create_task(self._keep_alive(conversation_id, ticket))
            try:
                await self._wait_for_turn(conversation_id, ticket)
                break
            except TicketExpired:
                keeper.cancel()
            except BaseException:
                keeper.cancel()
                with contextlib.suppress(Exception):
                    await self.release(conversation_id, ticket)
                raise
        try:
            yield None
        finally:
            keeper.cancel()
            # If Redis is away, the lease frees the conversation by itself.
            with contextlib.suppress(ConnectionError, TimeoutError):
                await self.release(conversation_id, ticket)

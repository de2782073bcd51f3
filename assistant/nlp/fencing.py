"""A turn's hold on its conversation, shared by the lock store and the
tracker store.

A lock in Redis cannot by itself stop a server from writing: a server whose
lease ran out (or that Redis forgot) may be half-way through a turn, or
have a commit in flight that PostgreSQL finishes after the server is gone.
So the lock store tells the tracker store which conversation the running
turn holds (a context variable, set for the duration of the lock), and the
tracker store fences its writes with a number of its own in the database:

- the first read of a turn that follows a turn which may still write
  claims the conversation: it raises the conversation's fence number in one
  committed statement and keeps the new number in the hold;
- every write of the turn first checks, in the same transaction as the
  write, that the fence still has that number (and takes its row lock).

A turn that claimed after another one can therefore never be overwritten by
it: either the older write committed first (and the newer turn, whose claim
waited for that row lock, reads it), or the older write finds a newer number
and is refused. A refused write, or a lease the lock store saw run out, makes
the lock raise `LeaseLost` when the turn ends: nothing goes on silently.

A claim costs a commit (a disk flush), so it is made only when needed. A
turn that held its ticket to the end and lost nothing leaves a clean mark in
Redis as it releases; the next turn takes the mark and only reads the fence
number. Without the mark (the turn before died, lapsed or was stuck, Redis
restarted, the conversation is new or was quiet for an hour) the next turn
claims. Every turn that could still write was followed by a claim, so its
number is older than the one now in force.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from rasa.core.lock_store import LockError


class LeaseLost(LockError):
    """The turn's hold on its conversation ended before the turn: what it
    had not stored yet was not stored."""


class Hold:
    """The running turn's hold on one conversation."""

    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        self.must_claim = True  # False when the turn before ended cleanly
        self.epoch: int | None = None  # the fence number this turn writes under
        self.lost_reason: str | None = None
        self.refused = False  # a write was refused because of it
        self.has_read = False  # the turn read the conversation since it holds it

    @property
    def lost(self) -> bool:
        return self.lost_reason is not None

    def lose(self, reason: str) -> None:
        if self.lost_reason is None:
            self.lost_reason = reason

    @property
    def clean(self) -> bool:
        """Held to the end, and claimed if it had to: the next turn may
        write under the same fence number."""
        return not self.lost and (self.epoch is not None or not self.must_claim)


_current: ContextVar[Hold | None] = ContextVar("conversation_hold", default=None)


def current(conversation_id: str) -> Hold | None:
    """The running turn's hold if it is on this conversation."""
    hold = _current.get()
    return hold if hold is not None and hold.conversation_id == conversation_id else None


def enter(hold: Hold) -> Token:
    return _current.set(hold)


def leave(token: Token) -> None:
    try:
        _current.reset(token)
    except ValueError:  # left from another context than it was entered in
        _current.set(None)

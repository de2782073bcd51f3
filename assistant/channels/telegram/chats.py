"""What the channel keeps per chat, in memory (no Rasa): conversation ids,
a lock per chat so its updates run one after the other, the update ids seen
(Telegram may deliver one twice), and long button payloads behind short
callback ids."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from contextlib import asynccontextmanager
from typing import AsyncIterator, Dict, Tuple

SENDER_PREFIX = "telegram-"
MAX_CALLBACK_DATA = 64  # bytes of an inline button's callback_data


def sender_id(chat_id: int | str) -> str:
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_of(recipient_id: str) -> str:
    return recipient_id[len(SENDER_PREFIX) :] if recipient_id.startswith(SENDER_PREFIX) else recipient_id


class ChatLocks:
    """One lock per chat; it lives only while updates hold or wait for it."""

    def __init__(self) -> None:
        self._locks: Dict[str, Tuple[asyncio.Lock, int]] = {}  # lock, updates holding or awaiting it

    @asynccontextmanager
    async def hold(self, chat_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id) or (asyncio.Lock(), 0)
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class SeenUpdates:
    """The latest update ids, to handle an update delivered twice once."""

    def __init__(self, max_entries: int = 1000) -> None:
        self.max_entries = max_entries
        self._ids: OrderedDict[int, None] = OrderedDict()

    def is_duplicate(self, update_id: object) -> bool:
        if not isinstance(update_id, int):
            return False
        if update_id in self._ids:
            return True
        self._ids[update_id] = None
        while len(self._ids) > self.max_entries:
            self._ids.popitem(last=False)
        return False


class CallbackData:
    """Button payloads as Telegram callback_data (at most 64 bytes).

    A payload that fits is sent as it is; a longer one is replaced by a short
    id ("#" + 24 hex characters of its hash) kept in a bounded in-memory map.
    After a restart such ids are unknown: `resolve` returns None and the
    channel asks the person to type instead."""

    PREFIX = "#"

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._payloads.pop(key, None)
        self._payloads[key] = payload
        while len(self._payloads) > self.max_entries:
            self._payloads.popitem(last=False)
        return key

    def resolve(self, data: str) -> str | None:
        if not data.startswith(self.PREFIX):
            return data
        return self._payloads.get(data)

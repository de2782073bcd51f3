"""Telegram's "typing..." while the assistant thinks."""

from __future__ import annotations

import asyncio

from assistant.channels.telegram.bot_api import BotApi

TYPING_EVERY = 4.5  # Telegram shows "typing" for 5 s or until a message arrives


async def keep_typing(api: BotApi, chat_id: str) -> None:
    """Until cancelled; a failed call is not retried (the next one comes soon)."""
    while True:
        await api.call("sendChatAction", {"chat_id": chat_id, "action": "typing"}, retries=0)
        await asyncio.sleep(TYPING_EVERY)

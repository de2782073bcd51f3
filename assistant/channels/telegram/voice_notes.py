"""Telegram voice notes: transcribed offline (assistant/voice), echoed so a
mishearing is visible, answered in text (whole), then read aloud as a voice
note of the short spoken form. A spoken button title ("the same") picks that
button, and "next", "repeat", "slower", "other muscles" or "stop" walk the
spoken form."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict

from assistant.channels.telegram.bot_api import BotApi
from assistant.channels.telegram.chats import sender_id
from assistant.channels.telegram.output import TelegramOutput
from assistant.channels.voice import NOT_HEARD, RunTurn, heard_as, last_reply, misheard_in, spoken_turn
from assistant.voice.audio import AudioError
from assistant.voice.service import MAX_AUDIO_BYTES, VoiceService
from assistant.voice.spoken import Said

logger = logging.getLogger(__name__)

MEDIA_KINDS = ("voice", "audio", "video_note")
VOICE_UNUSABLE = (
    "Sorry, I couldn't play that voice note. Please try again with a shorter one (under a minute), or type what you feel."
)
HEARD = "I heard: \u201c{text}\u201d"

def is_voice(message: Dict[str, Any]) -> bool:
    return any(kind in message for kind in MEDIA_KINDS)


class VoiceNotes:
    def __init__(self, api: BotApi, service: VoiceService) -> None:
        self.api, self.service = api, service

    async def answer(self, chat_id: str, message: Dict[str, Any], output: TelegramOutput, agent: Any, respond: RunTurn) -> None:
        """`agent` holds the conversation (its last reply decides what a
        spoken command means); None before the server has started."""
        media: object = next((message[kind] for kind in MEDIA_KINDS if message.get(kind)), None)
        file_id = media.get("file_id") if isinstance(media, dict) else None
        audio = await self.api.download(str(file_id), MAX_AUDIO_BYTES) if file_id else None
        sender = sender_id(chat_id)
        last = await last_reply(agent, sender)
        loop = asyncio.get_running_loop()
        try:
            heard = await loop.run_in_executor(None, self.service.hear, audio, last.script().expected()) if audio else None
        except AudioError:
            heard = None
        if heard is None:
            await output.send_text(chat_id, VOICE_UNUSABLE)
            return
        if not heard.text:
            await output.send_text(chat_id, NOT_HEARD)
            return
        text = heard_as(last, heard)
        await output.send_text(chat_id, HEARD.format(text=text))
        # The written replies go out whole as text; the voice note says their
        # short form ("next", "repeat"... walk it, with a voice note only).
        turn = await spoken_turn(self.service, last, sender, text, respond, misheard_in(heard))
        if turn.said.text:
            await self.send(chat_id, turn.said)

    async def send(self, chat_id: str, said: Said) -> None:
        loop = asyncio.get_running_loop()
        try:
            note = await loop.run_in_executor(None, self.service.say, said.text, "ogg", said.slow)
        except Exception:
            logger.exception("Reading a Telegram reply aloud failed.")  # the text reply went out already
            return
        if note:
            await self.api.call("sendVoice", {"chat_id": chat_id}, files={"voice": ("reply.ogg", note, "audio/ogg")})
